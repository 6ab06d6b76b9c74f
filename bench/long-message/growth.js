'use strict';
/**
 * How the time to understand each adversarial shape (./shapes.js) grows with its length: one call per
 * shape and size, sizes doubling until 16,000 characters or until one call takes longer than
 * --stop-ms (default 1000), so a super-linear shape shows itself without running for minutes.
 *   npm run -s build && node bench/long-message/growth.js [--sizes 250,500,...] [--stop-ms 1000] [--raw]
 * By default the text goes through textForUnderstanding first (as the job processor will do);
 * --raw hands it to understandSync as is (understandSync still applies its own cap).
 */
const { join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');
const { SHAPES } = require('./shapes');

const ROOT = resolve(__dirname, '..', '..');
const understanding = join(ROOT, 'services', 'worker', 'dist', 'understanding');
const { understandSync } = require(join(understanding, 'heuristic.js'));
let textLimits = null;
try {
  textLimits = require(join(understanding, 'text-limits.js'));
} catch {
  // a build from before the text limits existed: measure the raw text
}

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const sizes = option('sizes', '250,500,1000,2000,4000,8000,16000').split(',').map(Number);
const stopMs = Number(option('stop-ms', '1000'));
const raw = process.argv.includes('--raw') || !textLimits;

const NOW = new Date('2026-11-26T14:00:00Z');
const SLOTS = ['2026-11-27T14:00:00Z', '2026-11-27T16:00:00Z', '2026-11-30T20:00:00Z'];
const context = (shape) => ({
  now: NOW,
  timeZone: 'America/New_York',
  offeredSlots: shape.offeredSlots ? SLOTS : [],
  previousLanguage: shape.language ?? 'es',
});

// Warm the parsers up so the first shape does not pay for compilation.
for (let i = 0; i < 50; i++) understandSync('Hola, soy Ana. Presupuesto $2000, mañana a las 3', context({}));

console.log(`input: ${raw ? 'raw text' : 'textForUnderstanding'}; ms per call (one call each)`);
console.log(['shape'.padEnd(28), ...sizes.map((n) => String(n).padStart(9))].join(''));
for (const [name, shape] of Object.entries(SHAPES)) {
  const cells = [];
  for (const n of sizes) {
    const text = shape.build(n);
    const started = performance.now();
    understandSync(raw ? text : textLimits.textForUnderstanding([text]), context(shape));
    const ms = performance.now() - started;
    cells.push(ms.toFixed(ms < 10 ? 2 : 0).padStart(9));
    if (ms > stopMs) break;
  }
  console.log(name.padEnd(28) + cells.join(''));
}
