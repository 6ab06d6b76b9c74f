import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { referenceMessage } from '../support/ingest-harness';
import { eventually } from '../support/redis';
import { startSystem, type System } from '../support/system';

const WORKER_MAIN = join(__dirname, '..', '..', 'services', 'worker', 'dist', 'main.js');

let system: System;
beforeAll(async () => {
  // `npm test` builds first; run alone, this test needs `npm run build`.
  if (!existsSync(WORKER_MAIN)) throw new Error('services/worker/dist is missing: run npm run build');
  system = await startSystem({ workers: 0, env: { JOB_LOCK_MS: '2000' } });
});
afterAll(() => system.close());

it('a worker killed with SIGKILL mid-run: the job finishes on another worker with no duplicate effect', async () => {
  await system.ghl.seedContact({ id: 'contact_123', name: 'John Doe', phone: '+1234567890' });
  // The confirmation reaches GHL, but its answer never comes back: the worker is stuck right after the effect.
  await system.ghl.injectFaults({ endpoint: 'sendMessage', responses: ['timeout-after-effect'] });

  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { ...process.env, ...system.env, METRICS_PORT: '0', LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const res = await system.ingest.post(referenceMessage({ id: 'crash-1' }));
    expect(res.status).toBe(202);
    await eventually(async () => expect(await system.ghl.sentMessages('contact_123')).toHaveLength(1), 20_000);
    expect(await system.ghl.appointments()).toHaveLength(1);
    child.kill('SIGKILL');
    await exited;

    await system.addWorker({ JOB_LOCK_MS: '2000' });
    const run = await eventually(async () => {
      const body = (await system.ingest.get(`/runs/${res.body!.workflow_run_id}`)).body;
      expect(body.final_state).toBe('completed');
      return body;
    }, 20_000);
    expect(run.result.booking_created).toBe(true);
    expect(await system.ghl.appointments()).toHaveLength(1);
    expect(await system.ghl.sentMessages('contact_123')).toHaveLength(1);
  } finally {
    child.kill('SIGKILL');
  }
});
