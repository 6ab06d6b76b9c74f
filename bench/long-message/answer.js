'use strict';
/**
 * The answer phase of bench/long-message (run by ./run.js; see its header for the command and options):
 * how long a customer waits for the real worker's answer to the 16,000-character slow message, against
 * the normal one, in the same process and run.
 *
 *  Each message is a webhook payload (bench/worker/common.js referencePayload, its own contact) passed
 *  through the product's normaliseWebhook + toJobData, queued with the ingest's job options (jobId = runId)
 *  on a queue under this run's prefix, and answered by createWorker running in this process: its BullMQ
 *  Worker, Redis, contact inbox, effect ledger, Redis checkpointer, heuristic understander (no model), and
 *  GHL calls to the zero-latency loopback double (bench/worker/doubles.js, a process of its own).
 *  BURST_WINDOW_MS=0 (the burst wait is the same fixed delay for any message) and GHL_RATE_LIMIT_PER_10S
 *  lifted (its Redis script still runs on every GHL call), as in bench/worker's Phase A.
 *
 *  Timing, per message: from just before the job is added to the moment job.waitUntilFinished(QueueEvents)
 *  resolves, with WORKER_CONCURRENCY=1 and one message in flight at a time. That is what the customer
 *  waits for: the worker picking the job up, understanding, the graph, the checkpoint writes, every GHL
 *  call including the reply's sendMessage, and the job's completion; plus one Redis stream read for the
 *  completed event, the same for both kinds. Not drain time of a backlog: with many jobs in flight that
 *  measures throughput, and the two kinds' costs would be shared out over each other.
 *  R rounds; in each, N messages of one kind then N of the other, the order reversing every round; the
 *  round's value is the mean of its N; medians over the rounds; the ratio slow / normal of the medians,
 *  and the per-round ratios. Also shown: the worker's own processing time (finishedOn - processedOn, ms
 *  resolution), each kind's outcome and its GHL calls, so it is plain which conversation each one had.
 */
const { performance } = require('node:perf_hooks');
const { Queue, QueueEvents } = require('bullmq');
const { join, resolve } = require('node:path');
const { BenchFailure, benchRedis, configFor, enqueue, jobsFor, openSession, startInProcessWorker, tally } = require('../support/worker-harness');

const shared = require(join(resolve(__dirname, '..', '..'), 'shared', 'dist'));

/**
 * `messages`: { kind: body }. `opts`: { rounds, n, warmup, logLevel }. `stats`: median/fmt/log of run.js.
 * Returns { kind: { median, rounds: [mean ms per round], all: [ms per message], inWorker: [ms], outcomes, ghlPerMessage } }.
 */
async function answerPhase(messages, opts, { median, fmt, log }) {
  const kinds = Object.keys(messages);
  const perMessageBudgetMs = 30_000;
  const total = (opts.warmup + opts.rounds * opts.n) * kinds.length;
  const ctx = await openSession({ name: 'bench:long-message answer', stem: 'blm', opts: { ghlRateLimit: 1_000_000_000, logLevel: opts.logLevel }, watchdogMs: 60_000 + total * 2_000 });
  const queues = [];
  try {
    log(`  ${ctx.describe()}`);
    log(`  doubles: GHL + OpenAI in-memory on ${ctx.doubles.url} (separate process, zero latency); createWorker in this process, WORKER_CONCURRENCY=1, BURST_WINDOW_MS=0, GHL_RATE_LIMIT_PER_10S lifted`);
    await ctx.doubles.configure({ ghlMs: 0, modelMs: 0 });
    const prefix = `${ctx.prefix}-answer`;
    const config = configFor(ctx, prefix, 1);
    const producer = benchRedis(ctx.redisUrl);
    const queue = new Queue(shared.INBOUND_QUEUE, { connection: producer, prefix });
    const eventsConnection = benchRedis(ctx.redisUrl);
    const events = new QueueEvents(shared.INBOUND_QUEUE, { connection: eventsConnection, prefix });
    queues.push(async () => {
      await events.close();
      await queue.close();
      for (const c of [eventsConnection, producer]) c.disconnect();
    });
    await events.waitUntilReady();
    const { close } = await startInProcessWorker(ctx, config);
    queues.push(close);

    /** Answers `count` messages of `kind` one after the other; ms per message, enqueue -> completed. */
    const answer = async (kind, tag, count, into) => {
      const jobs = jobsFor(tag, count, messages[kind]);
      await ctx.doubles.reset();
      const times = [];
      for (const data of jobs) {
        const t0 = performance.now();
        const [job] = await enqueue(queue, config, [data]);
        await job.waitUntilFinished(events, perMessageBudgetMs);
        times.push(performance.now() - t0);
      }
      if (!into) return times;
      const stats = await ctx.doubles.stats();
      into.ghl += Object.entries(stats).reduce((sum, [k, v]) => sum + (k === 'openai' ? 0 : v), 0);
      into.model += stats.openai ?? 0;
      for (const data of jobs) {
        const done = await queue.getJob(data.runId);
        into.inWorker.push(done.finishedOn - done.processedOn);
        tally(into.outcomes, done.returnvalue?.final_state, done.returnvalue?.booking_id);
      }
      into.all.push(...times);
      return times;
    };

    if (opts.warmup > 0) for (const kind of kinds) await answer(kind, `w${kind}`, opts.warmup, null);
    const results = Object.fromEntries(kinds.map((k) => [k, { rounds: [], all: [], inWorker: [], outcomes: {}, ghl: 0, model: 0 }]));
    for (let round = 0; round < opts.rounds; round++) {
      const order = round % 2 === 0 ? kinds : [...kinds].reverse();
      const line = [];
      for (const kind of order) {
        const times = await answer(kind, `r${round}${kind}`, opts.n, results[kind]);
        const mean = times.reduce((a, b) => a + b, 0) / times.length;
        results[kind].rounds.push(mean);
        line.push(`${kind} ${fmt(mean, 2)} ms`);
      }
      log(`  round ${round + 1}: ${line.join(', ')}`);
    }
    for (const r of Object.values(results)) {
      r.median = median(r.rounds);
      r.ghlPerMessage = r.ghl / r.all.length;
      r.modelPerMessage = r.model / r.all.length;
    }
    return results;
  } catch (error) {
    if (error.message?.includes('timed out')) throw new BenchFailure(`answer phase: a job did not finish within ${perMessageBudgetMs / 1000} s (${error.message})`);
    throw error;
  } finally {
    for (const stop of queues.reverse()) await stop().catch(() => undefined);
    await ctx.close();
  }
}

module.exports = { answerPhase };
