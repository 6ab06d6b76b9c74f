'use strict';
/**
 * bench/long-message: what a long message built to be slow costs, against a normal customer message, in
 * the same process and run: first understanding alone, then the whole answer by the real worker. A
 * benchmark, not a test: `npm run bench:long-message [-- --rounds 9 ...]` runs both phases (builds first;
 * `node bench/long-message/run.js` uses the existing dist/); `npm run bench:long-message:answer` only the
 * answer phase (= `--phases answer`). About 15-30 s by default (a watchdog stops it if ever stuck).
 *
 *  normal: "Hi, I am Ana. I need help with marketing, budget $2000, tomorrow at 3pm".
 *  long:   ordinary prose as long as the cap (2,000 characters): what any message that long costs.
 *  slow:   16,000 characters (the most the webhook accepts): a digit and 2,000 characters of spaces, tabs
 *          and newlines (minutes for chrono-node before), then every shape in ./shapes.js in turn,
 *          80 characters of each, so that the 2,000 understanding reads hold all of them: a digit then a
 *          whitespace run, digits with tabs and newlines, a long link, "a.a.a…", long runs of address
 *          characters without '@', "1,1,1…", chains of durations ("1 h 1 h…"), dense date words, many
 *          budget words, mixed scripts…
 *  --shapes: each shape alone at 16,000 characters too; the row with the highest median is reported.
 *  Every message goes through textForUnderstanding, then understandSync (as the job processor will).
 *  R rounds, the messages alternating (the order reverses every round); in each round each message is
 *  understood N times and the mean per call kept; medians over the rounds, ratios to normal.
 *  How each shape's cost grows with its length (before/after a change): bench/long-message/growth.js.
 *
 * Answer phase (./answer.js, whose header says exactly what is timed): normal and slow only, each message
 * from its own contact, queued as the ingest queues it and answered by createWorker in this process
 * (BullMQ, Redis, effect ledger, checkpointer; GHL and OpenAI as the zero-latency loopback doubles of
 * bench/worker/doubles.js). Per message: enqueue -> job.waitUntilFinished (QueueEvents), one message in
 * flight at a time; R rounds of N messages of each kind, the order reversing every round; medians of the
 * round means, the ratio slow / normal and the per-round ratios, PASS/MISS against the 2x goal. A third
 * kind, "hola" ("Hola, quisiera información"), is a short message that takes the slow one's path (the
 * worker asks back, no booking, as few GHL calls): slow / hola is what the length itself adds to an answer.
 * Needs Redis: REDIS_URL, else 127.0.0.1:6379, else a private redis-server it starts and stops; keys under
 * a unique prefix `blm-<random>`, deleted at the end.
 *
 * Options (flag, or env):
 *   --rounds R (BENCH_ROUNDS, 7)  --n N (BENCH_N, 200: calls per message per round)
 *   --warmup N (BENCH_WARMUP, 200: untimed calls of each message first)  --shapes (also time each shape alone)
 *   --phases LIST (BENCH_PHASES, "understanding,answer")
 *   --answer-rounds R (BENCH_ANSWER_ROUNDS, 9)  --answer-n N (BENCH_ANSWER_N, 20: messages of each kind per round)
 *   --answer-warmup N (BENCH_ANSWER_WARMUP, 20: untimed messages of each kind first)  --log-level L (worker logs, to /dev/null; info)
 */
