/**
 * Budgets. Ranges ("$1000-2000", "between 1k and 2k", "de 1000 a 2000") yield the LOWER bound:
 * conservative on purpose, the minimum-budget business rule must not pass on the optimistic end.
 * A bare number is a budget only with a currency sign/word, a multiplier ("2k", "3 mil") or the
 * word budget/presupuesto/invest nearby; clock times, dates, phone numbers never are.
 */
import type { Budget } from '../understanding';
import { Analysis } from './analysis';
import { markEmailsLinksPhones } from './contact';
import { findNumberWordPhrases } from './number-words';

interface AmountToken {
  start: number;
  end: number;
  /** the number before its multiplier: "2" of "2k", "2.5" of "dos mil quinientos" */
  raw: number;
  multiplier: number;
  currency: string | null;
  /** "pesos": a currency word that names no single currency (see Budget.ambiguousCurrency) */
  ambiguousCurrency: 'peso' | null;
  keywordCue: boolean;
  /** number words with no hundred/thousand/million in them ("two"): only the low end of a range */
  bareWords: boolean;
}

/** Currency words and signs (folded) → ISO-4217, or 'peso' for the one word too many countries use. */
const CURRENCY_CODES: Record<string, string> = {
  '$': 'USD', 'us$': 'USD', usd: 'USD', dollar: 'USD', dollars: 'USD', dolar: 'USD', dolares: 'USD', bucks: 'USD',
  '€': 'EUR', eur: 'EUR', euro: 'EUR', euros: 'EUR',
  '£': 'GBP', gbp: 'GBP', pound: 'GBP', pounds: 'GBP', libra: 'GBP', libras: 'GBP',
  'mx$': 'MXN', mxn: 'MXN', cop: 'COP',
  'pesos mexicanos': 'MXN', 'peso mexicano': 'MXN', 'pesos colombianos': 'COP', 'peso colombiano': 'COP',
  'pesos chilenos': 'CLP', 'peso chileno': 'CLP', 'pesos argentinos': 'ARS', 'peso argentino': 'ARS',
  peso: 'peso', pesos: 'peso',
};
const MULTIPLIERS: Record<string, number> = {
  k: 1000, mil: 1000, thousand: 1000, grand: 1000, million: 1_000_000, millon: 1_000_000, millones: 1_000_000,
};

const CURRENCY_AFTER =
  'us\\$|usd|dollars?|dolares|dolar|bucks|eur|euros?|€|gbp|pounds?|libras?|mxn|pesos? (?:mexicanos?|colombianos?|chilenos?|argentinos?)|pesos?|cop|\\$';
const AMOUNT_RE = new RegExp(
  '(?<pre>(?:us\\$|mx\\$|usd|eur|gbp|mxn|\\$|€|£)\\s?)?' +
    // \d+ is safe on a long run of digits: all that follows is optional, so no match fails back into it
    '(?<num>\\d{1,3}(?:[.,]\\d{3})+(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d+)?)' +
    '(?<mult>\\s?(?:k|mil|thousand|grand|million|millones|millon)(?![\\p{L}\\d]))?' +
    // Spanish puts "de" before the currency after millón ("2 millones de pesos")
    `(?<post>(?:\\sde)?\\s?(?:${CURRENCY_AFTER})(?![\\p{L}\\d]))?`,
  'gu',
);
/** A currency word right after number words; Spanish puts "de" after millón ("un millón de pesos"). */
const CURRENCY_AFTER_WORDS_RE = new RegExp(`(?: de)?\\s?(${CURRENCY_AFTER})(?![\\p{L}\\d])`, 'uy');
/**
 * What a number counts when it is not money: "12 years", "8 people", "3 locations", "200 followers".
 * (Plural and singular; Spanish too.) A number before one of these is never a budget, even as the
 * answer to the budget question.
 */
