'use strict';
/**
 * bench/long-message: what a long message built to be slow costs understanding, against a normal
 * customer message, in the same process and run. A benchmark, not a test:
 * `npm run bench:long-message [-- --rounds 9 ...]` (builds first; `node bench/long-message/run.js`
 * uses the existing dist/).
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
 * Options (flag, or env):
 *   --rounds R (BENCH_ROUNDS, 7)  --n N (BENCH_N, 200: calls per message per round)
 *   --warmup N (BENCH_WARMUP, 200: untimed calls of each message first)  --shapes (also time each shape alone)
 */
const fs = require('node:fs');
const { join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');
const { SHAPES, slowMessage } = require('./shapes');

const ROOT = resolve(__dirname, '..', '..');
const understandingDist = join(ROOT, 'services', 'worker', 'dist', 'understanding');
const { understandSync } = require(join(understandingDist, 'heuristic.js'));
const { textForUnderstanding, UNDERSTANDING_MAX_CHARS } = require(join(understandingDist, 'text-limits.js'));

const GOAL_RATIO = 2;
const NORMAL = 'Hi, I am Ana. I need help with marketing, budget $2000, tomorrow at 3pm';
const PROSE =
  'We are a family bakery in the old town, open since my grandmother started it, and we sell bread, ' +
  'cakes and coffee to the neighbours and to a few restaurants nearby. Lately fewer people walk in, ' +
  'and I think we should be easier to find online, but I do not know where to start. ';
const CONTEXT = { now: new Date('2026-11-26T14:00:00Z'), timeZone: 'America/New_York', offeredSlots: [], previousLanguage: null };

class BenchFailure extends Error {}

function readOptions(argv) {
  const flags = {};
  const booleans = ['help', 'shapes'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new BenchFailure(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split('=', 2);
    if (booleans.includes(key)) flags[key] = true;
    else if (inline !== undefined) flags[key] = inline;
    else if (i + 1 < argv.length) flags[key] = argv[++i];
    else throw new BenchFailure(`--${key} needs a value`);
  }
  if (flags.help) {
    process.stdout.write(`${fs.readFileSync(__filename, 'utf8').split('*/')[0]}*/\n`);
    process.exit(0);
  }
  for (const key of Object.keys(flags)) if (!['rounds', 'n', 'warmup', ...booleans].includes(key)) throw new BenchFailure(`unknown option --${key} (see --help)`);
  const num = (key, env, dflt, min) => {
    const raw = flags[key] ?? process.env[env];
    const value = raw === undefined || raw === '' ? dflt : Number(raw);
    if (!Number.isFinite(value) || value < min) throw new BenchFailure(`--${key} / ${env} must be a number >= ${min}`);
    return Math.round(value);
  };
  return {
    rounds: num('rounds', 'BENCH_ROUNDS', 7, 1),
    n: num('n', 'BENCH_N', 200, 1),
    warmup: num('warmup', 'BENCH_WARMUP', 200, 0),
    shapes: Boolean(flags.shapes),
  };
}

const log = (line) => process.stdout.write(`${line}\n`);
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
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

function main() {
  const opts = readOptions(process.argv.slice(2));
  const slow = slowMessage(16_000);
  const long = PROSE.repeat(Math.ceil(UNDERSTANDING_MAX_CHARS / PROSE.length)).slice(0, UNDERSTANDING_MAX_CHARS);
  log(`bench:long-message  node ${process.version}, ${opts.rounds} rounds x ${opts.n} calls per message (warm-up ${opts.warmup})`);
  log(`  normal: ${NORMAL.length} characters; long: ${long.length}; slow: ${slow.length}, ${textForUnderstanding([slow]).length} after textForUnderstanding (cap ${UNDERSTANDING_MAX_CHARS})`);

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

  const pass = (ok) => (ok ? 'PASS' : 'MISS');
  log('\nverdicts:');
  log(`  ${pass(ratio <= GOAL_RATIO)}  slow / normal = ${fmt(ratio, 2)}x (goal <= ${GOAL_RATIO}x)`);
  log(`  note  long / normal = ${fmt(results.long.median / normal.median, 2)}x is what 2,000 ordinary characters cost; slow / long = ${fmt(results.slow.median / results.long.median, 2)}x is what the shapes add`);
  if (worst) log(`  ${pass(worst.ratio <= GOAL_RATIO)}  worst shape alone: ${worst.name} = ${fmt(worst.ratio, 2)}x (goal <= ${GOAL_RATIO}x)`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`\nbench:long-message failed: ${error instanceof BenchFailure ? error.message : error.stack}\n`);
  process.exitCode = 1;
}