const os = require('node:os');
const { join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');
const { SHAPES, slowMessage } = require('./shapes');
const { answerPhase } = require('./answer');
const { BenchFailure, commitOf, readFlags } = require('../support/worker-harness');

const ROOT = resolve(__dirname, '..', '..');
const understandingDist = join(ROOT, 'services', 'worker', 'dist', 'understanding');
const { understandSync } = require(join(understandingDist, 'heuristic.js'));
const { textForUnderstanding, UNDERSTANDING_MAX_CHARS } = require(join(understandingDist, 'text-limits.js'));

const GOAL_RATIO = 2;
const NORMAL = 'Hi, I am Ana. I need help with marketing, budget $2000, tomorrow at 3pm';
/** Answer phase control: a short message that takes the slow one's path (a question back, no booking). */
const SAME_PATH = 'Hola, quisiera información';
const PROSE =
  'We are a family bakery in the old town, open since my grandmother started it, and we sell bread, ' +
  'cakes and coffee to the neighbours and to a few restaurants nearby. Lately fewer people walk in, ' +
  'and I think we should be easier to find online, but I do not know where to start. ';
const CONTEXT = { now: new Date('2026-11-26T14:00:00Z'), timeZone: 'America/New_York', offeredSlots: [], previousLanguage: null };

function readOptions(argv) {
  const flags = readFlags(argv, {
    booleans: ['shapes'],
    known: ['rounds', 'n', 'warmup', 'phases', 'answer-rounds', 'answer-n', 'answer-warmup', 'log-level'],
    script: __filename,
  });
  const num = (key, env, dflt, min) => {
    const raw = flags[key] ?? process.env[env];
    const value = raw === undefined || raw === '' ? dflt : Number(raw);
    if (!Number.isFinite(value) || value < min) throw new BenchFailure(`--${key} / ${env} must be a number >= ${min}`);
    return Math.round(value);
  };
  const phases = String(flags.phases ?? process.env.BENCH_PHASES ?? 'understanding,answer').split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of phases) if (!['understanding', 'answer'].includes(p)) throw new BenchFailure(`--phases: unknown phase ${p} (understanding, answer)`);
  return {
    phases: new Set(phases),
    answer: {
      rounds: num('answer-rounds', 'BENCH_ANSWER_ROUNDS', 9, 1),
      n: num('answer-n', 'BENCH_ANSWER_N', 20, 1),
      warmup: num('answer-warmup', 'BENCH_ANSWER_WARMUP', 20, 0),
      logLevel: flags['log-level'] ?? process.env.BENCH_LOG_LEVEL ?? 'info',
    },
    rounds: num('rounds', 'BENCH_ROUNDS', 7, 1),
    n: num('n', 'BENCH_N', 200, 1),
    warmup: num('warmup', 'BENCH_WARMUP', 200, 0),
    shapes: Boolean(flags.shapes),
  };
}

const log = (line) => process.stdout.write(`${line}\n`);
const { median } = require('../support/stats');
const fmt = (v, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** Mean ms per call of understanding `raw` (as received) n times. */
function timeCalls(raw, n) {
  let sink = 0;
  const started = performance.now();
  for (let i = 0; i < n; i++) sink += understandSync(textForUnderstanding([raw]), CONTEXT).intent.length;
  const ms = (performance.now() - started) / n;
  if (sink === 0) throw new BenchFailure('understandSync returned nothing');
  return ms;
}

/** Medians over alternating rounds of each message, in ms per call. */
function compare(messages, opts) {
  for (const raw of Object.values(messages)) timeCalls(raw, opts.warmup);
  const perRound = Object.fromEntries(Object.keys(messages).map((k) => [k, []]));
  const names = Object.keys(messages);
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) perRound[name].push(timeCalls(messages[name], opts.n));
  }
  return Object.fromEntries(names.map((k) => [k, { median: median(perRound[k]), rounds: perRound[k] }]));
}

async function main() {
  const opts = readOptions(process.argv.slice(2));
  const slow = slowMessage(16_000);
  const verdicts = [];
  log(`bench:long-message  commit ${commitOf()}, node ${process.version}, ${os.cpus().length} cores`);
  log(`  normal: ${NORMAL.length} characters; slow: ${slow.length}, ${textForUnderstanding([slow]).length} after textForUnderstanding (cap ${UNDERSTANDING_MAX_CHARS})`);
  if (opts.phases.has('understanding')) understandingPhase(opts, slow, verdicts);
  if (opts.phases.has('answer')) await answerReport(opts, slow, verdicts);
  log('\nverdicts:');
  for (const v of verdicts) log(`  ${v}`);
}

const pass = (ok) => (ok ? 'PASS' : 'MISS');

