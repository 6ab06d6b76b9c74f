import {
  HeuristicUnderstander,
  detectLanguage,
  extractEmail,
  extractGoal,
  extractName,
  formatInTimeZone,
  isOptIn,
  isOptOut,
  isSpam,
  parseBudget,
  parseTimePreference,
  timeZoneOffsetMinutes,
  zonedTimeToInstant,
} from '../../../services/worker/src/understanding/heuristic';
import type { Understanding, UnderstandingContext } from '../../../services/worker/src/understanding/understanding';

/** Thursday 2026-11-26: 09:00 in New York (EST, -05:00), 15:00 in Madrid (CET, +01:00). */
const NOW = new Date('2026-11-26T14:00:00Z');
const NY = 'America/New_York';
const MADRID = 'Europe/Madrid';

/** Offered slots (New York): Fri 09:00, Fri 11:00, Mon 15:00. */
const SLOTS = ['2026-11-27T14:00:00Z', '2026-11-27T16:00:00Z', '2026-11-30T20:00:00Z'];

function ctx(overrides: Partial<UnderstandingContext> = {}): UnderstandingContext {
  return { now: NOW, timeZone: NY, offeredSlots: [], previousLanguage: null, ...overrides };
}

const understander = new HeuristicUnderstander();
const understand = (text: string, overrides: Partial<UnderstandingContext> = {}) =>
  understander.understand(text, ctx(overrides));

describe('HeuristicUnderstander: whole messages', () => {
  it('understands a complete English lead message and is confident', async () => {
    const u = await understand("Hi, I'm Ana. I need help with SEO, my budget is $2,000 and I'm free next Tuesday morning.");
    expect(u).toEqual<Understanding>({
      intent: 'provide_info',
      language: 'en',
      name: 'Ana',
      goal: 'SEO',
      budget: { amount: 2000, currency: 'USD', text: '$2,000' },
      email: null,
      preferredTime: {
        from: '2026-12-01T09:00:00-05:00',
        to: '2026-12-01T12:00:00-05:00',
        precision: 'part_of_day',
        text: 'next Tuesday morning',
      },
      slotChoice: null,
      confident: true,
    });
  });

  it('understands a complete Spanish lead message in Madrid and is confident', async () => {
    const u = await understand(
      'Hola, me llamo Ana Pérez, necesito ayuda con redes sociales. Presupuesto de 3000 euros. El viernes por la tarde',
      { timeZone: MADRID },
    );
    expect(u).toEqual<Understanding>({
      intent: 'provide_info',
      language: 'es',
      name: 'Ana Pérez',
      goal: 'social media',
      budget: { amount: 3000, currency: 'EUR', text: '3000 euros' },
      email: null,
      preferredTime: {
        from: '2026-11-27T12:00:00+01:00',
        to: '2026-11-27T17:00:00+01:00',
        precision: 'part_of_day',
        text: 'viernes por la tarde',
      },
      slotChoice: null,
      confident: true,
    });
  });

  it('extracts the email address', async () => {
    const u = await understand('Hi! My name is Ana, email Ana.Perez@Example.com');
    expect(u).toMatchObject({ intent: 'provide_info', name: 'Ana', email: 'ana.perez@example.com', confident: true });
    expect(extractEmail('write to bob@shop.io please')).toBe('bob@shop.io');
    expect(extractEmail('no address here')).toBeNull();
  });

  it.each([
    ['I want to grow my bakery\'s online presence and reach more families in my area', 'other'],
    ['What do you charge?', 'question'],
    ['¿Cuánto cuesta?', 'question'],
    ['how does it work', 'question'],
    ['Soy Dueña de una tienda', 'other'],
  ])('is not confident when it understood too little: %s', async (text, intent) => {
    const u = await understand(text);
    expect(u.intent).toBe(intent);
    expect(u.confident).toBe(false);
  });
});

