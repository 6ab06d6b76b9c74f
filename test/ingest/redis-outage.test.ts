import { startPrivateRedis, type LocalRedis } from '@wab/shared';
import { referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { eventually } from '../support/redis';

/** A Redis of this test's own, so stopping it touches nothing else. */
let redis: LocalRedis;
let ingest: Ingest;
let port: number;

beforeAll(async () => {
  redis = await startPrivateRedis();
  port = Number(new URL(redis.url).port);
  ingest = await startIngest({ REDIS_URL: redis.url, RATE_LIMIT_PER_IP: '10', RATE_LIMIT_PER_PHONE: '10' });
});
afterAll(async () => {
  await ingest.close();
  await redis.stop();
});

it('answers 503 QUEUE_UNAVAILABLE fast while Redis is down, and accepts again after it is back, losing nothing accepted', async () => {
  const accepted: string[] = [];
  const first = await ingest.post(referenceMessage({ id: 'outage-before' }));
  expect(first.status).toBe(202);
  accepted.push(first.body!.workflow_run_id);

  await redis.stop();
  const started = Date.now();
  const down = await ingest.post(referenceMessage({ id: 'outage-during' }));
  const elapsed = Date.now() - started;
  expect(down.status).toBe(503);
  expect(down.body!.error.code).toBe('QUEUE_UNAVAILABLE');
  expect(down.headers.get('retry-after')).toBe('5');
  // Fail fast: GHL retries; a hang would tie up its delivery (bounded generously for a noisy machine).
  expect(elapsed).toBeLessThan(1000);
  expect((await ingest.get('/health')).status).toBe(503);
  expect((await ingest.get('/readyz')).status).toBe(503);

  // An empty Redis comes back on the same port (no persistence here, as after a failover to a fresh node).
  redis = await startPrivateRedis({ port });
  const retried = await eventually(async () => {
    const res = await ingest.post(referenceMessage({ id: 'outage-during' }));
    if (res.status !== 202) throw new Error(`still ${res.status}`);
    return res;
  }, 15_000, 100);
  accepted.push(retried.body!.workflow_run_id);
  expect((await ingest.get('/health')).status).toBe(200);

  // The message refused during the outage was not marked as seen: its retry was queued, not called a duplicate.
  const job = await ingest.queue.getJob(retried.body!.workflow_run_id);
  expect(job?.data.event).toMatchObject({ messageId: 'outage-during' });
});