const COUNT_NOUNS =
  'years?|yrs?|anos?|people|persons?|personas?|employees?|empleados?|staff|workers?|trabajadores?|members?|miembros?|' +
  'days?|dias?|weeks?|semanas?|months?|meses|followers?|seguidores?|locations?|stores?|shops?|branches?|offices?|' +
  'sites?|clients?|customers?|clientes?|products?|productos?|services?|servicios?|sucursales?|tiendas?|locales?|' +
  'sedes?|oficinas?|negocios?|businesses|kids|children|ninos|hijos|times|veces|pages?|paginas?|posts?|videos?|' +
  'reviews?|resenas?|units?|unidades|beds?|rooms?|habitaciones|tables?|mesas|chairs?|sillas|cars?|coches|trucks?|' +
  'likes|views|visits|visitas|leads|users?|usuarios?|guys|chicos|partners?|socios?|dentists?|doctors?|agents?|agentes?';
const NOT_MONEY_AFTER = new RegExp(
  "^\\s?(?:am\\b|pm\\b|a\\.?m\\b|p\\.?m\\b|:\\d|h\\b|hrs?\\b|hours?\\b|horas?\\b|o'?clock|min\\b|mins\\b|minutes?\\b|minutos?\\b|%|st\\b|nd\\b|rd\\b|th\\b|\\/\\d|-\\d{1,2}-|" +
    `(?:(?:full|part)[- ]time |happy |new |different |local |more |mas )?(?:${COUNT_NOUNS})\\b|` +
    'de (?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\\b)',
);
const BUDGET_WORD_RE = /\b(?:budget|budgets|presupuesto|invest|investment|invertir|inversion)\b/g;
const YEAR_CONTEXT_RE = /\b(?:in|en|for|para|year|ano|since|desde|del|until|hasta)\s*$/;
const SENTENCE_BREAK_RE = /[!?;\n]|\.\s/;

function currencyOf(word: string | undefined): Pick<AmountToken, 'currency' | 'ambiguousCurrency'> {
  const code = word ? CURRENCY_CODES[word.trim().replace(/^de\s+/, '').replace(/\s+/g, ' ')] : undefined;
  if (code === 'peso') return { currency: null, ambiguousCurrency: 'peso' };
  return { currency: code ?? null, ambiguousCurrency: null };
}

/** "2,000" → 2000; "1.500" → 1500 (European thousands); "1.5" → 1.5; "2.000,50" → 2000.5. */
function parseNumber(text: string): number {
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const thousands = decimal === '.' ? ',' : '.';
    return Number(text.split(thousands).join('').replace(decimal, '.'));
  }
  const sep = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : null;
  if (!sep) return Number(text);
  const pieces = text.split(sep);
  if (pieces.length > 2 || pieces[1].length === 3) return Number(pieces.join(''));
  return Number(pieces.join('.'));
}

/**
 * Whether a budget word (budget, presupuesto, invest…) is close to [start, end): up to 30 characters
 * before or 20 after, in the same sentence, and not "in 2026"-like. `keywords` are sorted; only the
 * nearest one on each side can qualify (a farther one's gap contains the nearer one's), so a pointer
 * moving forward with the tokens keeps this linear.
 */
class KeywordCues {
  private next = 0;

  constructor(
    private readonly text: string,
    private readonly keywords: ReadonlyArray<{ start: number; end: number }>,
  ) {}

  near(start: number, end: number, amount: number): boolean {
    const ks = this.keywords;
    while (this.next < ks.length && ks[this.next].end <= start) this.next++;
    const before = ks[this.next - 1];
    if (before) {
      const gap = this.text.slice(before.end, start);
      const yearLike = amount >= 1900 && amount <= 2100 && YEAR_CONTEXT_RE.test(gap);
      if (gap.length <= 30 && !SENTENCE_BREAK_RE.test(gap) && !yearLike) return true;
    }
    let i = this.next;
    while (i < ks.length && ks[i].start < end) i++;
    const after = ks[i];
    if (after) {
      const gap = this.text.slice(end, after.start);
      if (gap.length <= 20 && !SENTENCE_BREAK_RE.test(gap)) return true;
    }
    return false;
  }
}

