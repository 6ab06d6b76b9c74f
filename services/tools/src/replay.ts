import { parseArgs } from 'node:util';

/**
 * `npm run replay -- --since 1h` replays every run that failed in the last hour; `--run <id>` replays one.
 * Talks to the ingest's admin API (ADMIN_PORT, loopback by default) with ADMIN_TOKEN; for a cluster, run it
 * through `kubectl port-forward deploy/ingest 8001`.
 */
export async function replay(options: { url: string; token: string; since?: string; run?: string }): Promise<{ status: number; body: unknown }> {
  const path = options.run
    ? `/admin/runs/${encodeURIComponent(options.run)}/replay`
    : `/admin/replay?since=${encodeURIComponent(options.since ?? '')}`;
  const res = await fetch(new URL(path, options.url), { method: 'POST', headers: { Authorization: `Bearer ${options.token}` } });
  return { status: res.status, body: await res.json().catch(() => null) };
}

const USAGE = 'usage: npm run replay -- (--since 1h | --since 2026-11-28T10:00:00Z | --run <workflow_run_id>) [--url http://127.0.0.1:8001]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { since: { type: 'string' }, run: { type: 'string' }, url: { type: 'string' } },
    allowPositionals: false,
  });
  if (!values.since === !values.run) throw new Error(USAGE);
  const token = process.env.ADMIN_TOKEN;
  if (!token) throw new Error('ADMIN_TOKEN is not set: the admin API needs it');
  const url = values.url ?? `http://127.0.0.1:${process.env.ADMIN_PORT || 8001}`;
  const result = await replay({ url, token, since: values.since, run: values.run });
  process.stdout.write(`${JSON.stringify(result.body, null, 2)}\n`);
  if (result.status >= 300) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  });
}
