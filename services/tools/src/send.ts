import { parseArgs } from 'node:util';
import { usageError, webhookSecretFromEnv } from './cli';
import { BookingWebhookClient } from './webhook-client';

const USAGE = `Usage: npm run -s send -- "message text" [--phone +15550001111] [--name Ana] [--url http://127.0.0.1:8000] [--wait 10]

Signs and posts one customer message (the API reference's format) to <url>/webhook and prints the answer as
JSON ({status, requestId, body}); exits 1 when the answer is not 2xx.
  --phone   the sender, E.164 (default +15550001111)
  --name    the customer's name (contact.name)
  --url     the ingest (default http://127.0.0.1:$PORT, PORT defaulting to 8000)
  --wait    seconds the ingest may wait for the run (?wait=N, at most its MAX_WAIT_SECONDS)
The secret is the first of WEBHOOK_SECRET's comma-separated values, else the local demo secret of \`npm start\`.`;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        phone: { type: 'string', default: '+15550001111' },
        name: { type: 'string' },
        url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT || 8000}` },
        wait: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    usageError('send', USAGE, (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (positionals.length !== 1) usageError('send', USAGE, positionals.length ? 'give the message as one argument (quote it)' : 'what message?');
  const wait = values.wait === undefined ? undefined : Number(values.wait);
  if (wait !== undefined && !(values.wait!.trim() !== '' && Number.isFinite(wait) && wait >= 0)) usageError('send', USAGE, `--wait must be a number of seconds, got ${values.wait}`);

  let client;
  try {
    client = new BookingWebhookClient({ baseUrl: values.url!, webhookSecret: webhookSecretFromEnv('send') });
  } catch (error) {
    usageError('send', USAGE, (error as Error).message);
  }
  try {
    const result = await client.sendMessage(positionals[0], values.phone!, { name: values.name, wait });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (result.status < 200 || result.status > 299) process.exitCode = 1;
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    process.stderr.write(`send: no answer from ${values.url}: ${cause?.message ?? (error as Error).message}\n`);
    process.exitCode = 1;
  }
}

void main();
