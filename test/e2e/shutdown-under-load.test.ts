import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@wab/shared';
import { eventually } from '../support/redis';
import { hmacHex } from '../support/signing';
import { startSystem, type System } from '../support/system';

const root = join(__dirname, '..', '..');
const INGEST_MAIN = join(root, 'services', 'ingest', 'dist', 'main.js');
const WORKER_MAIN = join(root, 'services', 'worker', 'dist', 'main.js');

/** Both services as ops run them, as processes, receiving SIGTERM while messages flow. */
let system: System;
const children: ChildProcess[] = [];

function startProcess(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...system.env, LOG_LEVEL: 'silent', ...env }, stdio: 'ignore' });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

beforeAll(async () => {
  if (!existsSync(INGEST_MAIN) || !existsSync(WORKER_MAIN)) throw new Error('dist is missing: run npm run build');
  system = await startSystem({ workers: 0, env: { BURST_WINDOW_MS: '0', GHL_RATE_LIMIT_PER_10S: '100000', SHUTDOWN_TIMEOUT_MS: '15000' }, ghl: { rateLimit: { enforce: false } } });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await system.close();
});

it('SIGTERM to the ingest and a worker under load: readiness turns 503 first, and every accepted message is processed once', async () => {
  const port = await freePort();
  const ingestUrl = `http://127.0.0.1:${port}`;
  const ingest = startProcess(INGEST_MAIN, { PORT: String(port), INGEST_METRICS_PORT: '0' });
  const [portA, portB] = [await freePort(), await freePort()];
  const workerA = startProcess(WORKER_MAIN, { METRICS_PORT: String(portA) });
  const workerB = startProcess(WORKER_MAIN, { METRICS_PORT: String(portB) });
  for (const url of [`${ingestUrl}/readyz`, `http://127.0.0.1:${portA}/readyz`, `http://127.0.0.1:${portB}/readyz`]) {
    await eventually(async () => expect((await fetch(url)).status).toBe(200), 20_000, 100);
  }

  const accepted = new Map<string, string>(); // run id → phone
  let refusedBeforeStop = 0;
  let stop = false;
  let sent = 0;
  const sender = (async () => {
    while (!stop) {
      const phone = `+1666${String(++sent).padStart(7, '0')}`;
      const body = JSON.stringify({ type: 'message', message: { id: `load-${sent}`, body: 'Hi', from: phone } });
      try {
        const res = await fetch(`${ingestUrl}/webhook`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-GHL-Signature': hmacHex(body) }, body });
        if (res.status === 202) accepted.set(((await res.json()) as { workflow_run_id: string }).workflow_run_id, phone);
        else refusedBeforeStop++;
      } catch {
        stop = true; // the ingest has stopped listening
      }
      await new Promise((r) => setTimeout(r, 20)); // a steady flow (about 50 messages/s), not a flood
    }
  })();

  await eventually(() => expect(accepted.size).toBeGreaterThanOrEqual(20), 20_000);
  workerA.child.kill('SIGTERM');
  expect(await workerA.exited).toBe(0);
  await eventually(() => expect(accepted.size).toBeGreaterThanOrEqual(40), 20_000);

  ingest.child.kill('SIGTERM');
  // Draining: not ready any more, while requests in flight still get their answer.
  await eventually(async () => expect((await fetch(`${ingestUrl}/readyz`)).status).toBe(503), 2_000, 20);
  expect(await ingest.exited).toBe(0);
  stop = true;
  await sender;
  expect(refusedBeforeStop).toBe(0);

  // Everything accepted is processed by the remaining worker: count in = count out.
  await eventually(async () => {
    const records = await Promise.all([...accepted.keys()].map((id) => system.ingest.runStore.get(id)));
    const states = records.map((r) => r?.final_state ?? 'not finished');
    expect(states.filter((s) => s !== 'waiting_for_customer')).toEqual([]);
  }, 120_000, 250);
  // Nothing twice: one reply per accepted message.
  const messages = await system.ghl.sentMessages();
  expect(messages).toHaveLength(accepted.size);

  workerB.child.kill('SIGTERM');
  expect(await workerB.exited).toBe(0);
}, 180_000);
