'use strict';
/**
 * The durable baseline for `bench/ingest`: the bare Express 5 echo plus one BullMQ `queue.add` of the parsed
 * body (unique job id, the ingest's job options) before it answers 202. It is the least any ingest that
 * keeps a webhook it acknowledged must pay (a Redis write), so ingest/bare-queue is what the ingest's checks
 * (signature, schema, dedupe, limits, run id, metrics) cost on top of durability. Started by `run.js`: PORT,
 * REDIS_URL and QUEUE_PREFIX from env, 127.0.0.1 only, stops on SIGTERM/SIGINT.
 */
const { join, resolve } = require('node:path');
const express = require('express');
const { Queue } = require('bullmq');
const IORedis = require('ioredis');
const shared = require(join(resolve(__dirname, '..', '..'), 'shared', 'dist'));

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0 || !process.env.REDIS_URL || !process.env.QUEUE_PREFIX) {
  process.stderr.write('bare-queue: PORT, REDIS_URL and QUEUE_PREFIX must be set\n');
  process.exit(1);
}

// As the ingest's queue connection: fails fast, not autopipelined.
const redis = new IORedis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
const queue = new Queue(shared.INBOUND_QUEUE, { connection: redis, prefix: shared.keysFor(process.env.QUEUE_PREFIX, redis).queuePrefix });
const jobOptions = shared.inboundJobOptions(shared.loadConfig(process.env)); // the ingest's env, so its job options
let n = 0;

const app = express();
app.use(express.json());
app.get('/readyz', (_req, res) => void res.json({ status: 'ready' }));
app.post('/webhook', async (req, res) => {
  try {
    await queue.add('inbound', req.body, { ...jobOptions, jobId: `bare_${process.pid}_${(n++).toString(36)}` });
    res.status(202).json({ status: 'accepted' });
  } catch (error) {
    res.status(503).json({ error: error.message });
  }
});

const server = app.listen(port, '127.0.0.1');
server.keepAliveTimeout = 65_000; // as the ingest sets it
const stop = () => {
  server.close(() => void queue.close().finally(() => process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
