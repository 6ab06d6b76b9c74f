import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createRedis, freePort, waitForRedis } from '@wab/shared';
import { BookingWebhookClient } from '../../services/tools/src/webhook-client';
import { deletePrefix, eventually, redisUrl } from '../support/redis';

/**
 * `npm start` as a user runs it on a fresh checkout: it builds (prestart), finds the test Redis through
 * REDIS_URL, starts the GHL sandbox, the ingest and the worker; a booking goes through with the README's
 * demo secret; then SIGINT stops every process it started.
 */
jest.setTimeout(180_000);

const root = join(__dirname, '..', '..');
const DEMO_SECRET = 'local-sandbox-demo-secret-not-for-production';
const prefixes: string[] = [];
const started: ChildProcess[] = [];

interface Started {
  npm: ChildProcess;
  port: number;
  ingestMetricsPort: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function npmStart(): Promise<Started> {
  const [port, metricsPort, ingestMetricsPort, sandboxPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const prefix = `t-npm-start-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  const npm = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      INGEST_METRICS_PORT: String(ingestMetricsPort),
      SANDBOX_PORT: String(sandboxPort),
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      BURST_WINDOW_MS: '200',
      LOG_LEVEL: 'warn',
      WEBHOOK_SECRET: '', // the demo secret, as on a fresh machine
      GHL_API_TOKEN: '', // the sandbox
    },
    detached: true, // its own process group, so the test can see (and, on failure, end) all of it
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(npm);
  let output = '';
  npm.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  npm.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  return { npm, port, ingestMetricsPort, output: () => output, exited };
}

/** Polls the ingest's /health until it answers 200 (npm start builds first), failing early if npm exits. */
async function waitForHealth(s: Started, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void s.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`npm start exited before /health answered:\n${s.output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${s.port}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/health did not answer within ${timeoutMs / 1000} s:\n${s.output()}`);
}

/** Every process under pid, by walking `ps --ppid` (parents before children). */
function descendants(pid: number): { pid: number; args: string }[] {
  let lines: string[];
  try {
    lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' }).trim().split('\n');
  } catch {
    return []; // ps exits 1 when there are none
  }
  return lines
    .filter((l) => l.trim())
    .map((l) => {
      const [, child, args] = /^\s*(\d+)\s+(.*)$/.exec(l)!;
      return { pid: Number(child), args };
    })
    .flatMap((p) => [p, ...descendants(p.pid)]);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
};

async function waitUntilGone(pids: number[], timeoutMs = 30_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The launcher's tree: npm → sh → node launcher → sandbox, ingest, worker. */
function launcherTree(npm: ChildProcess) {
  const tree = descendants(npm.pid!);
  const launcher = tree.find((p) => /services\/launcher\/dist\/main\.js/.test(p.args) && !/^(sh|\/bin\/sh) /.test(p.args));
  if (!launcher) throw new Error(`no launcher under npm start: ${JSON.stringify(tree)}`);
  const children = descendants(launcher.pid);
  return { tree, launcher, children };
}

afterAll(async () => {
  for (const npm of started) {
    if (npm.exitCode === null && npm.signalCode === null) {
      try {
        process.kill(-npm.pid!, 'SIGKILL'); // only after a failed test: the whole group this test started
      } catch {
        // already gone
      }
    }
  }
  const redis = createRedis(redisUrl(), 'producer');
  try {
    await waitForRedis(redis, () => undefined);
    for (const prefix of prefixes) await deletePrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
});

it('npm start: builds, books through /webhook with the demo secret, and SIGINT to the launcher leaves no process behind', async () => {
  const s = await npmStart();
  await waitForHealth(s);

  const client = new BookingWebhookClient({ baseUrl: `http://127.0.0.1:${s.port}`, webhookSecret: DEMO_SECRET });
  const result = await client.sendMessage('Hi, I need help with marketing. My budget is $2000', '+15550007777', { name: 'Ana', wait: 20 });
  expect(result).toMatchObject({ status: 200, body: { status: 'success', booking_id: expect.any(String) } });

  // The ingest's metrics are on their own port, as printed; the public port does not serve them.
  await eventually(() => expect(s.output()).toContain(`ingest http://127.0.0.1:${s.ingestMetricsPort}/metrics`));
  expect((await fetch(`http://127.0.0.1:${s.ingestMetricsPort}/metrics`)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${s.port}/metrics`)).status).toBe(404);

  const { tree, launcher, children } = launcherTree(s.npm);
  expect(children.map((c) => c.args)).toEqual(
    expect.arrayContaining(['ghl-sandbox', 'ingest', 'worker'].map((name) => expect.stringContaining(`services/${name}/dist/main.js`))),
  );

  process.kill(launcher.pid, 'SIGINT');
  const exit = await s.exited;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(await waitUntilGone([...tree.map((p) => p.pid), s.npm.pid!])).toEqual([]);
});

it('npm start: Ctrl-C (SIGINT to the whole foreground process group) stops everything too', async () => {
  const s = await npmStart();
  await waitForHealth(s);
  const { tree } = launcherTree(s.npm);

  process.kill(-s.npm.pid!, 'SIGINT'); // what a terminal does on Ctrl-C
  await s.exited;
  expect(await waitUntilGone(tree.map((p) => p.pid))).toEqual([]);
});