describe('spam', () => {
  it.each([
    'Click here to win free money http://win.example.com',
    'You won an iPhone! claim it at http://prize.example.com',
    'Congratulations you have been selected',
    'Felicidades, has ganado un premio',
    'Gana dinero gratis aqui http://x.example.net',
    'check this bit.ly/abc123',
    'crypto signals www.moon.example.io',
    'aaaaaaaaaa',
    '!!!!!!!!!!',
    'Hi aaaaaaaaaaaaaaaaaaaaaaaaa',
    '',
    '   \n\t ',
  ])('%j is spam', async (text) => {
    expect(isSpam(text)).toBe(true);
    const u = await understand(text);
    expect(u).toMatchObject({ intent: 'spam', confident: true, name: null, budget: null, preferredTime: null });
  });

  it.each([
    'I run a crypto startup and need marketing',
    'My site is www.bakery.com, I need SEO',
    'Thanks!!',
    'Hellooo',
    'I won an award last year, now I need branding',
  ])('%j is not spam', async (text) => {
    expect(isSpam(text)).toBe(false);
    expect((await understand(text)).intent).not.toBe('spam');
  });
});

describe('opt-out, opt-in and cancel', () => {
  it.each([
    'STOP', 'stop', 'Stop.', ' STOPALL ', 'UNSUBSCRIBE', 'Cancel subscription', 'END', 'quit', 'opt out', 'Opt-out',
    'CANCEL', 'baja', 'Darme de baja', 'No más mensajes', 'no mas mensajes!', 'ALTO', 'parar',
  ])('%j opts out', async (text) => {
    expect(isOptOut(text)).toBe(true);
    expect(await understand(text)).toMatchObject({ intent: 'opt_out', confident: true });
  });

  it.each(['START', 'unstop', 'Alta', 'subscribe'])('%j opts in', async (text) => {
    expect(isOptIn(text)).toBe(true);
    expect(await understand(text)).toMatchObject({ intent: 'opt_in', confident: true });
  });

  it.each([
    ['cancel my appointment', 'en'],
    ['Please cancel my booking', 'en'],
    ['I need to cancel', 'en'],
    ['Quiero cancelar mi cita', 'es'],
  ])('%j is a cancellation, not an opt-out', async (text, language) => {
    expect(isOptOut(text)).toBe(false);
    expect(await understand(text)).toMatchObject({ intent: 'cancel', language, confident: true });
  });

  it.each(['Can you stop by tomorrow?', 'stop by tomorrow at 3pm', 'I want to stop my old ads and start SEO'])(
    'a keyword inside a sentence is not an opt-out: %j',
    async (text) => {
      expect(isOptOut(text)).toBe(false);
      expect((await understand(text)).intent).not.toBe('opt_out');
    },
  );
});

describe('greetings and questions', () => {
  it.each([
    ['hi', 'en'],
    ['Hello!', 'en'],
    ['hola', 'es'],
    ['buenos días', 'es'],
    ['Buenas tardes', 'es'],
    ['Good morning', 'en'],
  ])('%j is a greeting with no time in it', async (text, language) => {
    expect(await understand(text)).toMatchObject({ intent: 'greeting', language, preferredTime: null, confident: true });
  });

  it('a greeting with information is provide_info', async () => {
    expect(await understand('Hola, soy Ana')).toMatchObject({ intent: 'provide_info', name: 'Ana', language: 'es' });
  });
});

describe('names', () => {
  it.each([
    ["I'm Ana", 'Ana'],
    ['I’m Ana, I need SEO', 'Ana'],
    ['I am Ana Pérez', 'Ana Pérez'],
    ['my name is John Doe', 'John Doe'],
    ['my name is john doe', 'John Doe'],
    ['this is Bob from Acme', 'Bob'],
    ['me llamo Ana', 'Ana'],
    ['Me llamo ana', 'Ana'],
    ['soy Ana', 'Ana'],
    ['mi nombre es María José López', 'María José López'],
    ['I am John and I need a website', 'John'],
  ])('%j → %j', (text, name) => {
    expect(extractName(text)).toBe(name);
  });

  it.each([
    "I'm interested in SEO",
    "I'm looking for help",
    'I am Interested',
    'soy de Madrid',
    'Soy Dueña de una tienda',
    'this is great',
    "I'm free on Friday",
    'I am not sure',
  ])('%j has no name', (text) => {
    expect(extractName(text)).toBeNull();
  });
});

