'use strict';
/**
 * bench/fairness: one location's lead campaign must not hold up another location's customers.
 * `npm run bench:fairness [-- --burst 500 --quiet 10 --rounds 3 --ghl-ms 50]` (builds first).
 *
 * Two locations on one worker (createWorker in this process, WORKER_CONCURRENCY 20, GHL doubled on loopback
 * with --ghl-ms per call): `loc_burst` gets --burst messages at once, then `loc_quiet` gets --quiet messages
 * right behind them in the queue. Measured: how long each quiet message waits from enqueue to its answer,
 * and how long the burst takes to drain. Each round runs with fairness on (LOCATION_MAX_ACTIVE_TURNS, default
 * 10) and off (0), alternating which goes first; medians over rounds, and the ratio on/off.
 * GHL's rate budget is set high (--ghl-rate-limit): this measures the queue, not GHL's 100 per 10 s.
 */
const { join, resolve } = require('node:path');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { Queue, QueueEvents } = require('bullmq');
const { BenchFailure, benchRedis, configFor, deletePrefix, enqueue, jobsFor, openSession, readFlags, startInProcessWorker } = require('../support/worker-harness');

const ROOT = resolve(__dirname, '..', '..');
const shared = require(join(ROOT, 'shared', 'dist'));
const BODY = 'Hi, I need help with marketing. My budget is $2000';

const { median } = require('../support/stats');
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  const flags = readFlags(process.argv.slice(2), { known: ['burst', 'quiet', 'rounds', 'ghl-ms', 'cap', 'ghl-rate-limit', 'log-level'], script: __filename });
  const opts = {
    burst: Number(flags.burst ?? 500),
    quiet: Number(flags.quiet ?? 10),
    rounds: Number(flags.rounds ?? 3),
    ghlMs: Number(flags['ghl-ms'] ?? 50),
    cap: Number(flags.cap ?? 10),
    ghlRateLimit: Number(flags['ghl-rate-limit'] ?? 1_000_000),
    logLevel: flags['log-level'] ?? 'warn',
  };
  const ctx = await openSession({ name: 'bench:fairness', stem: 'bench-fair', opts, watchdogMs: 20 * 60_000 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-fair-'));
  const file = join(dir, 'locations.yaml');
  writeFileSync(file, 'locations:\n  - { id: loc_burst, calendarId: cal_bench, token: pit-bench }\n  - { id: loc_quiet, calendarId: cal_bench, token: pit-bench }\n');
  const log = (line) => process.stdout.write(`${line}\n`);
  try {
    await fetch(`${ctx.doubles.url}/_bench/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ghlMs: opts.ghlMs }) });
    log(`bench:fairness — ${ctx.describe()}`);
    log(`${opts.burst} messages for loc_burst, then ${opts.quiet} for loc_quiet; GHL ${opts.ghlMs} ms per call; WORKER_CONCURRENCY 20; ${opts.rounds} rounds`);
    const results = { on: [], off: [] };
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 ? ['off', 'on'] : ['on', 'off'];
      for (const mode of order) {
        const r = await oneRun(ctx, file, mode === 'on' ? opts.cap : 0, `${round}${mode}`);
        results[mode].push(r);
        log(`  round ${round + 1} fairness ${mode.padEnd(3)}: quiet waited median ${fmt(r.quietMedian)}, worst ${fmt(r.quietWorst)}; burst drained in ${fmt(r.burstDrain)}`);
      }
    }
    const on = { median: median(results.on.map((r) => r.quietMedian)), worst: median(results.on.map((r) => r.quietWorst)), drain: median(results.on.map((r) => r.burstDrain)) };
    const off = { median: median(results.off.map((r) => r.quietMedian)), worst: median(results.off.map((r) => r.quietWorst)), drain: median(results.off.map((r) => r.burstDrain)) };
    log('');
    log(`quiet location's wait (median of rounds): fairness on ${fmt(on.median)} (worst ${fmt(on.worst)}), off ${fmt(off.median)} (worst ${fmt(off.worst)}): ratio on/off ${(on.median / off.median).toFixed(3)}`);
    log(`  per round on: ${results.on.map((r) => fmt(r.quietMedian)).join(', ')}; off: ${results.off.map((r) => fmt(r.quietMedian)).join(', ')}`);
    log(`burst drain (median): on ${fmt(on.drain)}, off ${fmt(off.drain)}: ratio on/off ${(on.drain / off.drain).toFixed(3)} (the price the campaign pays)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await ctx.close();
  }
}

async function oneRun(ctx, file, cap, tag) {
  const prefix = `${ctx.prefix}-${tag}`;
  const config = configFor(ctx, prefix, 20, { LOCATIONS_FILE: file, LOCATION_MAX_ACTIVE_TURNS: String(cap), LOG_LEVEL: ctx.opts.logLevel });
  const redis = benchRedis(ctx.redisUrl);
  const queue = new Queue(shared.INBOUND_QUEUE, { connection: redis, prefix: shared.keysFor(prefix, redis).queuePrefix });
  const eventsRedis = benchRedis(ctx.redisUrl);
  const events = new QueueEvents(shared.INBOUND_QUEUE, { connection: eventsRedis, prefix: shared.keysFor(prefix, redis).queuePrefix });
  await events.waitUntilReady();
  const at = (location) => (job) => ({ ...job, locationId: location });
  const burst = jobsFor(`b${tag}`, ctx.opts.burst, BODY).map(at('loc_burst'));
  const quiet = jobsFor(`q${tag}`, ctx.opts.quiet, BODY).map(at('loc_quiet'));
  const done = new Map();
  const enqueuedAt = new Map();
  const all = new Promise((resolveAll, reject) => {
    const total = burst.length + quiet.length;
    events.on('completed', ({ jobId }) => {
      if (!done.has(jobId)) done.set(jobId, Date.now());
      if (done.size === total) resolveAll();
    });
    events.on('failed', ({ jobId, failedReason }) => reject(new BenchFailure(`job ${jobId} failed: ${failedReason}`)));
  });
  const worker = await startInProcessWorker(ctx, config, { autorun: false });
  const started = Date.now();
  for (const j of burst) enqueuedAt.set(j.runId, started);
  await enqueue(queue, config, burst);
  const quietAt = Date.now();
  for (const j of quiet) enqueuedAt.set(j.runId, quietAt);
  await enqueue(queue, config, quiet);
  void worker.worker.run();
  await all;
  await worker.close();
  await events.close();
  await queue.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  eventsRedis.disconnect();
  const waits = quiet.map((j) => done.get(j.runId) - enqueuedAt.get(j.runId));
  const burstDone = Math.max(...burst.map((j) => done.get(j.runId)));
  return { quietMedian: median(waits), quietWorst: Math.max(...waits), burstDrain: burstDone - started };
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench:fairness failed: ${error instanceof BenchFailure ? error.message : error.stack}\n`);
    process.exit(1);
  },
);
