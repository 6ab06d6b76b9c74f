import { UnrecoverableError, Worker } from 'bullmq';
import { INBOUND_QUEUE, createRedis, type JobData } from '@wab/shared';
import { referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { eventually } from '../support/redis';

const TOKEN = 'admin-token-for-tests-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

describe('without ADMIN_TOKEN', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    ingest = await startIngest({ RATE_LIMIT_PER_IP: '0' });
  });
  afterAll(() => ingest.close());

  it('the admin routes do not exist', async () => {
    for (const path of ['/admin/queues', '/admin/runs/failed']) expect((await fetch(`${ingest.url}${path}`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${ingest.url}/admin/replay?since=1h`, { method: 'POST', headers: auth })).status).toBe(404);
  });
});

describe('with ADMIN_TOKEN', () => {
  let ingest: Ingest;
  let worker: Worker;
  let connection: ReturnType<typeof createRedis>;
  beforeAll(async () => {
    ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', ADMIN_TOKEN: TOKEN, JOB_ATTEMPTS: '1' });
    connection = createRedis(process.env.REDIS_URL!, 'worker');
    // A real BullMQ worker that fails every job, as the worker service does after a permanent GHL error.
    worker = new Worker<JobData>(
      INBOUND_QUEUE,
      async (job) => {
        await ingest.runStore.save({ workflow_run_id: job.data.runId, final_state: 'failed', nodes_executed: ['triage'], result: null, execution_time: 0.1, error: { code: 'GHL_API_ERROR', message: 'GHL answered 401' } });
        throw new UnrecoverableError('GHL answered 401');
      },
      { connection, prefix: ingest.prefix, autorun: false },
    );
  });
  afterAll(async () => {
    await worker.close();
    connection.disconnect();
    await ingest.close();
  });

  async function failedRun(id: string) {
    const { body } = await ingest.post(referenceMessage({ id }));
    const runId = body!.workflow_run_id as string;
    if (!worker.isRunning()) void worker.run();
    await eventually(async () => expect(await (await ingest.queue.getJob(runId))!.getState()).toBe('failed'));
    return runId;
  }

  it('refuses requests without the token, and asks browsers for Basic auth', async () => {
    const res = await fetch(`${ingest.url}/admin/runs/failed`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/Basic/);
    expect((await fetch(`${ingest.url}/admin/runs/failed`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('serves the queue dashboard (Bearer or Basic)', async () => {
    const basic = `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`;
    const res = await fetch(`${ingest.url}/admin/queues`, { headers: { Authorization: basic } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<html/i);
  });

  it('lists failed runs with their error, and replays one with its attempts back', async () => {
    const runId = await failedRun('admin-fail-1');
    const list = (await (await fetch(`${ingest.url}/admin/runs/failed?since=1h`, { headers: auth })).json()) as { runs: unknown[] };
    expect(list.runs).toEqual(expect.arrayContaining([expect.objectContaining({ workflow_run_id: runId, error: { code: 'GHL_API_ERROR', message: 'GHL answered 401' } })]));

    await worker.pause();
    const replay = await fetch(`${ingest.url}/admin/runs/${runId}/replay`, { method: 'POST', headers: auth });
    expect(replay.status).toBe(202);
    const job = (await ingest.queue.getJob(runId))!;
    expect(await job.getState()).toBe('waiting');
    expect(job.attemptsMade).toBe(0);
    expect((await ingest.get(`/runs/${runId}`)).body.final_state).toBe('queued');
    expect((await fetch(`${ingest.url}/admin/runs/${runId}/replay`, { method: 'POST', headers: auth })).status).toBe(400);
    expect((await fetch(`${ingest.url}/admin/runs/run_nope/replay`, { method: 'POST', headers: auth })).status).toBe(404);
    worker.resume();
    await eventually(async () => expect(await job.getState()).toBe('failed'));
  });

  it('replays every run failed since a time, and only those', async () => {
    const before = await failedRun('admin-fail-before');
    const since = new Date(Date.now() + 5).toISOString();
    await eventually(() => expect(Date.now()).toBeGreaterThan(Date.parse(since)));
    const after = await failedRun('admin-fail-after');
    await worker.pause();
    const res = await fetch(`${ingest.url}/admin/replay?since=${encodeURIComponent(since)}`, { method: 'POST', headers: auth });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { replayed: string[] };
    expect(body.replayed).toEqual([after]);
    expect(await (await ingest.queue.getJob(before))!.getState()).toBe('failed');
    expect(await (await ingest.queue.getJob(after))!.getState()).toBe('waiting');
    worker.resume();
  });

  it('refuses a malformed since with 400', async () => {
    const res = await fetch(`${ingest.url}/admin/replay?since=yesterday`, { method: 'POST', headers: auth });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { field: string } } }).error.details.field).toBe('since');
  });
});
