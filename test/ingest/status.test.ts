import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { INBOUND_QUEUE } from '@wab/shared';
import { referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { eventually } from '../support/redis';
import { promtoolProblems } from '../support/promtool';

let ingest: Ingest;
beforeAll(async () => {
  ingest = await startIngest({ RATE_LIMIT_PER_IP: '0' });
});
afterAll(() => ingest.close());

describe('GET /runs/:id', () => {
  it('says queued before a worker picks the run up, then the worker’s record', async () => {
    const { body } = await ingest.post(referenceMessage({ id: 'runs-1' }));
    const runId = body!.workflow_run_id;
    const queued = await ingest.get(`/runs/${runId}`);
    expect(queued.status).toBe(200);
    expect(queued.body).toMatchObject({ workflow_run_id: runId, final_state: 'queued', nodes_executed: [], result: null });

    const record = {
      workflow_run_id: runId,
      final_state: 'completed' as const,
      nodes_executed: ['triage', 'collect', 'validate', 'book'],
      result: { booking_created: true, appointment_id: 'apt_789', scheduled_time: '2024-01-20T14:00:00Z', customer: { name: 'John Doe', goal: 'Marketing help', budget: 2000 } },
      execution_time: 2.5,
    };
    await ingest.runStore.save(record);
    expect((await ingest.get(`/runs/${runId}`)).body).toEqual(record);
  });

  it('says failed, with the queue’s reason, for a job the queue failed without a worker record (it stalled out)', async () => {
    const own = await startIngest({ RATE_LIMIT_PER_IP: '0' }); // a queue of its own: this worker fails every job
    const { body } = await own.post(referenceMessage({ id: 'runs-stalled' }));
    const runId = body!.workflow_run_id;
    const connection = new Redis(own.config.REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(
      INBOUND_QUEUE,
      async () => {
        throw new UnrecoverableError('job stalled more than allowable limit');
      },
      { connection, prefix: own.prefix },
    );
    try {
      const run = await eventually(async () => {
        const res = await own.get(`/runs/${runId}`);
        expect(res.body.final_state).toBe('failed');
        return res.body;
      });
      expect(run.error).toMatchObject({ message: 'job stalled more than allowable limit' });
    } finally {
      await worker.close(true);
      connection.disconnect();
      await own.close();
    }
  });

  it('answers 404 with the error body for an unknown or malformed id', async () => {
    for (const id of ['run_unknown', 'not-a-run', 'run_%3Cscript%3E']) {
      const res = await ingest.get(`/runs/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });
});

describe('GET /status', () => {
  it('reports cluster-wide counters and queue_length from BullMQ’s counts (waiting + delayed + prioritized)', async () => {
    const before = (await ingest.get('/status')).body;
    await ingest.queue.add('x', {}, { delay: 60_000 });
    await ingest.queue.add('x', {}, { priority: 5 });
    await ingest.post(referenceMessage({ id: 'status-1' }));
    await ingest.runStore.countProcessed({ seconds: 2, booking: 'created' });
    await ingest.runStore.countProcessed({ seconds: 1, booking: 'failed' });
    await ingest.runStore.recordError('GHL_API_ERROR', 'GHL answered 503');
    await ingest.runStore.reportLanggraphVersion('1.7.3');

    const res = await ingest.get('/status');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'operational',
      uptime: expect.any(Number),
      processed_messages: before.processed_messages + 2,
      successful_bookings: before.successful_bookings + 1,
      failed_bookings: before.failed_bookings + 1,
      average_processing_time: 1.5,
      queue_length: before.queue_length + 3,
      delayed: before.delayed + 1,
      active: 0,
      last_error: { code: 'GHL_API_ERROR', message: 'GHL answered 503', at: expect.any(String) },
      version: { api: 'test', langgraph: '1.7.3', node: process.versions.node },
    });
    expect(res.body.oldest_waiting_age_seconds).toBeGreaterThanOrEqual(0);
    expect(res.body.workers).toBe(0);
  });
});

describe('draining', () => {
  it('turns /readyz to 503 and closes every connection it answers, so keep-alive clients move on', async () => {
    let draining = false;
    const own = await startIngest({ RATE_LIMIT_PER_IP: '0' }, { isDraining: () => draining });
    try {
      const before = await fetch(`${own.url}/readyz`);
      expect(before.status).toBe(200);
      expect(before.headers.get('connection')).not.toBe('close');
      draining = true;
      const during = await own.post(referenceMessage({ id: 'draining-1' }));
      expect(during.status).toBe(202); // in-flight work is still taken
      expect(during.headers.get('connection')).toBe('close');
      const ready = await fetch(`${own.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('connection')).toBe('close');
    } finally {
      await own.close();
    }
  });
});

describe('GET /health, /livez, /readyz', () => {
  it('has the reference’s shape, with GHL and OpenAI as the workers last saw them', async () => {
    await ingest.runStore.reportDependency('ghl_api', 'connected');
    const res = await ingest.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'healthy',
      timestamp: expect.any(String),
      version: 'test',
      dependencies: { database: 'connected', ghl_api: 'connected', openai_api: 'unknown' },
    });
    expect((await ingest.get('/livez')).status).toBe(200);
    expect((await ingest.get('/readyz')).body).toEqual({ status: 'ready' });
  });
});

describe('GET /metrics (on INGEST_METRICS_PORT)', () => {
  it('is served on the metrics port only: the public port answers 404 with the error body', async () => {
    expect((await fetch(`${ingest.metricsUrl}/metrics`)).status).toBe(200);
    const res = await ingest.get('/metrics');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    // And the metrics port serves nothing else.
    for (const path of ['/webhook', '/status', '/admin/queues']) expect((await fetch(`${ingest.metricsUrl}${path}`)).status).toBe(404);
  });

  it('exposes the reference’s counter, request durations and queue gauges per state', async () => {
    await ingest.post(referenceMessage({ id: 'metrics-1' }));
    await ingest.post(referenceMessage({ id: 'metrics-1' }));
    const res = { body: await ingest.scrape() };
    expect(res.body).toMatch(/webhook_requests_total\{status="success",outcome="accepted"\} [1-9]/);
    expect(res.body).toMatch(/webhook_duplicates_total [1-9]/);
    expect(res.body).toMatch(/http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/webhook",code="202"\}/);
    expect(res.body).toMatch(/queue_jobs\{state="waiting"\} [1-9]/);
    expect(res.body).toMatch(/queue_oldest_waiting_age_seconds \d/);
    expect(res.body).toMatch(/queue_workers 0/);
    expect(res.body).toMatch(/process_cpu_seconds_total/);
  });

  it('passes promtool’s lint, except prom-client’s known nodejs_active_*_total gauges', async () => {
    expect(promtoolProblems(await ingest.scrape())).toEqual([]);
  });
});

describe('GET /openapi.json', () => {
  it('documents the webhook with schemas generated from the validators', async () => {
    const res = await ingest.get('/openapi.json');
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/webhook'].post.responses).toHaveProperty('429');
    expect(res.body.components.schemas.ReferenceMessage.properties.message.properties.from.pattern).toBe('^\\+[1-9]\\d{6,14}$');
  });
});