describe('goals', () => {
  it.each([
    ['I need marketing help', 'marketing'],
    ['marketing digital', 'marketing'],
    ['Can you do SEO?', 'SEO'],
    ['posicionamiento en google', 'SEO'],
    ['social media management', 'social media'],
    ['redes sociales', 'social media'],
    ['I need a new website', 'web design'],
    ['web design', 'web design'],
    ['Necesito una página web', 'web design'],
    ['Google ads', 'advertising'],
    ['quiero publicidad', 'advertising'],
    ['branding', 'branding'],
    ['diseño de logo', 'branding'],
    ['consulting', 'consulting'],
    ['quiero una consultoría', 'consulting'],
    ['I want coaching', 'coaching'],
    ['content creation', 'content'],
    ['email marketing', 'email marketing'],
    ['We need email marketing and SEO', 'email marketing, SEO'],
    ['I need help with growing my bakery', 'growing my bakery'],
    ['necesito ayuda con mi tienda de ropa', 'mi tienda de ropa'],
    ['I need help with my restaurant marketing', 'marketing'],
  ])('%j → %j', (text, goal) => {
    expect(extractGoal(text)).toBe(goal);
  });

  it.each(["I'm interested in booking a call", 'hello there', 'quiero una cita'])('%j has no goal', (text) => {
    expect(extractGoal(text)).toBeNull();
  });
});

describe('budgets', () => {
  it.each([
    ['$2,000', 2000, 'USD', '$2,000'],
    ['2k', 2000, null, '2k'],
    ['I have 2k', 2000, null, '2k'],
    ['2000 USD', 2000, 'USD', '2000 USD'],
    ['€1.500', 1500, 'EUR', '€1.500'],
    ['1.500€ de presupuesto', 1500, 'EUR', '1.500€'],
    ['2.000,50 €', 2000.5, 'EUR', '2.000,50 €'],
    ['1500 dollars', 1500, 'USD', '1500 dollars'],
    ['budget is 2000', 2000, null, '2000'],
    ['my budget: around 2500', 2500, null, '2500'],
    ['presupuesto de 3000 euros', 3000, 'EUR', '3000 euros'],
    ['tengo 3 mil dólares', 3000, 'USD', '3 mil dólares'],
    ['$1.5k', 1500, 'USD', '$1.5k'],
    ['budget 2000, call me at 555-123-4567', 2000, null, '2000'],
    ['the budget for 2026 is 5000', 5000, null, '5000'],
  ])('%j → %d %s', (text, amount, currency, budgetText) => {
    expect(parseBudget(text)).toEqual({ amount, currency, text: budgetText });
  });

  it.each([
    ['$1000-2000', 1000, 'USD'],
    ['$1,000 - $2,000', 1000, 'USD'],
    ['between 1k and 2k', 1000, null],
    ['1-2k', 1000, null],
    ['from $500 to $1,500', 500, 'USD'],
    ['mi presupuesto es de 1000 a 2000', 1000, null],
    ['entre 1000 y 2000 dólares', 1000, 'USD'],
    ['2000-1000 dollars', 1000, 'USD'],
  ])('a range takes the LOWER bound: %j → %d', (text, amount, currency) => {
    expect(parseBudget(text)).toMatchObject({ amount, currency });
  });

  it.each([
    '3pm',
    'tomorrow at 3pm',
    'at 3',
    '10:30',
    'see you on 12/05',
    'the 3rd',
    'my number is 555-123-4567',
    '+34 612 345 678',
    'I was born in 1990',
    'in 2026',
    'we have 15 employees',
    '2 hours',
    '2',
    'around 1,500',
    '1000 a 2000',
  ])('%j is not a budget', (text) => {
    expect(parseBudget(text)).toBeNull();
  });

  it('does not read a budget as a time', async () => {
    const u = await understand('my budget is $2000');
    expect(u).toMatchObject({ budget: { amount: 2000, currency: 'USD' }, preferredTime: null, confident: true });
  });
});

