import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UnrecoverableError, Worker } from 'bullmq';
import { INBOUND_QUEUE, createRedis } from '@wab/shared';
import { referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { eventually } from '../support/redis';

const CLI = join(__dirname, '..', '..', 'services', 'tools', 'dist', 'replay.js');
const TOKEN = 'admin-token-for-replay-cli-tests';
const run = promisify(execFile);

let ingest: Ingest;
let worker: Worker;
let connection: ReturnType<typeof createRedis>;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('services/tools/dist is missing: run npm run build');
  ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', ADMIN_TOKEN: TOKEN, JOB_ATTEMPTS: '1' });
  connection = createRedis(process.env.REDIS_URL!, 'worker');
  worker = new Worker(
    INBOUND_QUEUE,
    async (): Promise<void> => {
      throw new UnrecoverableError('GHL answered 401');
    },
    { connection, prefix: ingest.prefix },
  );
});
afterAll(async () => {
  await worker.close();
  connection.disconnect();
  await ingest.close();
});

it('npm run replay -- --since 1h puts the failed runs back in the queue', async () => {
  const { body } = await ingest.post(referenceMessage({ id: 'cli-replay-1' }));
  const runId = body!.workflow_run_id as string;
  await eventually(async () => expect(await (await ingest.queue.getJob(runId))!.getState()).toBe('failed'));
  await worker.pause();

  // No --url: the default is the admin port (ADMIN_PORT on loopback), not the public one.
  const env = { ...process.env, ADMIN_TOKEN: TOKEN, ADMIN_PORT: new URL(ingest.adminUrl!).port, PORT: new URL(ingest.url).port };
  const { stdout } = await run(process.execPath, [CLI, '--since', '1h'], { env });
  expect(JSON.parse(stdout).replayed).toEqual([runId]);
  expect(await (await ingest.queue.getJob(runId))!.getState()).toBe('waiting');
});

it('--url names another admin server; the public port has no admin API (404, exit 1)', async () => {
  const env = { ...process.env, ADMIN_TOKEN: TOKEN };
  await expect(run(process.execPath, [CLI, '--since', '1h', '--url', ingest.url], { env })).rejects.toMatchObject({ code: 1 });
  const { stdout } = await run(process.execPath, [CLI, '--since', '1h', '--url', ingest.adminUrl!], { env });
  expect(JSON.parse(stdout)).toMatchObject({ replayed: expect.any(Array) });
});

it('fails with the usage line when neither --since nor --run is given, and without a token', async () => {
  await expect(run(process.execPath, [CLI, '--url', ingest.adminUrl!], { env: { ...process.env, ADMIN_TOKEN: TOKEN } })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/usage: npm run replay/) });
  await expect(run(process.execPath, [CLI, '--since', '1h', '--url', ingest.adminUrl!], { env: { ...process.env, ADMIN_TOKEN: '' } })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/ADMIN_TOKEN/) });
});
