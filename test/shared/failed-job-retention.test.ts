import { Queue, Worker } from 'bullmq';
import { FAILED_JOB_STACK_TRACES, INBOUND_QUEUE, createRedis, failedJobsKept, inboundJobOptions, largestFailedJobBytes, loadConfig } from '@wab/shared';
import { eventually, redisUrl, useTestRedis } from '../support/redis';

describe('failed-job retention: the smaller of JOB_KEEP_FAILED_COUNT and what JOB_KEEP_FAILED_MB holds of the largest job', () => {
  it('with the defaults: 394 jobs of at most 680,960 bytes fit in 256 MiB (the count, 100,000, is the larger)', () => {
    const config = loadConfig({});
    expect(config.JOB_KEEP_FAILED_MB).toBe(256);
    expect(largestFailedJobBytes(config)).toBe(680_960); // (2 × 262,144 + 2 × 8,192 + 4,096) × 1.25
    expect(failedJobsKept(config)).toBe(394);
    expect(inboundJobOptions(config)).toMatchObject({ stackTraceLimit: FAILED_JOB_STACK_TRACES, removeOnFail: { age: 14 * 24 * 3600, count: 394 } });
  });

  it('smaller bodies or a larger budget keep more; a smaller JOB_KEEP_FAILED_COUNT wins', () => {
    expect(failedJobsKept(loadConfig({ MAX_BODY_BYTES: '65536' }))).toBe(1416); // 256 MiB / ((2 × 65,536 + 2 × 8,192 + 4,096) × 1.25)
    expect(failedJobsKept(loadConfig({ JOB_KEEP_FAILED_MB: '1024' }))).toBe(1576); // 4 × 256 MiB / 680,960 bytes = 1,576.8
    expect(failedJobsKept(loadConfig({ JOB_KEEP_FAILED_COUNT: '50' }))).toBe(50);
    expect(() => loadConfig({ JOB_KEEP_FAILED_MB: '0' })).toThrow(/JOB_KEEP_FAILED_MB/);
  });
});

describe('on real Redis, with a 1 MiB budget', () => {
  const testRedis = useTestRedis('failed-retention');
  const { prefix } = testRedis;
  // 64 KB bodies: (2 × 65,536 + 2 × 8,192 + 4,096) × 1.25 = 189,440 bytes a job, so 5 jobs fit in 1 MiB.
  const config = loadConfig({ MAX_BODY_BYTES: '65536', JOB_KEEP_FAILED_MB: '1', JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '0' });
  const kept = failedJobsKept(config);
  const connections = [createRedis(redisUrl(), 'producer'), createRedis(redisUrl(), 'worker')];
  let queue: Queue;
  let worker: Worker;

  beforeAll(() => {
    queue = new Queue(INBOUND_QUEUE, { connection: connections[0], prefix });
  });
  afterAll(async () => {
    await worker?.close();
    await queue.close();
    for (const c of connections) c.disconnect(); // BullMQ leaves connections it was given open
  });

  it('keeps the bound when more jobs fail than it allows, within the bytes, with one stack trace each', async () => {
    expect(kept).toBe(5);
    const flood = kept * 3;
    // The largest data the ingest can queue for such bodies: one contact id repeated as contactKey.
    const huge = 'c'.repeat(config.MAX_BODY_BYTES - 512);
    for (let i = 0; i < flood; i++) {
      await queue.add('message', { runId: `run_${i}`, contactKey: huge, event: { kind: 'customer_message', contactId: huge } }, { ...inboundJobOptions(config), jobId: `run_${i}` });
    }
    let failures = 0;
    worker = new Worker(
      INBOUND_QUEUE,
      async (): Promise<unknown> => {
        throw new Error('GHL is down');
      },
      { connection: connections[1], prefix, concurrency: 4 },
    );
    worker.on('failed', (job) => {
      if (job && job.attemptsMade >= config.JOB_ATTEMPTS) failures++;
    });
    await eventually(() => expect(failures).toBe(flood), 20_000);

    const failed = await queue.getFailed(0, -1);
    expect(failed.length).toBe(kept);
    // Every attempt failed, yet one stack trace (the last attempt's) is kept.
    for (const job of failed) expect({ attempts: job.attemptsMade, stacks: job.stacktrace?.length }).toEqual({ attempts: 2, stacks: FAILED_JOB_STACK_TRACES });
    // What those jobs really take in Redis is within the budget.
    let bytes = 0;
    for (const job of failed) bytes += (await testRedis.redis.memory('USAGE', `${prefix}:${INBOUND_QUEUE}:${job.id}`, 'SAMPLES', 0)) ?? 0;
    expect(bytes).toBeLessThanOrEqual(config.JOB_KEEP_FAILED_MB * 2 ** 20);
    expect(bytes).toBeGreaterThan(kept * 2 * huge.length); // the jobs were as large as the bound assumes
  });
});
