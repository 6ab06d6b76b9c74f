import { HeuristicUnderstander, understandSync } from '../../../services/worker/src/understanding/heuristic';
import {
  UNDERSTANDING_MAX_CHARS,
  capText,
  collapseWhitespace,
  limitForUnderstanding,
  textForUnderstanding,
} from '../../../services/worker/src/understanding/text-limits';
import * as understandingModule from '../../../services/worker/src/understanding/understanding';
import type { UnderstandingContext } from '../../../services/worker/src/understanding/understanding';

/** Thursday 2026-11-26, 09:00 in New York. */
const NOW = new Date('2026-11-26T14:00:00Z');
const ctx = (overrides: Partial<UnderstandingContext> = {}): UnderstandingContext => ({
  now: NOW,
  timeZone: 'America/New_York',
  offeredSlots: [],
  previousLanguage: null,
  ...overrides,
});

describe('collapseWhitespace', () => {
  it.each([
    ['a  b', 'a b'],
    ['a\t\tb', 'a b'],
    ['a\tb', 'a b'],
    ['a \t \u00a0 b', 'a b'],
    ['a\n\n\nb', 'a\nb'],
    ['a  \n \t b', 'a\nb'],
    ['a\r\nb', 'a\nb'],
    ['a\nb c', 'a\nb c'],
    ['', ''],
  ])('%j → %j', (text, collapsed) => {
    expect(collapseWhitespace(text)).toBe(collapsed);
  });

  it('collapses a run of 16,000 spaces to one', () => {
    expect(collapseWhitespace('1' + ' '.repeat(16_000) + 'x')).toBe('1 x');
  });
});

describe('the cap', () => {
  it('is the documented constant, re-exported where the rest of the worker looks for it', () => {
    expect(UNDERSTANDING_MAX_CHARS).toBe(2000);
    expect(understandingModule.UNDERSTANDING_MAX_CHARS).toBe(UNDERSTANDING_MAX_CHARS);
    expect(understandingModule.textForUnderstanding).toBe(textForUnderstanding);
  });

  it('truncates one message to the cap', () => {
    const long = 'word '.repeat(1000);
    const limited = textForUnderstanding([long]);
    expect(limited).toHaveLength(UNDERSTANDING_MAX_CHARS);
    expect(long.startsWith(limited)).toBe(true);
  });

  it('truncates every message, and the merged turn, to the cap', () => {
    const a = 'a'.repeat(5000);
    const b = 'b'.repeat(5000);
    expect(textForUnderstanding([a, b])).toBe('a'.repeat(UNDERSTANDING_MAX_CHARS));
    expect(textForUnderstanding(['hello', b])).toBe(`hello\n${'b'.repeat(UNDERSTANDING_MAX_CHARS - 6)}`);
  });

  it('joins messages with one newline, even when a message ends in whitespace', () => {
    expect(textForUnderstanding(['Hi, I am Ana', 'I need SEO'])).toBe('Hi, I am Ana\nI need SEO');
    expect(textForUnderstanding(['Hi, I am Ana\n\n', '  I need SEO'])).toBe('Hi, I am Ana\nI need SEO');
    expect(textForUnderstanding([])).toBe('');
  });

  it('collapses before it caps, so whitespace does not use up the cap', () => {
    const text = ' '.repeat(15_000) + 'tomorrow at 3pm';
    expect(textForUnderstanding([text])).toBe(' tomorrow at 3pm');
  });

  it('agrees with collapsing the whole text, wherever the whitespace runs are', () => {
    const texts = [
      'x'.repeat(3999) + ' \n ' + 'y'.repeat(100),
      'x'.repeat(3998) + '    ' + 'y'.repeat(100),
      ('ab' + ' '.repeat(37)).repeat(500),
      ('a\n\n' + ' '.repeat(3)).repeat(2000),
      ' '.repeat(7999) + 'z'.repeat(3000),
    ];
    for (const text of texts) expect(limitForUnderstanding(text)).toBe(capText(collapseWhitespace(text)));
  });

  it('never ends in half a surrogate pair', () => {
    const text = 'a'.repeat(UNDERSTANDING_MAX_CHARS - 1) + '😀😀';
    const capped = capText(text);
    expect(capped).toBe('a'.repeat(UNDERSTANDING_MAX_CHARS - 1));
    expect(capText('😀'.repeat(UNDERSTANDING_MAX_CHARS))).toHaveLength(UNDERSTANDING_MAX_CHARS);
  });
});

describe('understandSync applies the cap and the collapse itself', () => {
  it('does not read past the cap', () => {
    const filler = 'We bake bread and cakes for the whole neighbourhood. ';
    const padding = filler.repeat(Math.ceil(UNDERSTANDING_MAX_CHARS / filler.length));
    expect(understandSync(`my budget is $5000. ${padding}`, ctx()).budget).toMatchObject({ amount: 5000 });
    expect(understandSync(`${padding} my budget is $5000`, ctx()).budget).toBeNull();
  });

  it('reads a message padded with whitespace as if it were not', () => {
    // 650 characters of this shape took 18 s in chrono's Spanish parser before
    const padded = 'hola 1' + ' '.repeat(15_000) + 'mañana a las 3';
    expect(understandSync(padded, ctx())).toEqual(understandSync('hola 1 mañana a las 3', ctx()));
  });
});

describe('collapsed text understands the same', () => {
  // Realistic messages, as sent (single spaces); the same message with runs of whitespace in it.
  const messages: Array<[string, Partial<UnderstandingContext>]> = [
    ["Hi, I'm Ana. I need help with SEO, my budget is $2,000 and I'm free next Tuesday morning.", {}],
    ['Hola, me llamo Ana Pérez, necesito ayuda con redes sociales. Presupuesto de 3000 euros. El viernes por la tarde', { timeZone: 'Europe/Madrid' }],
    ['Hi! My name is Ana, email Ana.Perez@Example.com', {}],
    ['I have $2000, Friday at 3pm works', {}],
    ['between 2 and 4pm on Friday', {}],
    ['can we do tomorrow at 10:30am?', {}],
    ['mi presupuesto es de 1000 a 2000', {}],
    ['cancel my appointment', {}],
    ['the second one', { offeredSlots: ['2026-11-27T14:00:00Z', '2026-11-27T16:00:00Z'] }],
    ['3pm works', { offeredSlots: ['2026-11-27T14:00:00Z', '2026-11-27T20:00:00Z'] }],
    ['My site is www.bakery.com, I need SEO', {}],
    ['budget 2000, call me at 555-123-4567', {}],
    ['STOP', {}],
  ];
  const understander = new HeuristicUnderstander();

  it.each(messages)('%j', async (text, overrides) => {
    const before = await understander.understand(text, ctx(overrides));
    // textForUnderstanding leaves a single-spaced message as it is
    expect(textForUnderstanding([text])).toBe(text);
    expect(await understander.understand(textForUnderstanding([text]), ctx(overrides))).toEqual(before);
    // runs of spaces and tabs between the words, blank lines after the sentences: the same understanding
    const spread = `\n ${text.replace(/ /g, ' \t  ').replace(/([.!?]) /g, '$1\n\n\n ')}\t\n`;
    expect(await understander.understand(spread, ctx(overrides))).toEqual(before);
  });
});
