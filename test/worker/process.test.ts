import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@wab/shared';
import { referenceMessage } from '../support/ingest-harness';
import { promtoolProblems } from '../support/promtool';
import { eventually } from '../support/redis';
import { startSystem, type System } from '../support/system';

const WORKER_MAIN = join(__dirname, '..', '..', 'services', 'worker', 'dist', 'main.js');

/** The worker as ops run it: its own process, its own HTTP server for probes and metrics. */
let system: System;
let child: ChildProcess;
let exited: Promise<number | null>;
let url: string;

beforeAll(async () => {
  if (!existsSync(WORKER_MAIN)) throw new Error('services/worker/dist is missing: run npm run build');
  system = await startSystem({ workers: 0, env: { BURST_WINDOW_MS: '1500' } });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [WORKER_MAIN], { env: { ...process.env, ...system.env, METRICS_PORT: String(port), LOG_LEVEL: 'silent' }, stdio: 'ignore' });
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), 15_000, 100);
});
afterAll(async () => {
  child.kill('SIGKILL');
  await system.close();
});

it('serves liveness, readiness and metrics that pass promtool', async () => {
  expect((await fetch(`${url}/livez`)).status).toBe(200);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  expect(metrics).toMatch(/# TYPE booking_duration_seconds histogram/);
  expect(metrics).toMatch(/booking_duration_seconds_bucket\{le="0.5"\}/);
  expect(metrics).toMatch(/booking_duration_seconds_bucket\{le="5"\}/);
  expect(metrics).toMatch(/# TYPE active_workflows gauge/);
  expect(promtoolProblems(metrics)).toEqual([]);
});

it('on SIGTERM stops taking jobs, lets the active run finish, and exits 0', async () => {
  await system.ghl.seedContact({ id: 'contact_123', name: 'John Doe', phone: '+1234567890' });
  const res = await system.ingest.post(referenceMessage({ id: 'shutdown-1' }));
  await eventually(async () => expect(await system.ingest.queue.getActiveCount()).toBe(1), 10_000);
  child.kill('SIGTERM');
  await eventually(async () => expect((await fetch(`${url}/readyz`).catch(() => ({ status: 503 }))).status).toBe(503), 5_000);
  expect(await exited).toBe(0);
  const run = (await system.ingest.get(`/runs/${res.body!.workflow_run_id}`)).body;
  expect(run).toMatchObject({ final_state: 'completed', result: { booking_created: true } });
  expect(await system.ghl.sentMessages('contact_123')).toHaveLength(1);
  const metrics = await system.ingest.get('/status');
  expect(metrics.body.workers).toBe(0);
});
