import { UnrecoverableError, Worker } from 'bullmq';
import { INBOUND_QUEUE, createRedis, type JobData } from '@wab/shared';
import { referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { eventually } from '../support/redis';

const TOKEN = 'admin-token-for-tests-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

/** The admin routes answer 404 on a port: they do not exist there. */
async function expectNoAdminRoutes(url: string) {
  for (const path of ['/admin/queues', '/admin/runs/failed']) expect((await fetch(`${url}${path}`, { headers: auth })).status).toBe(404);
  expect((await fetch(`${url}/admin/replay?since=1h`, { method: 'POST', headers: auth })).status).toBe(404);
}

describe('without ADMIN_TOKEN', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    ingest = await startIngest({ RATE_LIMIT_PER_IP: '0' });
  });
  afterAll(() => ingest.close());

  it('no admin server listens, and the public port has no admin routes', async () => {
    expect(ingest.adminUrl).toBeNull();
    await expectNoAdminRoutes(ingest.url);
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

  const admin = (path: string) => `${ingest.adminUrl}${path}`;

  async function failedRun(id: string) {
    const { body } = await ingest.post(referenceMessage({ id }));
    const runId = body!.workflow_run_id as string;
    if (!worker.isRunning()) void worker.run();
    await eventually(async () => expect(await (await ingest.queue.getJob(runId))!.getState()).toBe('failed'));
    return runId;
  }

  it('serves admin on its own port only: the public port answers 404, even with the token', async () => {
    await expectNoAdminRoutes(ingest.url);
    expect((await fetch(admin('/admin/runs/failed'), { headers: auth })).status).toBe(200);
  });

  it('refuses requests without the token, and asks browsers for Basic auth', async () => {
    const res = await fetch(admin(`/admin/runs/failed`));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/Basic/);
    expect((await fetch(admin(`/admin/runs/failed`), { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('serves the queue dashboard (Bearer or Basic)', async () => {
    const basic = `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`;
    const res = await fetch(admin(`/admin/queues`), { headers: { Authorization: basic } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<html/i);
  });

  it('lists failed runs with their error, and replays one with its attempts back', async () => {
    const runId = await failedRun('admin-fail-1');
    const list = (await (await fetch(admin(`/admin/runs/failed?since=1h`), { headers: auth })).json()) as { runs: unknown[] };
    expect(list.runs).toEqual(expect.arrayContaining([expect.objectContaining({ workflow_run_id: runId, error: { code: 'GHL_API_ERROR', message: 'GHL answered 401' } })]));

    await worker.pause();
    const replay = await fetch(admin(`/admin/runs/${runId}/replay`), { method: 'POST', headers: auth });
    expect(replay.status).toBe(202);
    const job = (await ingest.queue.getJob(runId))!;
    expect(await job.getState()).toBe('waiting');
    expect(job.attemptsMade).toBe(0);
    expect((await ingest.get(`/runs/${runId}`)).body.final_state).toBe('queued');
    expect((await fetch(admin(`/admin/runs/${runId}/replay`), { method: 'POST', headers: auth })).status).toBe(400);
    expect((await fetch(admin(`/admin/runs/run_nope/replay`), { method: 'POST', headers: auth })).status).toBe(404);
    worker.resume();
    await eventually(async () => expect(await job.getState()).toBe('failed'));
  });

  it('replays every run failed since a time, and only those', async () => {
    const before = await failedRun('admin-fail-before');
    const since = new Date(Date.now() + 5).toISOString();
    await eventually(() => expect(Date.now()).toBeGreaterThan(Date.parse(since)));
    const after = await failedRun('admin-fail-after');
    await worker.pause();
    const res = await fetch(admin(`/admin/replay?since=${encodeURIComponent(since)}`), { method: 'POST', headers: auth });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { replayed: string[] };
    expect(body.replayed).toEqual([after]);
    expect(await (await ingest.queue.getJob(before))!.getState()).toBe('failed');
    expect(await (await ingest.queue.getJob(after))!.getState()).toBe('waiting');
    worker.resume();
  });

  it('refuses a malformed since with 400', async () => {
    const res = await fetch(admin(`/admin/replay?since=yesterday`), { method: 'POST', headers: auth });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { details: { field: string } } }).error.details.field).toBe('since');
  });

  it('refuses a POST from a foreign Origin with 403 and the error body; its own origin and no Origin work', async () => {
    const runId = await failedRun('admin-fail-origin');
    await worker.pause();
    for (const origin of ['https://attacker.example', 'null', `http://localhost:${new URL(ingest.adminUrl!).port}`]) {
      const res = await fetch(admin(`/admin/runs/${runId}/replay`), { method: 'POST', headers: { ...auth, Origin: origin } });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        error: { code: 'FORBIDDEN', message: expect.any(String), details: { origin }, request_id: expect.any(String), timestamp: expect.any(String) },
      });
    }
    expect(await (await ingest.queue.getJob(runId))!.getState()).toBe('failed');
    // Reads from another origin are not state changes (and the browser keeps their answers from the page).
    expect((await fetch(admin('/admin/runs/failed'), { headers: { ...auth, Origin: 'https://attacker.example' } })).status).toBe(200);
    const sameOrigin = await fetch(admin(`/admin/runs/${runId}/replay`), { method: 'POST', headers: { ...auth, Origin: ingest.adminUrl! } });
    expect(sameOrigin.status).toBe(202);
    worker.resume();
    await eventually(async () => expect(await (await ingest.queue.getJob(runId))!.getState()).toBe('failed'));
  });

  it('bull-board is read-only: adding, retrying and cleaning jobs answer 405 and change nothing', async () => {
    const runId = await failedRun('admin-fail-board');
    const board = (path: string) => admin(`/admin/queues/api/queues/${INBOUND_QUEUE}${path}`);
    const json = { ...auth, 'Content-Type': 'application/json' };
    const before = await ingest.queue.getJobCounts();
    const add = await fetch(board('/add'), { method: 'POST', headers: json, body: JSON.stringify({ name: 'message', data: {}, options: {} }) });
    expect(add.status).toBe(405);
    expect((await fetch(board('/retry/failed'), { method: 'PUT', headers: json, body: '{}' })).status).toBe(405);
    expect((await fetch(board('/clean/failed'), { method: 'PUT', headers: json, body: '{}' })).status).toBe(405);
    expect((await fetch(board(`/${runId}/retry`), { method: 'PUT', headers: json, body: '{}' })).status).toBe(405);
    expect(await ingest.queue.getJobCounts()).toEqual(before);
    expect(await (await ingest.queue.getJob(runId))!.getState()).toBe('failed');
    // Reading still works.
    expect((await fetch(admin('/admin/queues/api/queues'), { headers: auth })).status).toBe(200);
  });
});

describe('ADMIN_BULLBOARD_WRITE=true', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', ADMIN_TOKEN: TOKEN, ADMIN_BULLBOARD_WRITE: 'true' });
  });
  afterAll(() => ingest.close());

  it('lets bull-board add a job', async () => {
    const res = await fetch(`${ingest.adminUrl}/admin/queues/api/queues/${INBOUND_QUEUE}/add`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'message', data: { from: 'board' }, options: {} }),
    });
    expect(res.status).toBe(200);
    expect(await ingest.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });
});