async function answerReport(opts, slow, verdicts) {
  const a = opts.answer;
  log(`\nanswer phase: the real worker, ${a.rounds} rounds x ${a.n} messages of each kind (warm-up ${a.warmup} each), enqueue -> completed, one at a time`);
  const results = await answerPhase({ normal: NORMAL, slow, hola: SAME_PATH }, a, { median, fmt, log });
  const { normal } = results;
  const ratio = results.slow.median / normal.median;
  log('');
  for (const [name, r] of Object.entries(results)) {
    const vsNormal = name === 'normal' ? '' : `  ${fmt(r.median / normal.median, 2)}x normal`;
    log(`  ${name.padEnd(6)}  median ${fmt(r.median, 2)} ms/answer${vsNormal}  (round means ${r.rounds.map((v) => fmt(v, 2)).join(', ')})`);
    log(`          all ${r.all.length} answers: p50 ${fmt(median(r.all), 2)} ms, max ${fmt(Math.max(...r.all), 2)} ms; in the worker (finishedOn - processedOn) p50 ${fmt(median(r.inWorker), 0)} ms; ${fmt(r.ghlPerMessage, 2)} GHL calls, ${fmt(r.modelPerMessage, 2)} model calls a message; outcomes ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  const perRound = results.slow.rounds.map((v, i) => v / normal.rounds[i]);
  log(`  slow / normal per round: ${perRound.map((v) => fmt(v, 2)).join(', ')}`);
  verdicts.push(`${pass(ratio <= GOAL_RATIO)}  answer: slow / normal = ${fmt(ratio, 2)}x (${fmt(results.slow.median, 2)} / ${fmt(normal.median, 2)} ms, medians of ${a.rounds} rounds; per round ${perRound.map((v) => fmt(v, 2)).join(', ')}; goal <= ${GOAL_RATIO}x)`);
  const hola = results.hola;
  const perRoundSame = results.slow.rounds.map((v, i) => v / hola.rounds[i]);
  verdicts.push(`note  answer: slow / hola = ${fmt(results.slow.median / hola.median, 2)}x (per round ${perRoundSame.map((v) => fmt(v, 2)).join(', ')}) against a short message with the same conversation path as the slow one (${fmt(hola.ghlPerMessage, 1)} vs ${fmt(results.slow.ghlPerMessage, 1)} GHL calls): what the 16,000 characters themselves add; the normal message books (${fmt(normal.ghlPerMessage, 1)} GHL calls)`);
}

function understandingPhase(opts, slow, verdicts) {
  const long = PROSE.repeat(Math.ceil(UNDERSTANDING_MAX_CHARS / PROSE.length)).slice(0, UNDERSTANDING_MAX_CHARS);
  log(`\nunderstanding phase: textForUnderstanding + understandSync, ${opts.rounds} rounds x ${opts.n} calls per message (warm-up ${opts.warmup}); long: ${long.length} characters of prose`);

  const results = compare({ normal: NORMAL, long, slow }, opts);
  const { normal } = results;
  const ratio = results.slow.median / normal.median;
  log('');
  for (const [name, r] of Object.entries(results)) {
    const vsNormal = name === 'normal' ? '' : `  ${fmt(r.median / normal.median, 2)}x normal`;
    log(`  ${name.padEnd(6)}  median ${fmt(r.median)} ms/message${vsNormal}  (rounds ${r.rounds.map((v) => fmt(v)).join(', ')})`);
  }

  let worst = null;
  if (opts.shapes) {
    log('\n  each shape alone at 16,000 characters, alternating with the normal message:');
    for (const [name, shape] of Object.entries(SHAPES)) {
      const r = compare({ normal: NORMAL, shape: shape.build(16_000) }, { ...opts, rounds: Math.max(3, Math.ceil(opts.rounds / 2)) });
      const shapeRatio = r.shape.median / r.normal.median;
      log(`    ${name.padEnd(28)} ${fmt(r.shape.median)} ms  ${fmt(shapeRatio, 1)}x normal`);
      if (!worst || shapeRatio > worst.ratio) worst = { name, ratio: shapeRatio, median: r.shape.median };
    }
  }

  const perRound = results.slow.rounds.map((v, i) => v / normal.rounds[i]);
  verdicts.push(`${pass(ratio <= GOAL_RATIO)}  understanding: slow / normal = ${fmt(ratio, 2)}x (per round ${perRound.map((v) => fmt(v, 2)).join(', ')}; goal <= ${GOAL_RATIO}x)`);
  verdicts.push(`note  understanding: long / normal = ${fmt(results.long.median / normal.median, 2)}x is what 2,000 ordinary characters cost; slow / long = ${fmt(results.slow.median / results.long.median, 2)}x is what the shapes add`);
  if (worst) verdicts.push(`${pass(worst.ratio <= GOAL_RATIO)}  understanding: worst shape alone: ${worst.name} = ${fmt(worst.ratio, 2)}x (goal <= ${GOAL_RATIO}x)`);
}

main().catch((error) => {
  process.stderr.write(`\nbench:long-message failed: ${error instanceof BenchFailure ? error.message : error.stack}\n`);
  process.exitCode = 1;
});