describe('time zone helpers', () => {
  it('formats with the zone offset, across DST', () => {
    expect(formatInTimeZone(new Date('2026-12-01T20:00:00Z'), NY)).toBe('2026-12-01T15:00:00-05:00');
    expect(formatInTimeZone(new Date('2026-07-01T19:00:00Z'), NY)).toBe('2026-07-01T15:00:00-04:00');
    expect(formatInTimeZone(new Date('2026-07-01T13:00:00Z'), MADRID)).toBe('2026-07-01T15:00:00+02:00');
    expect(formatInTimeZone(new Date('2026-12-01T14:00:00Z'), MADRID)).toBe('2026-12-01T15:00:00+01:00');
    expect(formatInTimeZone(new Date('2026-12-01T14:00:00Z'), 'UTC')).toBe('2026-12-01T14:00:00+00:00');
    expect(timeZoneOffsetMinutes(new Date('2026-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });

  it('converts wall-clock times to instants, including DST gaps and overlaps', () => {
    expect(zonedTimeToInstant(2026, 12, 1, 15, 0, NY).toISOString()).toBe('2026-12-01T20:00:00.000Z');
    expect(zonedTimeToInstant(2026, 7, 1, 15, 0, MADRID).toISOString()).toBe('2026-07-01T13:00:00.000Z');
    // 02:30 does not exist on 2026-03-08 in New York: the later reading (03:30 EDT)
    expect(zonedTimeToInstant(2026, 3, 8, 2, 30, NY).toISOString()).toBe('2026-03-08T07:30:00.000Z');
    // 01:30 happens twice on 2026-11-01 in New York: the earlier one (EDT)
    expect(zonedTimeToInstant(2026, 11, 1, 1, 30, NY).toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('preferred time', () => {
  type Row = [string, string, string, string, string];
  it.each<Row>([
    // [text, zone, from, to, precision]
    ['tomorrow at 3pm', NY, '2026-11-27T15:00:00-05:00', '2026-11-27T16:00:00-05:00', 'exact'],
    ['tomorrow at 3pm', MADRID, '2026-11-27T15:00:00+01:00', '2026-11-27T16:00:00+01:00', 'exact'],
    ['next Tuesday morning', NY, '2026-12-01T09:00:00-05:00', '2026-12-01T12:00:00-05:00', 'part_of_day'],
    ['next Tuesday morning', MADRID, '2026-12-01T09:00:00+01:00', '2026-12-01T12:00:00+01:00', 'part_of_day'],
    ['Friday afternoon', NY, '2026-11-27T12:00:00-05:00', '2026-11-27T17:00:00-05:00', 'part_of_day'],
    ['tomorrow evening', MADRID, '2026-11-27T17:00:00+01:00', '2026-11-27T20:00:00+01:00', 'part_of_day'],
    ['Friday', NY, '2026-11-27T00:00:00-05:00', '2026-11-28T00:00:00-05:00', 'day'],
    ['Friday', MADRID, '2026-11-27T00:00:00+01:00', '2026-11-28T00:00:00+01:00', 'day'],
    ['3pm', NY, '2026-11-26T15:00:00-05:00', '2026-11-26T16:00:00-05:00', 'exact'],
    ['at 8am', NY, '2026-11-27T08:00:00-05:00', '2026-11-27T09:00:00-05:00', 'exact'], // 08:00 already passed today
    ['Dec 3 at 2:30pm', NY, '2026-12-03T14:30:00-05:00', '2026-12-03T15:30:00-05:00', 'exact'],
    ['between 2 and 4pm on Friday', NY, '2026-11-27T14:00:00-05:00', '2026-11-27T16:00:00-05:00', 'range'],
    ['next week', NY, '2026-11-30T00:00:00-05:00', '2026-12-07T00:00:00-05:00', 'day'],
    ['this afternoon', MADRID, '2026-11-26T12:00:00+01:00', '2026-11-26T17:00:00+01:00', 'part_of_day'],
    // Spanish
    ['mañana a las 3', NY, '2026-11-27T15:00:00-05:00', '2026-11-27T16:00:00-05:00', 'exact'],
    ['mañana a las 3', MADRID, '2026-11-27T15:00:00+01:00', '2026-11-27T16:00:00+01:00', 'exact'],
    ['el viernes por la tarde', MADRID, '2026-11-27T12:00:00+01:00', '2026-11-27T17:00:00+01:00', 'part_of_day'],
    ['mañana por la mañana', MADRID, '2026-11-27T09:00:00+01:00', '2026-11-27T12:00:00+01:00', 'part_of_day'],
    ['el martes por la noche', MADRID, '2026-12-01T17:00:00+01:00', '2026-12-01T20:00:00+01:00', 'part_of_day'],
    ['a las 5 de la tarde', NY, '2026-11-26T17:00:00-05:00', '2026-11-26T18:00:00-05:00', 'exact'],
    ['a las 10', MADRID, '2026-11-27T10:00:00+01:00', '2026-11-27T11:00:00+01:00', 'exact'], // 10:00 passed in Madrid
    ['esta noche', MADRID, '2026-11-26T17:00:00+01:00', '2026-11-26T20:00:00+01:00', 'part_of_day'],
    ['el lunes', MADRID, '2026-11-30T00:00:00+01:00', '2026-12-01T00:00:00+01:00', 'day'],
    ['la semana que viene', MADRID, '2026-11-30T00:00:00+01:00', '2026-12-07T00:00:00+01:00', 'day'],
  ])('%j in %s → [%s, %s) %s', async (text, timeZone, from, to, precision) => {
    const u = await understand(text, { timeZone });
    expect(u.preferredTime).toMatchObject({ from, to, precision });
    expect(u.intent).toBe('provide_info');
    expect(u.budget).toBeNull();
  });

  it.each<[string, string, string, string, string, string]>([
    // DST ends 2026-11-01 in New York and 2026-10-25 in Madrid: the offset of the answer is the one on that date.
    ['Monday at 3pm', NY, '2026-10-30T14:00:00Z', '2026-11-02T15:00:00-05:00', '2026-11-02T16:00:00-05:00', 'exact'],
    ['Sunday', NY, '2026-10-30T14:00:00Z', '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00', 'day'],
    ['el lunes a las 10', MADRID, '2026-10-23T08:00:00Z', '2026-10-26T10:00:00+01:00', '2026-10-26T11:00:00+01:00', 'exact'],
    ['el domingo', MADRID, '2026-10-23T08:00:00Z', '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', 'day'],
    ['tomorrow morning', NY, '2026-03-07T15:00:00Z', '2026-03-08T09:00:00-04:00', '2026-03-08T12:00:00-04:00', 'part_of_day'],
  ])('across DST: %j in %s at %s', async (text, timeZone, now, from, to, precision) => {
    const u = await understand(text, { timeZone, now: new Date(now) });
    expect(u.preferredTime).toMatchObject({ from, to, precision });
  });

  it('keeps the words it read the time from', async () => {
    expect((await understand('can we do tomorrow at 10:30am?')).preferredTime).toMatchObject({
      text: 'tomorrow at 10:30am',
      precision: 'exact',
    });
  });

  it('reads a budget and a time side by side without confusing them', async () => {
    const u = await understand('I have $2000, Friday at 3pm works');
    expect(u.budget).toMatchObject({ amount: 2000, currency: 'USD' });
    expect(u.preferredTime).toMatchObject({ from: '2026-11-27T15:00:00-05:00', precision: 'exact' });
  });

  it.each(['I sat down with my team', 'I may need SEO', 'hello', '2000 dollars'])('%j has no time', (text) => {
    expect(parseTimePreference(text, { now: NOW, timeZone: NY })).toBeNull();
  });
});

describe('slot answers', () => {
  it.each<[string, number]>([
    ['the second one', 1],
    ['2', 1],
    ['option 3', 2],
    ['#1', 0],
    ['the last one', 2],
    ['la primera', 0],
    ['la segunda opción', 1],
    ['3pm works', 2],
    ['11am please', 1],
    ['Monday works', 2],
    ['el lunes', 2],
    ['the afternoon one', 2],
  ])('%j picks slot %d', async (text, index) => {
    const u = await understand(text, { offeredSlots: SLOTS });
    expect(u).toMatchObject({ intent: 'choose_slot', slotChoice: index, confident: true, preferredTime: null });
  });

  it.each(['yes', 'ok', 'perfect', 'sí', 'sounds good', 'vale, perfecto'])(
    '%j with several slots offered is a confirmation without a choice',
    async (text) => {
      expect(await understand(text, { offeredSlots: SLOTS })).toMatchObject({
        intent: 'confirm',
        slotChoice: null,
        confident: true,
      });
    },
  );

  it.each(['yes', 'ok', 'perfect', 'sí', 'Yes please!'])('%j with exactly one slot offered picks it', async (text) => {
    expect(await understand(text, { offeredSlots: [SLOTS[0]] })).toMatchObject({
      intent: 'choose_slot',
      slotChoice: 0,
      confident: true,
    });
  });

  it.each(['none', 'ninguna', 'no', 'None of those work for me', 'neither', 'no me sirve ninguna'])(
    '%j declines',
    async (text) => {
      expect(await understand(text, { offeredSlots: SLOTS })).toMatchObject({ intent: 'decline', slotChoice: null });
    },
  );

  it('an index outside the offered slots is not a choice', async () => {
    const u = await understand('5', { offeredSlots: SLOTS });
    expect(u.slotChoice).toBeNull();
    expect(u.intent).not.toBe('choose_slot');
  });

  it('a day matching two offered slots is a preference, not a choice', async () => {
    const u = await understand('Friday', { offeredSlots: SLOTS });
    expect(u).toMatchObject({ intent: 'provide_info', slotChoice: null, preferredTime: { precision: 'day' } });
  });

  it('a time matching no offered slot is a new preference', async () => {
    const u = await understand('10am', { offeredSlots: SLOTS });
    expect(u).toMatchObject({ intent: 'provide_info', slotChoice: null, preferredTime: { from: '2026-11-26T10:00:00-05:00' } });
  });

  it('matches by local hour in the business zone', async () => {
    // 15:00 Madrid = 14:00Z; the same instant is 09:00 in New York
    const offeredSlots = ['2026-11-27T09:00:00Z', '2026-11-27T14:00:00Z'];
    expect(await understand('3pm works', { offeredSlots, timeZone: MADRID })).toMatchObject({ slotChoice: 1 });
    expect(await understand('a las 10', { offeredSlots, timeZone: MADRID })).toMatchObject({ slotChoice: 0 });
  });

  it('numbers and ordinals are not choices when nothing was offered', async () => {
    expect(await understand('2')).toMatchObject({ slotChoice: null, intent: 'other', confident: false });
    expect(await understand('the second one')).toMatchObject({ slotChoice: null });
    expect(await understand('yes')).toMatchObject({ intent: 'confirm', slotChoice: null });
  });
});

describe('language', () => {
  it.each<[string, 'en' | 'es' | null, 'en' | 'es']>([
    ['Hola, necesito ayuda', null, 'es'],
    ['Hi, I need help', 'es', 'en'],
    ['¿Tienen cita mañana?', null, 'es'],
    ['gracias', null, 'es'],
    ['ok', 'es', 'es'],
    ['2', 'es', 'es'],
    ['ok', null, 'en'],
    ['👍', 'es', 'es'],
    ['Ana', 'en', 'en'],
  ])('%j (previous %s) → %s', async (text, previousLanguage, language) => {
    expect(detectLanguage(text, previousLanguage)).toBe(language);
    expect((await understand(text, { previousLanguage })).language).toBe(language);
  });
});
