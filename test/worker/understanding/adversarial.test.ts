import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { understandSync } from '../../../services/worker/src/understanding/heuristic';
import { LINK_RE, findEmails } from '../../../services/worker/src/understanding/heuristic/contact';
import { UNDERSTANDING_MAX_CHARS, textForUnderstanding } from '../../../services/worker/src/understanding/text-limits';
import type { UnderstandingContext } from '../../../services/worker/src/understanding/understanding';

const NOW = new Date('2026-11-26T14:00:00Z');
const SLOTS = ['2026-11-27T14:00:00Z', '2026-11-27T16:00:00Z', '2026-11-30T20:00:00Z'];
const CAP = UNDERSTANDING_MAX_CHARS;
/** The longest body the webhook accepts. */
const WEBHOOK_MAX_CHARS = 16_000;

const fill = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

/** Pieces that made some regex or chrono-node super-linear, or that an attacker would try next. */
const UNITS = [
  '1', ' ', '\t', '\n', '1 ', '1' + ' '.repeat(40), '1\t \n', 'a.', 'a-', 'ab', 'ab.cd-ef+gh%', 'x@', '@', 'a@', '$', '$1 ',
  '1,', '1.', '1-', '1/1 ', '1:1 ', '#', '# ', 'option ', 'the first ', 'budget 1 ', 'my name is ', 'help with ', 'morning ',
  '1 h ', '1 min ', 'an hour ', 'mañana ', 'lunes 1 de enero ', 'tomorrow ', 'at 1 ', "'", 'http://x.com/', 'www.', '.com',
  'Привет ', '你好', 'مرحبا ', '😀', '👍🏽', '\u200d', 'dos mil ', 'two thousand ', 'entre 1 y ', 'STOP ',
];

/** Each unit repeated to exactly the cap: the shapes one by one. */
const SHAPES_AT_CAP = UNITS.map((unit) => fill(unit, CAP));

const shapeAtCap = fc.constantFrom(...SHAPES_AT_CAP);
/** Random mixtures of the units, each repeated a random number of times, cut or padded to the cap. */
const mixtureAtCap = fc
  .array(fc.tuple(fc.constantFrom(...UNITS), fc.integer({ min: 1, max: 300 })), { minLength: 1, maxLength: 30 })
  .map((pieces) => fill(pieces.map(([unit, times]) => unit.repeat(times)).join(''), CAP));
/** Arbitrary UTF-16 (lone surrogates included) at the cap. */
const randomAtCap = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }).map((s) => fill(s, CAP));
const context = fc.record({
  now: fc.constant(NOW),
  timeZone: fc.constantFrom('America/New_York', 'Europe/Madrid'),
  offeredSlots: fc.constantFrom([], SLOTS),
  previousLanguage: fc.constantFrom(null, 'en' as const, 'es' as const),
});

const NORMAL_MESSAGES = [
  'Hi, I am Ana. I need help with marketing, budget $2000, tomorrow at 3pm',
  'Hola, me llamo Ana Pérez, necesito ayuda con redes sociales. Presupuesto de 3000 euros. El viernes por la tarde',
  'the second one',
  'cancel my appointment',
];
const NORMAL_CONTEXT: UnderstandingContext = { now: NOW, timeZone: 'America/New_York', offeredSlots: SLOTS, previousLanguage: null };

