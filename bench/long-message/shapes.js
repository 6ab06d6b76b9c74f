'use strict';
/**
 * Text shapes that made understanding slow (measured one by one with growth.js), as a customer could
 * send them through the webhook. Each builder returns about `n` characters. None is spam by the
 * repeated-character rule (that would end understanding before the slow parts), except the ones
 * marked, which are there to show that early exit stays cheap.
 */

const repeat = (unit, n) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

/** name → { build(n), offeredSlots?: boolean (the shape targets slot answers), language?: 'en'|'es' } */
const SHAPES = {
  // chrono-node (Spanish): a digit followed by a long whitespace run
  'digit + spaces': { build: (n) => 'hola 1' + ' '.repeat(Math.max(0, n - 7)) + 'x' },
  'digit + tabs/newlines': { build: (n) => 'hola 1' + repeat('\t \n', n - 7) + 'x' },
  // the heuristic's own blanking of a used span (a link here) made the same run for chrono
  'digit + long link': { build: (n) => 'hola 1 http://x.com/' + repeat('yz', n - 28) + ' gracias' },
  // LINK_RE: a long dotted run without a top-level domain
  'a.a.a…': { build: (n) => repeat('a.', n) },
  'a-a-a…': { build: (n) => repeat('a-', n) },
  // EMAIL_RE: long runs of address characters without '@', and a long dotted domain
  'no @ (address characters)': { build: (n) => repeat('ab.cd-ef+gh%', n) },
  'x@a.a.a…': { build: (n) => 'x@' + repeat('a.', n - 2) },
  'a@a@a…': { build: (n) => repeat('a@', n) },
  // AMOUNT_RE and the budget cues
  'digits': { build: (n) => repeat('1234567890', n) },
  '1,1,1…': { build: (n) => repeat('1,', n) },
  '1.1.1…': { build: (n) => repeat('1.', n) },
  '1 1 1…': { build: (n) => repeat('1 ', n) },
  'budget 1 budget 1…': { build: (n) => repeat('budget 1 ', n) },
  '$1 $1…': { build: (n) => repeat('$1 ', n) },
  // slot answers: index words followed by long whitespace (the masked text keeps such runs)
  'option + spaces': { build: (n) => 'option' + ' '.repeat(Math.max(0, n - 7)) + 'x', offeredSlots: true },
  '# + spaces…': { build: (n) => repeat('#' + ' '.repeat(40), n) + 'x', offeredSlots: true },
  'the first the first…': { build: (n) => repeat('the first ', n), offeredSlots: true },
  // time: many parts of the day (each one was spliced into chrono's text separately)
  'morning morning…': { build: (n) => repeat('morning ', n) },
  // chrono-node (English): chains of durations
  '1 h 1 h…': { build: (n) => repeat('1 h ', n), language: 'en' },
  '1 min 1 min…': { build: (n) => repeat('1 min ', n), language: 'en' },
  // chrono-node: dense date words (what its length cap bounds)
  'mañana mañana…': { build: (n) => repeat('mañana ', n) },
  'lunes 1 de enero…': { build: (n) => repeat('lunes 1 de enero ', n) },
  'tomorrow tomorrow…': { build: (n) => repeat('tomorrow ', n), language: 'en' },
  // names and goals: many prefixes
  'my name is my name is…': { build: (n) => repeat('my name is ', n) },
  'help with help with…': { build: (n) => repeat('help with ', n) },
  // mixed scripts
  'mixed scripts': { build: (n) => repeat('Привет 你好 مرحبا 😀 Ana ', n) },
  'abab…': { build: (n) => repeat('ab', n) },
  // spam by repeated characters: must stay an early exit
  '$$$$ (spam)': { build: (n) => '$'.repeat(n) },
  '@@@@ (spam)': { build: (n) => '@'.repeat(n) },
};

/**
 * A message "built to be slow", `total` characters: a digit and a whitespace run of `leadingRun`
 * (what took chrono-node's Spanish parser minutes), then `each` characters of every shape in turn,
 * again and again. Short pieces, so that the part understanding reads (the first
 * UNDERSTANDING_MAX_CHARS once whitespace is collapsed) still holds every shape.
 */
function slowMessage(total = 16_000, each = 80, leadingRun = 2_000) {
  const parts = ['hola 1' + repeat(' \t \n', leadingRun) + 'x '];
  let length = parts[0].length;
  const names = Object.keys(SHAPES).filter((name) => !name.includes('(spam)'));
  for (let i = 0; length < total; i++) {
    const part = SHAPES[names[i % names.length]].build(each) + ' ';
    parts.push(part);
    length += part.length;
  }
  return parts.join('').slice(0, total);
}

module.exports = { SHAPES, slowMessage, repeat };
