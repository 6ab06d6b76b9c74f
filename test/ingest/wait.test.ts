import { QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { INBOUND_QUEUE, createRedis, type JobData, type JobResult } from '@wab/shared';
import { referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';

/** A real BullMQ worker standing in for the worker service: the body decides what it does. */
let ingest: Ingest;
let worker: Worker;
const workerRedis = () => createRedis(process.env.REDIS_URL!, 'worker');
let connection: ReturnType<typeof workerRedis>;

beforeAll(async () => {
  ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', JOB_ATTEMPTS: '1' });
  connection = workerRedis();
  worker = new Worker<JobData, JobResult>(
    INBOUND_QUEUE,
    async (job) => {
      const text = job.data.event.kind === 'customer_message' ? job.data.event.body : '';
      if (text === 'slow') await new Promise((r) => setTimeout(r, 3000));
      if (text === 'ghl down') {
        await ingest.runStore.save({
          workflow_run_id: job.data.runId,
          final_state: 'failed',
          nodes_executed: ['triage', 'collect', 'validate', 'book'],
          result: null,
          execution_time: 0.2,
          error: { code: 'GHL_API_ERROR', message: 'GHL answered 503' },
        });
        throw new UnrecoverableError('GHL answered 503');
      }
      return { final_state: 'completed', booking_id: `apt_for_${job.data.runId}`, reply: 'Booked' };
    },
    { connection, prefix: ingest.prefix },
  );
  await worker.waitUntilReady();
});

afterAll(async () => {
  await worker.close();
  connection.disconnect();
  await ingest.close();
});

it('answers 200 in the reference shape with the booking when the run finishes within ?wait', async () => {
  const res = await ingest.post(referenceMessage({ id: 'wait-ok' }), { query: '?wait=10' });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    status: 'success',
    message: 'Message processed successfully',
    booking_id: `apt_for_${res.body!.workflow_run_id}`,
    workflow_run_id: expect.stringMatching(/^run_/),
    final_state: 'completed',
  });
});

it('answers 504 TIMEOUT when the run takes longer, and the run goes on', async () => {
  const res = await ingest.post(referenceMessage({ id: 'wait-slow', body: 'slow' }), { query: '?wait=0.5' });
  expect(res.status).toBe(504);
  expect(res.body!.error).toMatchObject({ code: 'TIMEOUT', details: { workflow_run_id: expect.stringMatching(/^run_/) } });
  const job = await ingest.queue.getJob(res.body!.error.details.workflow_run_id);
  expect(await job!.waitUntilFinished(ingestEvents(), 10_000)).toMatchObject({ final_state: 'completed' });
});

it('answers 502 GHL_API_ERROR when the run failed on GHL', async () => {
  const res = await ingest.post(referenceMessage({ id: 'wait-ghl', body: 'ghl down' }), { query: '?wait=10' });
  expect(res.status).toBe(502);
  expect(res.body!.error).toMatchObject({ code: 'GHL_API_ERROR', message: 'GHL answered 503' });
});

it('times waited answers apart from webhook acks (route "/webhook?wait"), so they never count against the ack latency', async () => {
  const metrics = await ingest.scrape();
  // The 504 above: its whole wait is on the waited route, none of it on the ack route.
  expect(metrics).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/webhook\?wait",code="504"\} 1/);
  expect(metrics).not.toMatch(/http_request_duration_seconds_count\{method="POST",route="\/webhook",code="504"\}/);
  await ingest.post(referenceMessage({ id: 'wait-none' }));
  expect(await ingest.scrape()).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/webhook",code="202"\} 1/);
});

let events: QueueEvents | null = null;
let eventsConnection: ReturnType<typeof workerRedis> | null = null;
function ingestEvents() {
  // The harness's shared QueueEvents is internal; a test-local one reads the same stream.
  eventsConnection ??= workerRedis();
  events ??= new QueueEvents(INBOUND_QUEUE, { connection: eventsConnection, prefix: ingest.prefix });
  return events;
}
afterAll(async () => {
  await events?.close();
  eventsConnection?.disconnect();
});