describe('failed admin authentications', () => {
  const LIMIT = 3;
  let ingest: Ingest;
  let replica: Ingest;
  beforeAll(async () => {
    ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', ADMIN_TOKEN: TOKEN, ADMIN_AUTH_FAILURE_LIMIT: String(LIMIT) });
    // Another replica on the same Redis keys: the count is shared.
    replica = await startIngest({ RATE_LIMIT_PER_IP: '0', ADMIN_TOKEN: TOKEN, ADMIN_AUTH_FAILURE_LIMIT: String(LIMIT) }, { prefix: ingest.prefix });
  });
  afterAll(async () => {
    await replica.close();
    await ingest.close();
  });

  it('successful requests, and a browser asking before it sends credentials, are never counted', async () => {
    for (let i = 0; i < LIMIT * 3; i++) expect((await fetch(`${ingest.adminUrl}/admin/runs/failed`, { headers: auth })).status).toBe(200);
    for (let i = 0; i < LIMIT * 3; i++) expect((await fetch(`${ingest.adminUrl}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${ingest.adminUrl}/admin/runs/failed`, { headers: auth })).status).toBe(200);
  });

  it(`after ${LIMIT} failures from one address every admin request gets 429 for the window, on every replica`, async () => {
    const wrong = { Authorization: 'Bearer wrong-token-wrong-token' };
    for (let i = 0; i < LIMIT; i++) expect((await fetch(`${ingest.adminUrl}/admin/runs/failed`, { headers: wrong })).status).toBe(401);
    const limited = await fetch(`${ingest.adminUrl}/admin/runs/failed`, { headers: wrong });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toEqual({
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/failed admin authentications/), details: expect.objectContaining({ limit: LIMIT }), request_id: expect.any(String), timestamp: expect.any(String) },
    });
    // The right token too: otherwise the one answer that is not 429 would give a guessed token away.
    expect((await fetch(`${ingest.adminUrl}/admin/runs/failed`, { headers: auth })).status).toBe(429);
    expect((await fetch(`${replica.adminUrl}/admin/runs/failed`, { headers: auth })).status).toBe(429);
  });
});
