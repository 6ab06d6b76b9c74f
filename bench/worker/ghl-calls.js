'use strict';
/**
 * bench/worker's GHL-call phases (run.js wires them in; `--phases calls,burst`):
 *
 *  "calls": GHL calls per message, counted by the doubles, in-process worker, zero latency, budget lifted.
 *    Each kind of conversation runs on its own (its waves of turns one after another, a fresh cache), then
 *    the mixed traffic run: a third of the conversations one-turn bookings, a third three-turn bookings, a
 *    third refusals (budget too low) and spam, every wave's messages queued together.
 *  "burst": 200 first-turn bookings for one location queued at once, GHL_RATE_LIMIT_PER_10S at its default
 *    (100), the worker at its default concurrency: the time from queueing to the last answer against the
 *    floor the budget sets (GHL calls made / 10 per second).
 */
const { performance } = require('node:perf_hooks');
const { Queue } = require('bullmq');
const { join, resolve } = require('node:path');
const shared = require(join(resolve(__dirname, '..', '..'), 'shared', 'dist'));
const { referencePayload, REFERENCE_BODY } = require('./common');
const { BenchFailure, benchRedis, configFor, enqueue, startInProcessWorker, tally } = require('../support/worker-harness');

/** Conversations, turn by turn. The heuristic is sure of every one of these (no model call). */
const CONVERSATIONS = {
  'one-turn booking': [REFERENCE_BODY],
  'three-turn booking': ['Hi there', 'I need help with marketing', 'My budget is $2000'],
  refusal: ['I need help with marketing, my budget is $50'],
  spam: ['Congratulations, you won a free iPhone! Click here to claim your prize'],
};

/** One turn's job for conversation i of `tag`: same contact every turn, a message id of its own. */
function turnJob(tag, i, turn, body) {
  const payload = referencePayload(tag, i, body);
  payload.message.id = `msg_${tag}_${i}_t${turn}`;
  const normalised = shared.normaliseWebhook(payload, { acceptedChannels: ['whatsapp'] });
  if (normalised.outcome !== 'event') throw new BenchFailure('reference payload not accepted');
  return shared.toJobData(normalised, { runId: `run_${tag}_${i}_t${turn}`, requestId: `req_${tag}_${i}_t${turn}` });
}

const ghlCallsOf = (stats) => Object.entries(stats).reduce((sum, [k, v]) => sum + (k === 'openai' ? 0 : v), 0);