/**
 * Most numbers looked at as possible amounts, digits and words each. The budget is the first one
 * with a cue; one named after this many other numbers is not read, and a text of nothing but
 * numbers stops here instead of examining every one.
 */
const MAX_AMOUNT_CANDIDATES = 48;

/** Amounts written with digits: "$2,000", "2k", "3 mil dólares", "1.500€". */
function findDigitTokens(text: string): AmountToken[] {
  const tokens: AmountToken[] = [];
  let candidates = 0;
  for (const m of text.matchAll(AMOUNT_RE)) {
    if (++candidates > MAX_AMOUNT_CANDIDATES) break;
    const g = m.groups ?? {};
    const numStart = m.index + (g.pre?.length ?? 0);
    const numEnd = numStart + g.num.length;
    const prev = text[numStart - 1] ?? ' ';
    if (!g.pre && /[\p{L}\d:/.,]/u.test(prev)) continue;
    const after = text.slice(numEnd);
    if (!g.mult && !g.post && NOT_MONEY_AFTER.test(after)) continue;
    if (!g.mult && !g.post && /^[\p{L}\d]/u.test(after)) continue;
    const raw = parseNumber(g.num);
    if (!Number.isFinite(raw)) continue;
    tokens.push({
      start: m.index,
      end: m.index + m[0].length,
      raw,
      multiplier: g.mult ? (MULTIPLIERS[g.mult.trim()] ?? 1) : 1,
      // the word after names the currency when both are there: "$1000 pesos" ($ is the peso sign too)
      ...currencyOf(g.post ?? g.pre),
      keywordCue: false,
      bareWords: false,
    });
  }
  return tokens;
}

/**
 * Amounts written in words ("dos mil", "two thousand five hundred"), with a currency word after
 * them. Words right after digits with a multiplier add to them ("2 mil quinientos" = 2500): such a
 * digit token is replaced by the word token. `digitTokens` are in order and do not overlap.
 */
function addWordTokens(text: string, digitTokens: AmountToken[]): AmountToken[] {
  // The words inside digit tokens (the "mil" of "3 mil", "dólares") are not read again.
  const phrases = findNumberWordPhrases(digitTokens.length > 0 ? blankSpans(text, digitTokens) : text);
  if (phrases.length === 0) return digitTokens;
  const words: AmountToken[] = [];
  const replaced = new Set<AmountToken>();
  let next = 0; // the first digit token not ending before the phrase
  for (const phrase of phrases.slice(0, MAX_AMOUNT_CANDIDATES)) {
    while (next < digitTokens.length && digitTokens[next].end <= phrase.start) next++;
    const currency = readAt(CURRENCY_AFTER_WORDS_RE, text, phrase.end);
    const end = phrase.end + (currency?.[0].length ?? 0);
    if (!currency && NOT_MONEY_AFTER.test(text.slice(end))) continue; // "two thousand followers"
    const yearLike = phrase.value >= 1900 && phrase.value <= 2100;
    if (yearLike && YEAR_CONTEXT_RE.test(text.slice(Math.max(0, phrase.start - 12), phrase.start))) continue; // "in two thousand twenty"
    const token: AmountToken = {
      start: phrase.start,
      end,
      raw: phrase.value / phrase.multiplier,
      multiplier: phrase.multiplier,
      ...currencyOf(currency?.[1]),
      keywordCue: false,
      bareWords: phrase.bare,
    };
    const digits = digitTokens[next - 1];
    const adjacent = digits && phrase.start - digits.end <= 1 && /^ ?$/.test(text.slice(digits.end, phrase.start));
    if (adjacent && digits.multiplier > 1 && phrase.multiplier === 1 && !phrase.bare && phrase.value < digits.multiplier && !digits.currency && !digits.ambiguousCurrency) {
      replaced.add(digits);
      token.start = digits.start;
      token.raw = digits.raw + phrase.value / digits.multiplier;
      token.multiplier = digits.multiplier;
    }
    words.push(token);
  }
  return [...digitTokens.filter((t) => !replaced.has(t)), ...words].sort((x, y) => x.start - y.start);
}