function timeMs(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

describe('adversarial text at the cap finishes in bounded time', () => {
  let boundMs = 0;

  beforeAll(() => {
    // Warm up first (untimed): V8 compiles a regex natively after its first runs, and chrono-node
    // builds some of its patterns on first use (~100 ms once per process).
    for (const text of [...NORMAL_MESSAGES, ...SHAPES_AT_CAP]) {
      for (const previousLanguage of ['en', 'es'] as const) understandSync(text, { ...NORMAL_CONTEXT, previousLanguage });
    }
    const normal: number[] = [];
    for (let i = 0; i < 50; i++) for (const text of NORMAL_MESSAGES) normal.push(timeMs(() => understandSync(textForUnderstanding([text]), NORMAL_CONTEXT)));
    // The one timed assertion the issue asks for. Generous on purpose: 100x the median of a normal
    // message measured here, on this machine, in this run (~0.1 ms, so ~10 ms), and never under
    // 250 ms, so that a loaded CI machine, a GC pause or a JIT hiccup cannot make it flake. Before
    // the fix, 650 characters took 18 s, and 2,000 would have taken minutes: the bound still tells.
    boundMs = Math.max(250, 100 * median(normal));
  });

  it('each shape, through textForUnderstanding', () => {
    const slow = UNITS.map((unit, i) => ({ unit, ms: timeMs(() => understandSync(textForUnderstanding([SHAPES_AT_CAP[i]]), NORMAL_CONTEXT)) }));
    expect(slow.filter(({ ms }) => ms >= boundMs)).toEqual([]);
  });

  it('each shape at the webhook maximum, handed to understandSync directly (it caps by itself)', () => {
    const slow = UNITS.map((unit) => ({ unit, ms: timeMs(() => understandSync(fill(unit, WEBHOOK_MAX_CHARS), NORMAL_CONTEXT)) }));
    expect(slow.filter(({ ms }) => ms >= boundMs)).toEqual([]);
  });

  it('random mixtures and arbitrary strings, in any context', () => {
    fc.assert(
      fc.property(fc.oneof(shapeAtCap, mixtureAtCap, randomAtCap), context, (text, ctx) => {
        const ms = timeMs(() => understandSync(textForUnderstanding([text]), ctx));
        return ms < boundMs;
      }),
      { numRuns: 150 },
    );
  });
});

describe('the linear rewrites match what the regexes they replaced matched', () => {
  // The originals, kept here as the reference: quadratic on long runs, fine on short strings.
  const ORIGINAL_EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
  const ORIGINAL_LINK_RE =
    /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|ly|xyz|info|biz|top|click|link|me|co|gd|gl|site|online|ru|cn|tk|win|bet)\b(?:\/\S*)?/g;
  const matches = (re: RegExp, text: string) => [...text.matchAll(re)].map((m) => ({ at: m.index, text: m[0] }));

  it('emails: the same matches on any short string of address characters', () => {
    const piece = fc.constantFrom(...'aZ9._%+-@ .,:/é'.split(''), 'com', '.co', '@x.io', 'ana', 'ana@', '..', '@@');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }).map((p) => p.join('')), (text) => {
        const found = findEmails(text).map(({ start, end }) => ({ at: start, text: text.slice(start, end) }));
        expect(found).toEqual(matches(ORIGINAL_EMAIL_RE, text));
      }),
      { numRuns: 3000 },
    );
  });

  it('links: the same matches on text made of words, domains and punctuation', () => {
    const word = fc.stringMatching(/^[a-z0-9]{1,6}(?:-[a-z0-9]{1,4})?$/);
    const tld = fc.constantFrom('com', 'co', 'io', 'mx', 'es', 'net', 'org', 'me');
    const token = fc.oneof(
      word,
      fc.tuple(word, tld).map(([w, t]) => `${w}.${t}`),
      fc.tuple(word, word, tld).map(([a, b, t]) => `${a}.${b}.${t}`),
      fc.constantFrom('www.', 'http://', 'https://'),
    );
    const separator = fc.constantFrom(' ', '. ', ', ', '.', '...', '!', '(', ')', ':', '/', '"', '\n', '@');
    const text = fc.array(fc.tuple(token, separator), { maxLength: 8 }).map((parts) => parts.map(([t, s]) => t + s).join(''));
    const linkRe = new RegExp(LINK_RE.source, 'g');
    fc.assert(
      fc.property(text, (t) => {
        expect(matches(linkRe, t)).toEqual(matches(ORIGINAL_LINK_RE, t));
      }),
      { numRuns: 3000 },
    );
  });

  it('links: a dotted run of any length is read once, not once per dot', () => {
    expect(LINK_RE.test(fill('a.', 2000) + 'com')).toBe(true);
    expect(LINK_RE.test(fill('a.', 2000))).toBe(false);
    const text = 'see x..bakery.com or ...shop.co, my-shop.com.mx';
    expect(matches(new RegExp(LINK_RE.source, 'g'), text)).toEqual(matches(ORIGINAL_LINK_RE, text));
    expect(matches(new RegExp(LINK_RE.source, 'g'), text).map((m) => m.text)).toEqual(['bakery.com', 'shop.co', 'my-shop.com']);
  });
});
