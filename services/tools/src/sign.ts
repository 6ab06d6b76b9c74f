import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { usageError, webhookSecretFromEnv } from './cli';
import { signBody } from './webhook-client';

const USAGE = `Usage: npm run -s sign -- <file.json | ->

Prints the X-GHL-Signature (hex HMAC-SHA256) of the file's exact bytes ('-' reads stdin).
The secret is the first of WEBHOOK_SECRET's comma-separated values, else the local demo secret of \`npm start\`.
Send the same bytes: curl -H "X-GHL-Signature: $(npm run -s sign -- body.json)" --data-binary @body.json ...`;

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    usageError('sign', USAGE, (error as Error).message);
  }
  if (parsed.values.help) return void process.stdout.write(`${USAGE}\n`);
  if (parsed.positionals.length !== 1) usageError('sign', USAGE, parsed.positionals.length ? 'give exactly one file' : 'which file?');

  const file = parsed.positionals[0];
  let bytes: Buffer;
  try {
    bytes = readFileSync(file === '-' ? 0 : file);
  } catch (error) {
    usageError('sign', USAGE, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  process.stdout.write(`${signBody(bytes, webhookSecretFromEnv('sign'))}\n`);
}

main();
