/** What the command-line tools share: the secret they sign with, and how they refuse bad arguments. */

import { LOCAL_DEMO_WEBHOOK_SECRET as LOCAL_DEMO_SECRET } from '@wab/shared';

/**
 * The first of WEBHOOK_SECRET's comma-separated secrets (read as the ingest reads the list: trimmed, empty
 * items skipped), else the local demo secret, said on stderr.
 */
export function webhookSecretFromEnv(tool: string, env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.WEBHOOK_SECRET ?? '').split(',').map((s) => s.trim()).find(Boolean);
  if (first) return first;
  process.stderr.write(`${tool}: WEBHOOK_SECRET is not set; using the local demo secret '${LOCAL_DEMO_SECRET}' that \`npm start\` uses\n`);
  return LOCAL_DEMO_SECRET;
}

/** Prints the problem and the usage on stderr and exits 2. */
export function usageError(tool: string, usage: string, problem: string): never {
  process.stderr.write(`${tool}: ${problem}\n\n${usage}\n`);
  process.exit(2);
}