/** A worker in this process on its own prefix, with a way to queue jobs and wait for them. */
async function session(ctx, tag, concurrency, extra = {}) {
  const prefix = `${ctx.prefix}-${tag}`;
  const config = configFor(ctx, prefix, concurrency, extra);
  const producer = benchRedis(ctx.redisUrl);
  const queue = new Queue(shared.INBOUND_QUEUE, { connection: producer, prefix });
  const { worker, close } = await startInProcessWorker(ctx, config);
  const results = new Map();
  let failures = 0;
  worker.on('completed', (job, result) => results.set(job.id, { result, finishedOn: job.finishedOn ?? Date.now() }));
  let lastError = null;
  worker.on('failed', (_job, error) => {
    failures++;
    lastError = error.message;
  });
  const waitFor = async (ids, deadlineMs) => {
    const deadline = Date.now() + deadlineMs;
    while (!ids.every((id) => results.has(id))) {
      if (Date.now() > deadline) throw new BenchFailure(`${tag}: ${ids.filter((id) => results.has(id)).length}/${ids.length} answered before the deadline (${failures} failed attempts, last: ${lastError})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return ids.map((id) => results.get(id));
  };
  const run = async (jobs, deadlineMs = 120_000) => {
    await enqueue(queue, config, jobs);
    return waitFor(
      jobs.map((j) => j.runId),
      deadlineMs,
    );
  };
  return {
    config,
    run,
    failures: () => failures,
    close: async () => {
      await close();
      await queue.close();
      producer.disconnect();
    },
  };
}

/** Runs `count` conversations of each kind given, turn wave after turn wave; GHL calls counted per wave. */
async function conversations(ctx, s, tag, kinds) {
  const waves = Math.max(...kinds.map(([, , turns]) => turns.length));
  const perTurn = [];
  const outcomes = {};
  let messages = 0;
  for (let turn = 0; turn < waves; turn++) {
    const jobs = [];
    for (const [kind, count, turns] of kinds) {
      if (turn >= turns.length) continue;
      for (let i = 0; i < count; i++) jobs.push(turnJob(`${tag}${kind.replace(/[^a-z]/g, '')}`, i, turn + 1, turns[turn]));
    }
    await ctx.doubles.reset();
    const done = await s.run(jobs);
    const stats = await ctx.doubles.stats();
    perTurn.push({ messages: jobs.length, calls: ghlCallsOf(stats), stats });
    messages += jobs.length;
    for (const { result } of done) tally(outcomes, result.final_state, result.booking_id);
  }
  const calls = perTurn.reduce((n, t) => n + t.calls, 0);
  return { perTurn, messages, calls, perMessage: calls / messages, outcomes };
}

async function callsPhase(ctx, { log, fmt, n = 60 }) {
  await ctx.doubles.configure({ ghlMs: 0, modelMs: 0 });
  log(`\nGHL calls per message: in-process worker, zero latency, budget lifted, ${n} conversations of each kind (counted by the doubles)`);
  const out = { kinds: {}, mixed: null };
  for (const [kind, turns] of Object.entries(CONVERSATIONS)) {
    const s = await session(ctx, `calls-${kind.replace(/[^a-z]/g, '')}`, 20);
    try {
      const res = await conversations(ctx, s, 'k', [[kind, n, turns]]);
      out.kinds[kind] = res;
      const turnsText = res.perTurn.map((t, i) => `turn ${i + 1} ${fmt(t.calls / t.messages, 2)} (${Object.entries(t.stats).filter(([k]) => k !== 'openai').map(([k, v]) => `${k} ${fmt(v / t.messages, 2)}`).join(', ')})`).join('; ');
      log(`  ${kind}: ${fmt(res.perMessage, 2)} calls a message; ${turnsText}; outcomes ${JSON.stringify(res.outcomes)}`);
    } finally {
      await s.close();
    }
  }
  // Mixed traffic: a third each of one-turn bookings, three-turn bookings, refusals and spam (half and half).
  const third = Math.max(2, Math.round(n / 2));
  const s = await session(ctx, 'calls-mixed', 20);
  try {
    const mix = [
      ['one-turn booking', third, CONVERSATIONS['one-turn booking']],
      ['three-turn booking', third, CONVERSATIONS['three-turn booking']],
      ['refusal', Math.ceil(third / 2), CONVERSATIONS.refusal],
      ['spam', Math.floor(third / 2), CONVERSATIONS.spam],
    ];
    out.mixed = await conversations(ctx, s, 'm', mix);
    // The baseline: what the same conversations cost when each kind ran on its own (above), so mixing them costs nothing extra.
    out.mixed.alone = mix.reduce((sum, [kind, count]) => sum + (count * out.kinds[kind].calls) / n, 0) / out.mixed.messages;
    log(`  mixed (${third} conversations a third, ${out.mixed.messages} messages): ${fmt(out.mixed.perMessage, 2)} calls a message (${out.mixed.calls} calls; each kind on its own: ${fmt(out.mixed.alone, 2)}); outcomes ${JSON.stringify(out.mixed.outcomes)}`);
  } finally {
    await s.close();
  }
  return out;
}

/** 200 one-turn bookings for one location at once, the budget and the concurrency at their defaults. */
async function burstPhase(ctx, { log, fmt, n = 200 }) {
  await ctx.doubles.configure({ ghlMs: 0, modelMs: 0 });
  const s = await session(ctx, 'burst', undefined, { GHL_RATE_LIMIT_PER_10S: '', WORKER_CONCURRENCY: '' }); // '' = unset: the default
  log(`\nBurst: ${n} first-turn bookings for one location queued at once; GHL_RATE_LIMIT_PER_10S ${s.config.GHL_RATE_LIMIT_PER_10S}, WORKER_CONCURRENCY ${s.config.WORKER_CONCURRENCY}, zero latency`);
  try {
    const jobs = [];
    for (let i = 0; i < n; i++) jobs.push(turnJob('burst', i, 1, REFERENCE_BODY));
    await ctx.doubles.reset();
    const t0 = Date.now();
    const started = performance.now();
    const done = await s.run(jobs, 900_000);
    const seconds = (performance.now() - started) / 1000;
    const lastAnswer = (Math.max(...done.map((d) => d.finishedOn)) - t0) / 1000;
    const calls = ghlCallsOf(await ctx.doubles.stats());
    const perSecond = s.config.GHL_RATE_LIMIT_PER_10S / 10;
    const floor = calls / perSecond;
    const outcomes = {};
    for (const { result } of done) tally(outcomes, result.final_state, result.booking_id);
    const res = { n, seconds: Math.max(seconds, lastAnswer), calls, floor, ratio: Math.max(seconds, lastAnswer) / floor, failures: s.failures(), outcomes };
    log(`  all ${n} answered in ${fmt(res.seconds)} s; ${calls} GHL calls (${fmt(calls / n, 2)} a message); floor ${calls} / ${perSecond} per s = ${fmt(floor)} s; ratio ${fmt(res.ratio, 2)}x; ${res.failures} failed attempts; outcomes ${JSON.stringify(outcomes)}`);
    return res;
  } finally {
    await s.close();
  }
}

module.exports = { callsPhase, burstPhase, CONVERSATIONS };
