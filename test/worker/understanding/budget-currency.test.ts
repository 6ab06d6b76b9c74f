import { parseBudget, understandSync } from '../../../services/worker/src/understanding/heuristic';
import { findNumberWordPhrases } from '../../../services/worker/src/understanding/heuristic/number-words';
import { inBusinessCurrency, type Budget } from '../../../services/worker/src/understanding/understanding';

const ctx = { now: new Date('2026-11-26T14:00:00Z'), timeZone: 'America/New_York', offeredSlots: [], previousLanguage: null };

describe('amounts in words read like digits', () => {
  it.each<[string, number, string | null, string]>([
    ['dos mil', 2000, null, 'dos mil'],
    ['tres mil quinientos', 3500, null, 'tres mil quinientos'],
    ['mil quinientos', 1500, null, 'mil quinientos'],
    ['cinco mil', 5000, null, 'cinco mil'],
    ['un millón', 1_000_000, null, 'un millón'],
    ['two thousand', 2000, null, 'two thousand'],
    ['two thousand five hundred', 2500, null, 'two thousand five hundred'],
    ['a thousand', 1000, null, 'a thousand'],
    ['1.5k', 1500, null, '1.5k'],
    ['I have 1.5k', 1500, null, '1.5k'],
    ['two grand', 2000, null, 'two grand'],
    ['twenty five hundred dollars', 2500, 'USD', 'twenty five hundred dollars'],
    ['one hundred and fifty dollars', 150, 'USD', 'one hundred and fifty dollars'],
    ['treinta y cinco mil euros', 35_000, 'EUR', 'treinta y cinco mil euros'],
    ['veinticinco mil dólares', 25_000, 'USD', 'veinticinco mil dólares'],
    ['dos millones quinientos mil', 2_500_000, null, 'dos millones quinientos mil'],
    ['quinientos euros', 500, 'EUR', 'quinientos euros'],
    ['budget of five hundred', 500, null, 'five hundred'],
    ['mi presupuesto es de doscientos', 200, null, 'doscientos'],
    ['tengo 2 mil quinientos dólares', 2500, 'USD', '2 mil quinientos dólares'],
    ['2 thousand five hundred', 2500, null, '2 thousand five hundred'],
    ['Presupuesto: dos mil dólares, el viernes a las 4', 2000, 'USD', 'dos mil dólares'],
  ])('%j → %d %s', (text, amount, currency, budgetText) => {
    expect(parseBudget(text)).toEqual({ amount, currency, text: budgetText });
  });

  it.each<[string, number, string | null]>([
    ['entre dos y tres mil dólares', 2000, 'USD'],
    ['two to three thousand dollars', 2000, 'USD'],
    ['de dos a tres mil', 2000, null],
    ['between five hundred and two thousand', 500, null],
    ['1000 to two thousand dollars', 1000, 'USD'],
  ])('a range in words takes the LOWER bound: %j → %d', (text, amount, currency) => {
    expect(parseBudget(text)).toMatchObject({ amount, currency });
  });

  it.each([
    'two thousand followers',
    'dos mil seguidores',
    'we have five hundred employees',
    'I started in two thousand twenty',
    'five hundred',
    'I need one website',
    'the second one',
    'two or three',
    'a las dos',
    'once upon a time',
    'una cita',
    'my budget is two',
  ])('%j is not a budget', (text) => {
    expect(parseBudget(text)).toBeNull();
  });

  it('reads every Spanish hundred', () => {
    const hundreds = ['cien', 'ciento', 'doscientos', 'trescientas', 'cuatrocientos', 'quinientas', 'seiscientos', 'setecientos', 'ochocientas', 'novecientos'];
    expect(hundreds.map((word) => findNumberWordPhrases(word)[0]?.value)).toEqual([100, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('a whole message with the budget in words is understood and confident', () => {
    expect(understandSync('Hola, soy Ana, necesito ayuda con SEO, presupuesto dos mil dólares', ctx)).toMatchObject({
      intent: 'provide_info',
      name: 'Ana',
      goal: 'SEO',
      budget: { amount: 2000, currency: 'USD', text: 'dos mil dólares' },
      confident: true,
    });
  });
});

describe('every recognised currency is kept', () => {
  it.each<[string, string]>([
    ['$2,000', 'USD'],
    ['2000 dollars', 'USD'],
    ['€1.500', 'EUR'],
    ['£800', 'GBP'],
    ['500 libras', 'GBP'],
    ['MX$3000', 'MXN'],
    ['3000 MXN', 'MXN'],
    ['3 mil pesos mexicanos', 'MXN'],
    ['2 millones de pesos colombianos', 'COP'],
    ['500000 COP', 'COP'],
    ['un millón de pesos chilenos', 'CLP'],
    ['dos mil pesos argentinos', 'ARS'],
  ])('%j → %s', (text, currency) => {
    expect(parseBudget(text)).toMatchObject({ currency });
    expect(parseBudget(text)?.ambiguousCurrency).toBeUndefined();
  });

  it.each<[string, number]>([
    ['3 mil pesos', 3000],
    ['5000 pesos', 5000],
    ['un millón de pesos', 1_000_000],
    ['dos mil pesos', 2000],
    ['1 peso', 1],
    // "$" is the peso sign too: the word after the number says which one
    ['$1000 pesos', 1000],
  ])('%j is in pesos: no currency, marked ambiguous', (text, amount) => {
    expect(parseBudget(text)).toMatchObject({ amount, currency: null, ambiguousCurrency: 'peso' });
  });

  it('a budget without a currency word carries no marker', () => {
    expect(parseBudget('budget 2000')).toEqual({ amount: 2000, currency: null, text: '2000' });
  });
});

describe('inBusinessCurrency', () => {
  const budget = (currency: string | null, extra: Partial<Budget> = {}): Budget => ({ amount: 2000, currency, text: '2000', ...extra });

  it('is the amount when the message named no currency', () => {
    expect(inBusinessCurrency(budget(null), 'USD')).toBe(2000);
    expect(inBusinessCurrency(budget(null), 'MXN')).toBe(2000);
  });

  it("is the amount when the currency is the business's", () => {
    expect(inBusinessCurrency(budget('USD'), 'USD')).toBe(2000);
    expect(inBusinessCurrency(budget('eur'), 'EUR')).toBe(2000);
    expect(inBusinessCurrency(budget('MXN'), ' mxn ')).toBe(2000);
  });

  it('is null when the message named another currency', () => {
    expect(inBusinessCurrency(budget('EUR'), 'USD')).toBeNull();
    expect(inBusinessCurrency(budget('USD'), 'MXN')).toBeNull();
  });

  it('is null for pesos, whatever the business currency (which pesos?)', () => {
    for (const business of ['MXN', 'COP', 'USD']) {
      expect(inBusinessCurrency(budget(null, { ambiguousCurrency: 'peso' }), business)).toBeNull();
    }
    const pesos = parseBudget('3 mil pesos');
    expect(pesos).not.toBeNull();
    expect(inBusinessCurrency(pesos as Budget, 'MXN')).toBeNull();
    expect(inBusinessCurrency(parseBudget('3 mil pesos mexicanos') as Budget, 'MXN')).toBe(3000);
  });
});