/** `text` with the characters of `spans` (in order, not overlapping) replaced by spaces. */
function blankSpans(text: string, spans: ReadonlyArray<{ start: number; end: number }>): string {
  let out = '';
  let from = 0;
  for (const { start, end } of spans) {
    out += text.slice(from, start) + ' '.repeat(end - start);
    from = end;
  }
  return out + text.slice(from);
}

function readAt(sticky: RegExp, text: string, index: number): RegExpExecArray | null {
  sticky.lastIndex = index;
  return sticky.exec(text);
}

function findAmountTokens(a: Analysis): AmountToken[] {
  const text = a.maskedFolded();
  const tokens = addWordTokens(text, findDigitTokens(text));
  const keywords = [...text.matchAll(BUDGET_WORD_RE)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const cues = new KeywordCues(text, keywords);
  for (const t of tokens) t.keywordCue = cues.near(t.start, t.end, t.raw * t.multiplier);
  return tokens;
}

function hasCurrencyWord(a: Analysis, t: AmountToken): boolean {
  if (t.currency || t.ambiguousCurrency) return true;
  const s = a.folded.slice(t.start, t.end);
  return /[$€£]|usd|eur|gbp|mxn|cop|dollar|dolar|bucks|euro|pound|libra|peso/.test(s);
}

const RANGE_JOIN_RE = /^\s*(?:-|–|—|to|a|hasta|or|o)\s*$/;
const RANGE_AND_RE = /^\s*(?:and|y)\s*$/;
const RANGE_LEAD_RE = /\b(?:between|entre)\s*$/;

/** "not 250", "instead of 250", "en vez de 250": the amount a correction takes back. */
const NEGATED_BEFORE_RE = /\b(?:not|no|instead of|rather than|en vez de|en lugar de|y no)\s*(?:\$|€|£)?\s*$/;
/** "at 3", "a las 5", "after 4": a clock time, even when the bot asked for the budget. */
const CLOCK_BEFORE_RE = /\b(?:at|@|by|before|after|until|till|from|a las|las|a la|antes de las?|despues de las?|hasta las?|desde las?|sobre las?)\s*$/;
/** "around 3", "about 11": a time when small, an amount when not. */
const ROUGHLY_BEFORE_RE = /\b(?:around|about|like|approx|approximately|roughly|eso de)\s*$/;
const CLOCK_CORRECTION_AFTER_RE = /^\s*(?:am|pm)?\s*(?:instead of|rather than|not|en vez de|en lugar de|y no)\s+(?:at |a las |las )?\d{1,2}(?![\d.,])/;
/** "a team of 8", "equipo de 5", "we are 4": a head count. */
const COUNT_BEFORE_RE = /\b(?:team|staff|crew|group|equipo|plantilla|grupo) (?:of|de)\s*$|\b(?:we are|we're|somos)\s*$/;
/** "700 a month", "2000 monthly", "500 al mes": the amount is the budget, the period is part of it. */
const PERIOD_AFTER_RE = /^\s?(?:(?:a|per|\/|each|every|al|por|cada|el|por el)\s?(?:month|mo|mes)\b|monthly\b|mensual(?:es)?\b|(?:a|per|al|por)\s?(?:year|ano)\b)/;

export interface BudgetOptions {
  /**
   * The bot asked for the budget (or the customer is correcting it): a bare number is the answer,
   * unless it reads as a clock time ("at 3"), a count ("8 people") or is taken back ("not 250").
   */
  expectBudget?: boolean;
  /** with expectBudget: a bare number under this is not taken ("SEO for 2 sites") */
  minBareAmount?: number;
}

/** A bare number (no sign, word or multiplier) that, as the answer to the budget question, is one. */
function bareAnswer(text: string, t: AmountToken): boolean {
  const before = text.slice(Math.max(0, t.start - 24), t.start);
  const amount = t.raw * t.multiplier;
  if (CLOCK_BEFORE_RE.test(before) || COUNT_BEFORE_RE.test(before)) return false;
  if (ROUGHLY_BEFORE_RE.test(before) && amount <= 12) return false;
  // "make it 3 instead of 2": a clock time being corrected, not an amount
  if (amount <= 24 && CLOCK_CORRECTION_AFTER_RE.test(text.slice(t.end, t.end + 24))) return false;
  if (amount >= 1900 && amount <= 2100 && YEAR_CONTEXT_RE.test(before)) return false;
  return Number.isInteger(amount) || amount >= 10;
}

export function findBudget(a: Analysis, options: BudgetOptions = {}): { budget: Budget; start: number; end: number } | null {
  const tokens = findAmountTokens(a);
  const text = a.maskedFolded();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (NEGATED_BEFORE_RE.test(text.slice(Math.max(0, t.start - 16), t.start))) continue;
    let value = t.raw * t.multiplier;
    let start = t.start;
    let end = t.end;
    let currency = t.currency;
    let ambiguousCurrency = t.ambiguousCurrency;
    let cue = t.keywordCue || t.multiplier > 1 || hasCurrencyWord(a, t) || (options.expectBudget === true && !t.bareWords && bareAnswer(text, t));
    let range = false;
    const next = tokens[i + 1];
    // "two" is an amount only as the low end of "two to three thousand"
    const nextCanEndRange = next && !next.bareWords && (!t.bareWords || next.multiplier > 1);
    if (next && nextCanEndRange) {
      const gap = text.slice(t.end, next.start);
      const lead = text.slice(Math.max(0, t.start - 12), t.start);
      if (RANGE_JOIN_RE.test(gap) || (RANGE_AND_RE.test(gap) && RANGE_LEAD_RE.test(lead))) {
        // A range: the LOWER bound is the budget (conservative, see the header comment).
        range = true;
        let low = value;
        if (next.multiplier > 1 && t.multiplier === 1 && t.raw * next.multiplier <= next.raw * next.multiplier) {
          low = t.raw * next.multiplier; // "1-2k" → 1000
        }
        const high = next.raw * next.multiplier;
        value = Math.min(low, high);
        end = next.end;
        currency = currency ?? next.currency;
        ambiguousCurrency = ambiguousCurrency ?? next.ambiguousCurrency;
        cue = cue || next.keywordCue || next.multiplier > 1 || hasCurrencyWord(a, next);
        const leadMatch = RANGE_LEAD_RE.exec(lead);
        if (leadMatch) start = t.start - (lead.length - leadMatch.index);
        i++;
      }
    }
    if (t.bareWords && !range) continue;
    if (!cue || !(value > 0) || !Number.isFinite(value)) continue;
    // "team of 8, budget is 3000": a head count next to the word budget is still a head count
    const onlyKeyword = !range && t.multiplier === 1 && !hasCurrencyWord(a, t);
    const before = text.slice(Math.max(0, t.start - 24), t.start);
    if (onlyKeyword && COUNT_BEFORE_RE.test(before)) continue;
    // "entre las 10 y las 12 el viernes, presupuesto 2000": a clock time near the word budget is a clock time
    if (onlyKeyword && value <= 24 && (CLOCK_BEFORE_RE.test(before) || /\b(?:y|and) (?:las )?$/.test(before))) continue;
    if (options.minBareAmount !== undefined && onlyKeyword && !t.keywordCue && value < options.minBareAmount) continue;
    const period = PERIOD_AFTER_RE.exec(text.slice(end));
    if (period) end += period[0].length;
    const budgetText = a.original.slice(start, end).trim();
    const budget: Budget = { amount: value, currency, text: budgetText };
    if (currency === null && ambiguousCurrency) budget.ambiguousCurrency = ambiguousCurrency;
    return { budget, start, end };
  }
  return null;
}

/** The budget named in a message, or null. Ranges give their lower bound (see header). */
export function parseBudget(text: string, options: BudgetOptions = {}): Budget | null {
  const a = new Analysis(text);
  markEmailsLinksPhones(a);
  return findBudget(a, options)?.budget ?? null;
}
