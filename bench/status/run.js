'use strict';
/**
 * bench/status: how fast GET /status answers with a backlog of 100,000 queued jobs, against GET /livez
 * (no Redis) on the same ingest in the same run. A benchmark, not a test: `npm run bench:status`.
 * Options: --jobs N (default 100000), --requests N per endpoint (default 200).
 * Needs Redis (REDIS_URL, else 127.0.0.1:6379, else a private redis-server); keys under a unique prefix,
 * deleted at the end. Requires a build (`npm run build`, which the npm script runs).
 */
const { randomBytes } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const { parseArgs } = require('node:util');
const { resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');
const shared = require(resolve(ROOT, 'shared/dist/index.js'));
const { createApp } = require(resolve(ROOT, 'services/ingest/dist/app.js'));
const { InboundQueue } = require(resolve(ROOT, 'services/ingest/dist/queue/inbound-queue.js'));
const { Queue, QueueEvents } = require(require.resolve('bullmq', { paths: [resolve(ROOT, 'services/ingest')] }));
const pino = require(require.resolve('pino', { paths: [resolve(ROOT, 'shared')] }));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p99 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];

async function timeRequests(url, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    times.push(performance.now() - start);
  }
  return times;
}

async function main() {
  const { values } = parseArgs({ options: { jobs: { type: 'string', default: '100000' }, requests: { type: 'string', default: '200' } } });
  const jobs = Number(values.jobs);
  const requests = Number(values.requests);
  const redisHandle = await shared.findOrStartRedis(process.env.REDIS_URL || undefined);
  const prefix = `bench-status-${randomBytes(4).toString('hex')}`;
  const config = shared.loadConfig({ REDIS_URL: redisHandle.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', WEBHOOK_SECRET: 'bench' });
  const redis = shared.createRedis(config.REDIS_URL, 'producer');
  const eventsRedis = shared.createRedis(config.REDIS_URL, 'worker');
  await shared.waitForRedis(redis, () => undefined);
  const queue = new Queue(shared.INBOUND_QUEUE, { connection: redis, prefix });
  const queueEvents = new QueueEvents(shared.INBOUND_QUEUE, { connection: eventsRedis, prefix });
  const { app } = createApp({
    config,
    redis,
    queue: new InboundQueue(queue, shared.inboundJobOptions(config)),
    queueEvents,
    runStore: new shared.RunStore(redis, prefix),
    logger: pino({ level: 'silent' }),
    version: 'bench',
  });
  const server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    process.stderr.write(`filling the queue with ${jobs} jobs...\n`);
    for (let i = 0; i < jobs; i += 5000) {
      const batch = Array.from({ length: Math.min(5000, jobs - i) }, (_, j) => ({ name: 'message', data: { n: i + j }, opts: { removeOnComplete: true } }));
      await queue.addBulk(batch);
    }
    await queue.add('message', {}, { delay: 3_600_000 });
    const status = await (await fetch(`${base}/status`)).json();
    if (status.queue_length !== jobs + 1) throw new Error(`queue_length ${status.queue_length}, expected ${jobs + 1}`);

    const rounds = [];
    for (let round = 0; round < 3; round++) {
      rounds.push({ livez: await timeRequests(`${base}/livez`, requests), status: await timeRequests(`${base}/status`, requests) });
    }
    const livez = median(rounds.map((r) => median(r.livez)));
    const statusMs = median(rounds.map((r) => median(r.status)));
    const statusP99 = median(rounds.map((r) => p99(r.status)));
    console.log(`backlog            ${jobs + 1} jobs (queue_length ${status.queue_length})`);
    console.log(`GET /livez  p50    ${livez.toFixed(2)} ms   (no Redis: the HTTP baseline)`);
    console.log(`GET /status p50    ${statusMs.toFixed(2)} ms   p99 ${statusP99.toFixed(2)} ms   (${(statusMs / livez).toFixed(1)}x /livez)`);
  } finally {
    server.close();
    await queueEvents.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
    eventsRedis.disconnect();
    await redisHandle.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
