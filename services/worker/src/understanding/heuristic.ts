/**
 * Deterministic, offline understanding of one WhatsApp message (English or Spanish).
 *
 * Every extractor works on a "folded" copy of the text (lower case, accents stripped, curly
 * apostrophes straightened) that has exactly the same length as the original, so a match in the
 * folded text can be cut out of the original by index. Each extractor marks the characters it
 * used; whatever meaningful words are left unmarked at the end decide `confident`.
 *
 * Documented rules (tests pin each one):
 *  - Budget ranges ("$1000-2000", "between 1k and 2k", "de 1000 a 2000") yield the LOWER bound.
 *    Conservative on purpose: the minimum-budget business rule must not pass on the optimistic end.
 *  - A bare number is a budget only with a currency sign/word, a multiplier ("2k", "3 mil") or the
 *    word budget/presupuesto/invest nearby; clock times, dates, phone numbers never are.
 *  - "$" means USD, "€" EUR, "£" GBP; "pesos" stays currency null (too many countries use it).
 *  - Time windows, in the business time zone, `to` exclusive:
 *      exact       "tomorrow at 3pm"  → [15:00, 16:00)  (one hour from the named time; an explicit
 *                                        range "between 2 and 4pm" gives [14:00, 16:00))
 *      part_of_day morning [09:00, 12:00), afternoon [12:00, 17:00), evening [17:00, 20:00)
 *      day         "Friday"           → [00:00, next day 00:00) (business hours are applied elsewhere)
 *    "next week" / "la semana que viene" is a day-precision window Monday 00:00 → the Monday after.
 *    An hour 1-7 without am/pm ("a las 3", "at 3") is read as the afternoon (15:00): nobody books
 *    a 3 a.m. appointment. A time without a day is today if still ahead, otherwise tomorrow.
 *  - Slot answers only apply when slots were offered. "yes"/"ok"/"sí" picks slot 0 when exactly
 *    one slot was offered; with several it is intent 'confirm' with slotChoice null.
 *  - Bare "CANCEL" is a carrier-standard opt-out keyword (like STOP); "cancel my appointment"
 *    is intent 'cancel'.
 *  - Spam by repeated characters: a run of 8+ identical non-digit characters that makes up at
 *    least half the message, or any run of 20+.
 */
import * as chrono from 'chrono-node';
import { formatInTimeZone, localParts, timeZoneOffsetMinutes, zonedTimeToInstant } from '@wab/shared';
import type {
  Budget,
  Intent,
  Language,
  TimePrecision,
  TimePreference,
  Understander,
  Understanding,
  UnderstandingContext,
} from './understanding';

// ---------------------------------------------------------------------------------------------
// Text folding and the span bookkeeping
// ---------------------------------------------------------------------------------------------

function foldChar(ch: string): string {
  if (ch === '\u2019' || ch === '\u2018' || ch === '`' || ch === '\u00b4') return "'";
  const stripped = ch.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
  if (stripped.length === 1) return stripped;
  const lower = ch.toLowerCase();
  return lower.length === 1 ? lower : ch;
}

/** Lower case, accents stripped, apostrophes straightened; same length as the input. */
export function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += foldChar(text[i]);
  return out;
}

/** The message plus which characters an extractor has already accounted for. */
class Analysis {
  readonly folded: string;
  private readonly used: Uint8Array;

  constructor(readonly original: string) {
    this.folded = fold(original);
    this.used = new Uint8Array(original.length);
  }

  mark(start: number, end: number): void {
    for (let i = Math.max(0, start); i < Math.min(end, this.used.length); i++) this.used[i] = 1;
  }

  isFree(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.used[i]) return false;
    return true;
  }

  isUsed(index: number): boolean {
    return this.used[index] === 1;
  }

  /** The original text with used characters blanked out (same length). */
  masked(): string {
    let out = '';
    for (let i = 0; i < this.original.length; i++) out += this.used[i] ? ' ' : this.original[i];
    return out;
  }

  maskedFolded(): string {
    let out = '';
    for (let i = 0; i < this.folded.length; i++) out += this.used[i] ? ' ' : this.folded[i];
    return out;
  }

  /** Words (folded) not yet accounted for. */
  leftoverWords(): string[] {
    const words: string[] = [];
    for (const m of this.maskedFolded().matchAll(/[\p{L}\p{N}][\p{L}\p{N}']*/gu)) words.push(m[0]);
    return words;
  }
}

function words(folded: string): string[] {
  return folded.match(/[\p{L}\p{N}][\p{L}\p{N}']*/gu) ?? [];
}

/** Folded, punctuation removed, whitespace collapsed: for whole-message keyword comparisons. */
function compact(text: string): string {
  return fold(text)
    .replace(/[^\p{L}\p{N}\s']+/gu, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Spam, opt-out / opt-in
// ---------------------------------------------------------------------------------------------

const LINK_RE =
  /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|ly|xyz|info|biz|top|click|link|me|co|gd|gl|site|online|ru|cn|tk|win|bet)\b(?:\/\S*)?/i;
const SHORTENER_RE = /\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rb\.gy|shorturl\.at|tiny\.cc|rebrand\.ly)\b/i;
const PROMO_RE =
  /\b(?:click here|click (?:the|this) link|click now|win|wins|winner|won|free money|free gift|free iphone|crypto\w*|bitcoin|btc|forex|casino|lottery|jackpot|prize|claim (?:your|now)|earn \$?\d+|make money|double your money|limited offer|act now|haz clic|da clic|dale clic|gana|ganaste|ganador|premio|dinero gratis|sorteo|criptomoneda\w*|oferta limitada)\b/i;
const PRIZE_RE =
  /\b(?:you(?:'ve| have)? won|you are (?:a |the )?winner|congratulations,? you|congrats,? you|has ganado|usted ha ganado|ganaste|felicidades,? (?:has|usted|ha|eres))\b/i;

/** True for empty bodies, promotional links, "you won…" messages and runs of one repeated character. */
export function isSpam(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '') return true;
  const folded = fold(trimmed);
  if (SHORTENER_RE.test(folded)) return true;
  if (PRIZE_RE.test(folded)) return true;
  if (LINK_RE.test(folded) && PROMO_RE.test(folded)) return true;
  const nonSpace = trimmed.replace(/\s+/g, '').length;
  for (const m of trimmed.matchAll(/([^\s\d])\1{7,}/gu)) {
    if (m[0].length >= 20 || m[0].length * 2 >= nonSpace) return true;
  }
  return false;
}

const OPT_OUT = new Set([
  'stop', 'stopall', 'stop all', 'unsubscribe', 'cancel', 'cancel subscription', 'cancel my subscription',
  'end', 'quit', 'opt out', 'optout', 'opt me out', 'remove me', 'remove me from this list', 'stop messaging me',
  'stop texting me', 'no more messages', 'revoke', 'stop please', 'please stop',
  'baja', 'darme de baja', 'dar de baja', 'dame de baja', 'de baja', 'quiero darme de baja', 'no mas mensajes',
  'alto', 'parar', 'para', 'detener', 'basta', 'cancelar suscripcion', 'cancelar', 'desuscribir',
  'desuscribirme', 'no me escriban mas', 'no me escribas mas',
]);
const OPT_IN = new Set([
  'start', 'unstop', 'subscribe', 'resubscribe', 'opt in', 'optin', 'yes subscribe',
  'alta', 'darme de alta', 'dar de alta', 'dame de alta', 'suscribir', 'suscribirme', 'reanudar',
]);

/** Whole message (trimmed, case-insensitive, punctuation ignored) is an opt-out keyword. */
export function isOptOut(text: string): boolean {
  return OPT_OUT.has(compact(text));
}

/** Whole message is an opt-in keyword (START, UNSTOP, alta, subscribe…). */
export function isOptIn(text: string): boolean {
  return OPT_IN.has(compact(text));
}

// ---------------------------------------------------------------------------------------------
// Language
// ---------------------------------------------------------------------------------------------

const ES_MARKERS = new Set([
  'hola', 'buenos', 'buenas', 'dias', 'tardes', 'noches', 'necesito', 'quiero', 'presupuesto', 'manana', 'gracias',
  'cita', 'por', 'favor', 'para', 'tengo', 'mi', 'llamo', 'soy', 'nombre', 'ayuda', 'con', 'el', 'la', 'los', 'las',
  'que', 'cuanto', 'cuando', 'como', 'donde', 'si', 'una', 'es', 'esta', 'estoy', 'de', 'del', 'y', 'pero', 'semana',
  'lunes', 'martes', 'miercoles', 'jueves', 'viernes', 'sabado', 'domingo', 'tarde', 'noche', 'primera', 'primero',
  'segunda', 'segundo', 'tercera', 'tercero', 'ninguna', 'ninguno', 'vale', 'perfecto', 'claro', 'redes', 'sociales',
  'pagina', 'publicidad', 'euros', 'dolares', 'baja', 'alta', 'puedo', 'podemos', 'quisiera', 'gustaria', 'busco',
  'negocio', 'empresa', 'correo', 'hoy', 'proximo', 'proxima', 'opcion', 'seria', 'bien', 'tambien', 'tienen',
  'precio', 'cuesta', 'le', 'lo', 'me', 'interesa', 'ahora', 'aqui', 'listo', 'genial', 'dale', 'mejor', 'hora',
  'horas', 'sera', 'nada', 'cancelar', 'anular', 'entre', 'mas', 'menos', 'algo', 'sobre', 'al',
]);
const EN_MARKERS = new Set([
  'hi', 'hello', 'hey', 'i', "i'm", 'im', 'need', 'want', 'my', 'name', 'is', 'the', 'and', 'budget', 'tomorrow',
  'morning', 'afternoon', 'evening', 'please', 'thanks', 'thank', 'you', 'help', 'with', 'for', 'to', 'of', 'what',
  'how', 'when', 'can', 'would', 'like', 'appointment', 'yes', 'works', 'one', 'next', 'monday', 'tuesday',
  'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'option', 'first', 'second', 'third', 'none', 'this',
  'that', 'am', 'are', 'looking', 'interested', 'in', 'on', 'at', 'today', 'week', 'good', 'great', 'perfect', 'sure',
  'yeah', 'dollars', 'price', 'cost', 'do', 'does', 'it', 'we', 'our', 'your', 'have', 'be', 'about', 'work',
  'business', 'company', 'cancel', 'neither', 'sounds', 'book', 'call', 'free', 'available', 'time', 'or', 'just',
]);

/**
 * 'es' when Spanish markers (words, ¿ ¡ ñ and accented vowels) outweigh English ones, 'en' when
 * English ones do; too short or a tie → previous language, else 'en'.
 */
export function detectLanguage(text: string, previous: Language | null = null): Language {
  const folded = fold(text);
  let es = 0;
  let en = 0;
  for (const w of words(folded)) {
    if (ES_MARKERS.has(w)) es++;
    if (EN_MARKERS.has(w)) en++;
  }
  if (/[¿¡ñÑ]/.test(text)) es += 2;
  if (/[áéíóúÁÉÍÓÚ]/.test(text)) es += 1;
  if (es > en) return 'es';
  if (en > es) return 'en';
  return previous ?? 'en';
}

// ---------------------------------------------------------------------------------------------
// Time zone arithmetic (Intl only, DST-correct)
// ---------------------------------------------------------------------------------------------

// Time-zone arithmetic is shared with the GHL client and the sandbox; re-exported for this module's users.
export { formatInTimeZone, localParts, timeZoneOffsetMinutes, zonedTimeToInstant } from '@wab/shared';

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function weekdayOf(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

function sameDate(a: CalendarDate, b: CalendarDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

// ---------------------------------------------------------------------------------------------
// Email, phone numbers
// ---------------------------------------------------------------------------------------------

const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** First email address in the text (lower-cased), or null. */
export function extractEmail(text: string): string | null {
  const m = text.match(EMAIL_RE);
  return m ? m[0].toLowerCase() : null;
}

const PHONE_RES = [/\+\d[\d\s().-]{6,}\d/g, /\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g];

function markEmailsLinksPhones(a: Analysis): string | null {
  let email: string | null = null;
  for (const m of a.original.matchAll(EMAIL_RE)) {
    email ??= m[0].toLowerCase();
    a.mark(m.index, m.index + m[0].length);
  }
  for (const m of a.folded.matchAll(new RegExp(LINK_RE.source, 'gi'))) a.mark(m.index, m.index + m[0].length);
  for (const re of PHONE_RES) {
    for (const m of a.folded.matchAll(re)) {
      const before = a.folded.slice(Math.max(0, m.index - 2), m.index);
      if (/[$€£]\s?$/.test(before)) continue;
      a.mark(m.index, m.index + m[0].length);
    }
  }
  return email;
}

// ---------------------------------------------------------------------------------------------
// Budget
// ---------------------------------------------------------------------------------------------

interface AmountToken {
  start: number;
  end: number;
  raw: number;
  multiplier: number;
  currency: string | null;
  keywordCue: boolean;
}

const CURRENCY_CODES: Record<string, string | null> = {
  '$': 'USD', 'us$': 'USD', usd: 'USD', dollar: 'USD', dollars: 'USD', dolar: 'USD', dolares: 'USD', bucks: 'USD',
  '€': 'EUR', eur: 'EUR', euro: 'EUR', euros: 'EUR',
  '£': 'GBP', gbp: 'GBP', pound: 'GBP', pounds: 'GBP', libra: 'GBP', libras: 'GBP',
  'mx$': 'MXN', mxn: 'MXN', cop: 'COP', peso: null, pesos: null,
};
const MULTIPLIERS: Record<string, number> = {
  k: 1000, mil: 1000, thousand: 1000, grand: 1000, million: 1_000_000, millon: 1_000_000, millones: 1_000_000,
};

const AMOUNT_RE =
  /(?<pre>(?:us\$|mx\$|usd|eur|gbp|mxn|\$|€|£)\s?)?(?<num>\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?)(?<mult>\s?(?:k|mil|thousand|grand|million|millones|millon)(?![\p{L}\d]))?(?<post>\s?(?:us\$|usd|dollars?|dolares|dolar|bucks|eur|euros?|€|gbp|pounds?|libras?|mxn|pesos?|cop|\$)(?![\p{L}\d]))?/gu;
const NOT_MONEY_AFTER =
  /^\s?(?:am\b|pm\b|a\.?m\b|p\.?m\b|:\d|h\b|hrs?\b|hours?\b|horas?\b|o'?clock|min\b|mins\b|minutes?\b|minutos?\b|%|st\b|nd\b|rd\b|th\b|\/\d|-\d{1,2}-|years?\b|anos?\b|people\b|personas\b|employees\b|empleados\b|days?\b|dias?\b|weeks?\b|semanas?\b|months?\b|meses\b|followers\b|seguidores\b|de (?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\b)/;
const BUDGET_WORD_RE = /\b(?:budget|budgets|presupuesto|invest|investment|invertir|inversion)\b/g;
const YEAR_CONTEXT_RE = /\b(?:in|en|for|para|year|ano|since|desde|del|until|hasta)\s*$/;

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

function findAmountTokens(a: Analysis): AmountToken[] {
  const text = a.maskedFolded();
  const keywordSpans = [...text.matchAll(BUDGET_WORD_RE)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const tokens: AmountToken[] = [];
  for (const m of text.matchAll(AMOUNT_RE)) {
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
    const currencyWord = (g.pre ?? g.post ?? '').trim();
    const currency = currencyWord ? (CURRENCY_CODES[currencyWord] ?? null) : null;
    const start = m.index;
    const end = m.index + m[0].length;
    const keywordCue = keywordSpans.some((k) => {
      if (k.end <= start) {
        const gap = text.slice(k.end, start);
        return gap.length <= 30 && !/[!?;\n]|\.\s/.test(gap) && !(raw >= 1900 && raw <= 2100 && YEAR_CONTEXT_RE.test(gap));
      }
      if (k.start >= end) {
        const gap = text.slice(end, k.start);
        return gap.length <= 20 && !/[!?;\n]|\.\s/.test(gap);
      }
      return false;
    });
    tokens.push({
      start,
      end,
      raw,
      multiplier: g.mult ? (MULTIPLIERS[g.mult.trim()] ?? 1) : 1,
      currency,
      keywordCue,
    });
  }
  return tokens;
}

function hasCurrencyWord(a: Analysis, t: AmountToken): boolean {
  const s = a.folded.slice(t.start, t.end);
  return /[$€£]|usd|eur|gbp|mxn|cop|dollar|dolar|bucks|euro|pound|libra|peso/.test(s);
}

const RANGE_JOIN_RE = /^\s*(?:-|–|—|to|a|hasta|or|o)\s*$/;
const RANGE_AND_RE = /^\s*(?:and|y)\s*$/;
const RANGE_LEAD_RE = /\b(?:between|entre)\s*$/;

function findBudget(a: Analysis): { budget: Budget; start: number; end: number } | null {
  const tokens = findAmountTokens(a);
  const text = a.maskedFolded();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    let value = t.raw * t.multiplier;
    let start = t.start;
    let end = t.end;
    let currency = t.currency;
    let cue = t.keywordCue || t.multiplier > 1 || hasCurrencyWord(a, t);
    const next = tokens[i + 1];
    if (next) {
      const gap = text.slice(t.end, next.start);
      const lead = text.slice(Math.max(0, t.start - 12), t.start);
      if (RANGE_JOIN_RE.test(gap) || (RANGE_AND_RE.test(gap) && RANGE_LEAD_RE.test(lead))) {
        // A range: the LOWER bound is the budget (conservative, see the header comment).
        let low = value;
        if (next.multiplier > 1 && t.multiplier === 1 && t.raw * next.multiplier <= next.raw * next.multiplier) {
          low = t.raw * next.multiplier; // "1-2k" → 1000
        }
        const high = next.raw * next.multiplier;
        value = Math.min(low, high);
        end = next.end;
        currency = currency ?? next.currency;
        cue = cue || next.keywordCue || next.multiplier > 1 || hasCurrencyWord(a, next);
        const leadMatch = RANGE_LEAD_RE.exec(lead);
        if (leadMatch) start = t.start - (lead.length - leadMatch.index);
        i++;
      }
    }
    if (!cue || !(value > 0) || !Number.isFinite(value)) continue;
    const budgetText = a.original.slice(start, end).trim();
    return { budget: { amount: value, currency, text: budgetText }, start, end };
  }
  return null;
}

/** The budget named in a message, or null. Ranges give their lower bound (see header). */
export function parseBudget(text: string): Budget | null {
  const a = new Analysis(text);
  markEmailsLinksPhones(a);
  return findBudget(a)?.budget ?? null;
}

// ---------------------------------------------------------------------------------------------
// Time preference
// ---------------------------------------------------------------------------------------------

type PartOfDay = 'morning' | 'afternoon' | 'evening';

/** Local hours [start, end) of each part of the day. */
export const PART_OF_DAY_HOURS: Readonly<Record<PartOfDay, readonly [number, number]>> = {
  morning: [9, 12],
  afternoon: [12, 17],
  evening: [17, 20],
};

/** Length of an 'exact' window: one hour from the named time. */
export const EXACT_WINDOW_MINUTES = 60;

const PART_RES: Array<{ re: RegExp; part: PartOfDay }> = [
  { re: /\b(?:(?:por|en|de|a) la|esta|la) manana\b/g, part: 'morning' },
  { re: /\b(?:(?:por|en|de|a) la|esta) tarde\b/g, part: 'afternoon' },
  { re: /\b(?:(?:por|en|de|a) la|esta) noche\b/g, part: 'evening' },
  { re: /\b(?:(?:this|in the) )?mornings?\b/g, part: 'morning' },
  { re: /\b(?:(?:this|in the) )?afternoons?\b|\bmidday\b|\bmediodia\b/g, part: 'afternoon' },
  { re: /\b(?:(?:this|in the) )?evenings?\b|\btonight\b|\b(?:at )?night\b|\bafter work\b/g, part: 'evening' },
];
const NEXT_WEEK_RE = /\bnext week\b|\b(?:la )?(?:proxima|siguiente) semana\b|\b(?:la )?semana (?:que viene|proxima|siguiente)\b/g;
const NEXT_WORD_RE = /\b(?:next|proximo|proxima|que viene|siguiente)\b/;
const WEEKDAY_ABBREVIATION_RE = /^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)$/;

interface TimeHit {
  preference: TimePreference;
  /** local calendar date of the window start */
  date: CalendarDate;
  /** the day was named (weekday, date, tomorrow…) rather than inferred */
  dayKnown: boolean;
  hour: number | null;
  minute: number | null;
  minuteKnown: boolean;
  part: PartOfDay | null;
}

function parseWithChrono(text: string, language: Language, reference: chrono.ParsingReference): chrono.ParsedResult[] {
  const option = { forwardDate: true };
  const primary = language === 'es' ? chrono.es : chrono.en;
  const secondary = language === 'es' ? chrono.en : chrono.es;
  const useful = (results: chrono.ParsedResult[]) =>
    results.filter((r) => {
      const s = r.start;
      const certain = (['day', 'weekday', 'month', 'hour'] as const).some((c) => s.isCertain(c));
      if (!certain && !r.tags().has('result/relativeDate')) return false;
      if (WEEKDAY_ABBREVIATION_RE.test(r.text.trim())) return false; // "sat", "sun" in prose
      if (s.isCertain('month') && !s.isCertain('day') && !s.isCertain('weekday')) return false; // "March", "May"
      return true;
    });
  const first = useful(primary.parse(text, reference, option));
  return first.length > 0 ? first : useful(secondary.parse(text, reference, option));
}

function windowOf(
  date: CalendarDate,
  fromHour: number,
  fromMinute: number,
  toDate: CalendarDate,
  toHour: number,
  toMinute: number,
  timeZone: string,
): { from: Date; to: Date } {
  return {
    from: zonedTimeToInstant(date.year, date.month, date.day, fromHour, fromMinute, timeZone),
    to: zonedTimeToInstant(toDate.year, toDate.month, toDate.day, toHour, toMinute, timeZone),
  };
}

function findTime(a: Analysis, context: UnderstandingContext, language: Language): TimeHit | null {
  const { now, timeZone } = context;
  const today = localParts(now, timeZone);
  const todayDate: CalendarDate = { year: today.year, month: today.month, day: today.day };
  const spans: Array<[number, number]> = [];

  // Part of the day, found by us (chrono's Spanish "mañana" = tomorrow collides with "por la mañana").
  let part: PartOfDay | null = null;
  const folded = a.maskedFolded();
  for (const { re, part: p } of PART_RES) {
    for (const m of folded.matchAll(re)) {
      part ??= p;
      spans.push([m.index, m.index + m[0].length]);
    }
  }
  let nextWeek = false;
  for (const m of folded.matchAll(NEXT_WEEK_RE)) {
    nextWeek = true;
    spans.push([m.index, m.index + m[0].length]);
  }

  // What chrono sees: the masked text with our own spans blanked.
  let chronoText = a.masked();
  for (const [s, e] of spans) chronoText = chronoText.slice(0, s) + ' '.repeat(e - s) + chronoText.slice(e);
  const reference = { instant: now, timezone: timeZoneOffsetMinutes(now, timeZone) };
  const results = parseWithChrono(chronoText, language, reference);

  let main = results[0] ?? null;
  let timeOnly: chrono.ParsedResult | null = null;
  if (main) {
    spans.push([main.index, main.index + main.text.length]);
    if (!main.start.isCertain('hour')) {
      timeOnly = results.slice(1).find((r) => r.start.isCertain('hour')) ?? null;
      if (timeOnly) spans.push([timeOnly.index, timeOnly.index + timeOnly.text.length]);
    }
  }
  if (!main && !part && !nextWeek) return null;

  let date = todayDate;
  let dayKnown = false;
  let hour: number | null = null;
  let minute: number | null = null;
  let minuteKnown = false;
  let endHour: number | null = null;
  let endMinute = 0;
  let relativeInstant: Date | null = null;

  if (main) {
    const s = main.start;
    if (main.tags().has('result/relativeDateAndTime')) {
      relativeInstant = s.date();
    }
    dayKnown = s.isCertain('day') || s.isCertain('weekday') || main.tags().has('result/relativeDate');
    if (!dayKnown && main.tags().has('casualReference/tonight')) dayKnown = true;
    if (dayKnown) {
      date = { year: s.get('year') ?? today.year, month: s.get('month') ?? today.month, day: s.get('day') ?? today.day };
    }
    const timeSource = s.isCertain('hour') ? s : timeOnly?.start.isCertain('hour') ? timeOnly.start : null;
    if (timeSource) {
      hour = timeSource.get('hour') ?? 0;
      minute = timeSource.get('minute') ?? 0;
      minuteKnown = timeSource.isCertain('minute');
      if (!timeSource.isCertain('meridiem')) {
        if (part === 'afternoon' || part === 'evening') {
          if (hour < 12) hour += 12;
        } else if (part !== 'morning' && hour >= 1 && hour <= 7) {
          hour += 12; // "a las 3" / "at 3" → 15:00, see header
        }
      }
      if (main.end?.isCertain('hour')) {
        endHour = main.end.get('hour');
        endMinute = main.end.get('minute') ?? 0;
      }
    }
    // A weekday chrono pushed a full week ahead although today's window is still open
    // ("Tuesday morning" said on Tuesday at 8:00) → today, unless the text said "next".
    if (s.isCertain('weekday') && !s.isCertain('day') && !NEXT_WORD_RE.test(fold(main.text))) {
      const weekAhead = addDays(todayDate, 7);
      if (sameDate(date, weekAhead)) {
        const endToday = hour !== null ? { h: hour, m: minute ?? 0 } : part ? { h: PART_OF_DAY_HOURS[part][1], m: 0 } : { h: 24, m: 0 };
        const end = zonedTimeToInstant(todayDate.year, todayDate.month, todayDate.day, endToday.h, endToday.m, timeZone);
        if (end.getTime() > now.getTime()) date = todayDate;
      }
    }
  }

  // "between 2 and 4pm" / "de 2 a 4 de la tarde": chrono only sees the end of the range.
  if (main && hour !== null && endHour === null) {
    const before = fold(chronoText.slice(Math.max(0, main.index - 40), main.index));
    const r = /\b(?:between|from|entre|de|desde)\s+(?:las\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*(?:and|to|-|–|y|a|hasta)\s*(?:las\s+)?$/.exec(before);
    if (r) {
      let startHour = Number(r[1]);
      const startMinute = r[2] ? Number(r[2]) : 0;
      if (r[3] === 'pm' && startHour < 12) startHour += 12;
      if (!r[3] && hour >= 12 && startHour + 12 <= hour) startHour += 12;
      if (startHour < 24 && startHour * 60 + startMinute < hour * 60 + (minute ?? 0)) {
        endHour = hour;
        endMinute = minute ?? 0;
        hour = startHour;
        minute = startMinute;
        spans.push([main.index - (before.length - r.index), main.index]);
      }
    }
  }

  let from: Date;
  let to: Date;
  let precision: TimePrecision;
  if (relativeInstant) {
    precision = 'exact';
    from = relativeInstant;
    to = new Date(from.getTime() + EXACT_WINDOW_MINUTES * 60000);
    const p = localParts(from, timeZone);
    date = { year: p.year, month: p.month, day: p.day };
    hour = p.hour;
    minute = p.minute;
    minuteKnown = true;
    dayKnown = true;
  } else if (hour !== null) {
    precision = 'exact';
    const build = (d: CalendarDate) => zonedTimeToInstant(d.year, d.month, d.day, hour as number, minute ?? 0, timeZone);
    from = build(date);
    if (!dayKnown && from.getTime() <= now.getTime()) {
      date = addDays(date, 1);
      from = build(date);
    }
    to =
      endHour !== null
        ? zonedTimeToInstant(date.year, date.month, date.day, endHour, endMinute, timeZone)
        : new Date(from.getTime() + EXACT_WINDOW_MINUTES * 60000);
    if (to.getTime() <= from.getTime()) to = new Date(from.getTime() + EXACT_WINDOW_MINUTES * 60000);
  } else if (part) {
    precision = 'part_of_day';
    const [h0, h1] = PART_OF_DAY_HOURS[part];
    let w = windowOf(date, h0, 0, date, h1, 0, timeZone);
    if (!dayKnown && w.to.getTime() <= now.getTime()) {
      date = addDays(date, 1);
      w = windowOf(date, h0, 0, date, h1, 0, timeZone);
    }
    ({ from, to } = w);
  } else if (nextWeek && !(main && main.start.isCertain('weekday'))) {
    precision = 'day';
    const daysToMonday = ((8 - weekdayOf(todayDate)) % 7) || 7;
    date = addDays(todayDate, daysToMonday);
    ({ from, to } = windowOf(date, 0, 0, addDays(date, 7), 0, 0, timeZone));
    dayKnown = true;
  } else if (dayKnown) {
    precision = 'day';
    ({ from, to } = windowOf(date, 0, 0, addDays(date, 1), 0, 0, timeZone));
  } else {
    return null;
  }

  for (const [s, e] of spans) a.mark(s, e);
  const start = Math.min(...spans.map(([s]) => s));
  const end = Math.max(...spans.map(([, e]) => e));
  return {
    preference: {
      from: formatInTimeZone(from, timeZone),
      to: formatInTimeZone(to, timeZone),
      precision,
      text: a.original.slice(start, end).trim(),
    },
    date,
    dayKnown,
    hour,
    minute,
    minuteKnown,
    part: precision === 'part_of_day' ? part : null,
  };
}

/** The preferred time named in a message, as a window in context.timeZone, or null. */
export function parseTimePreference(
  text: string,
  context: Pick<UnderstandingContext, 'now' | 'timeZone'>,
  language: Language = detectLanguage(text),
): TimePreference | null {
  const a = new Analysis(text);
  markEmailsLinksPhones(a);
  const budget = findBudget(a);
  if (budget) a.mark(budget.start, budget.end);
  return findTime(a, { ...context, offeredSlots: [], previousLanguage: null }, language)?.preference ?? null;
}

// ---------------------------------------------------------------------------------------------
// Name
// ---------------------------------------------------------------------------------------------

const NAME_PREFIX_RE =
  /\b(my name is|my name's|my names|name is|name's|me llamo|mi nombre es|i'm|i am|im|this is|call me|soy|le habla|te habla|les habla|habla)\s+/g;
const EXPLICIT_NAME_PREFIXES = new Set(['my name is', "my name's", 'my names', 'name is', "name's", 'me llamo', 'mi nombre es']);
const NAME_STOP = new Set([
  // English
  'a', 'an', 'the', 'and', 'or', 'but', 'i', 'i\'m', 'im', 'me', 'my', 'not', 'so', 'just', 'very', 'really', 'also', 'still',
  'interested', 'looking', 'here', 'good', 'fine', 'ok', 'okay', 'ready', 'available', 'free', 'busy', 'new', 'trying',
  'hoping', 'wondering', 'calling', 'writing', 'texting', 'messaging', 'reaching', 'sorry', 'happy', 'glad', 'sure',
  'back', 'going', 'thinking', 'planning', 'currently', 'from', 'in', 'at', 'on', 'with', 'your', 'about', 'after',
  'tomorrow', 'today', 'tonight', 'wanting', 'needing', 'great', 'the', 'owner', 'manager', 'ceo', 'founder', 'a',
  'to', 'for', 'is', 'it', 'that', 'this', 'who', 'what', 'how', 'when', 'why', 'yes', 'no', 'not', 'unsure', 'confused',
  'hi', 'hello', 'hey', 'thanks', 'thank', 'please', 'able', 'afraid', 'asking', 'checking', 'following', 'interesting',
  // Spanish
  'de', 'del', 'el', 'la', 'los', 'las', 'un', 'una', 'y', 'o', 'pero', 'muy', 'interesado', 'interesada', 'nuevo',
  'nueva', 'cliente', 'duena', 'dueno', 'gerente', 'yo', 'mi', 'su', 'tu', 'buscando', 'hola', 'gracias', 'manana',
  'hoy', 'aqui', 'el', 'que', 'quien', 'disponible', 'libre', 'bien', 'super', 'muy', 'fundador', 'fundadora',
  'director', 'directora', 'propietario', 'propietaria', 'emprendedor', 'emprendedora', 'nuevo', 'con', 'en',
  // weekdays / months
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'lunes', 'martes', 'miercoles',
  'jueves', 'viernes', 'sabado', 'domingo', 'january', 'february', 'march', 'april', 'june', 'july', 'august',
  'september', 'october', 'november', 'december', 'enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio',
  'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre',
  // services
  'marketing', 'seo', 'social', 'media', 'web', 'website', 'ads', 'advertising', 'branding', 'consulting', 'coaching',
  'content', 'email', 'design', 'redes', 'publicidad', 'consultoria', 'diseno', 'pagina',
]);

function titleCase(word: string): string {
  if (word !== word.toLowerCase() && word !== word.toUpperCase()) return word;
  return word
    .toLowerCase()
    .split(/([-'’])/)
    .map((p) => (p.length > 0 ? p[0].toUpperCase() + p.slice(1) : p))
    .join('');
}

function findName(a: Analysis): string | null {
  const folded = a.maskedFolded();
  for (const m of folded.matchAll(NAME_PREFIX_RE)) {
    const explicit = EXPLICIT_NAME_PREFIXES.has(m[1]);
    const found: string[] = [];
    let pos = m.index + m[0].length;
    let end = pos;
    const wordRe = /[\p{L}][\p{L}'’-]*/uy;
    while (found.length < 4) {
      wordRe.lastIndex = pos;
      const w = wordRe.exec(a.original);
      if (!w || a.isUsed(pos)) break;
      const word = w[0].replace(/['’]s$/, '');
      const f = fold(word);
      const capitalised = /^\p{Lu}/u.test(word);
      if (NAME_STOP.has(f) || (!capitalised && !explicit) || word.length < 2) break;
      found.push(titleCase(word));
      end = pos + w[0].length;
      const gap = /^[ \t]+/.exec(a.original.slice(end));
      if (!gap) break;
      pos = end + gap[0].length;
    }
    if (found.length > 0) {
      a.mark(m.index, end);
      return found.join(' ');
    }
  }
  return null;
}

/** The name a message introduces ("I'm Ana", "me llamo Ana Pérez"), or null. */
export function extractName(text: string): string | null {
  return findName(new Analysis(text));
}

// ---------------------------------------------------------------------------------------------
// Goal
// ---------------------------------------------------------------------------------------------

/** Service vocabulary, most specific first; the label is the normalised goal. */
const SERVICES: Array<{ re: RegExp; label: string }> = [
  {
    re: /\b(?:e-?mail|correo) (?:marketing|campaigns?|campanas?)\b|\bnewsletters?\b|\bmarketing (?:por|de|via) (?:e-?mail|correo)\b|\bemail marketing\b/g,
    label: 'email marketing',
  },
  {
    re: /\b(?:google|facebook|meta|instagram|tiktok|linkedin|youtube|paid|online) ads\b|\bads\b|\badvertis\w*|\bppc\b|\bpay per click\b|\bpublicidad\b|\banuncios?\b|\bpaid media\b|\bcampanas? (?:de )?(?:publicidad|anuncios)\b/g,
    label: 'advertising',
  },
  {
    re: /\bsocial media\b|\bsocial networks?\b|\bredes sociales\b|\bredes\b|\binstagram\b|\btiktok\b|\bcommunity manag\w*|\bfacebook page\b/g,
    label: 'social media',
  },
  { re: /\bseo\b|\bsearch engine optimi[sz]ation\b|\bposicionamiento(?: web| en google| seo)?\b/g, label: 'SEO' },
  {
    re: /\bweb ?design\b|\bweb ?sites?\b|\blanding pages?\b|\bweb ?pages?\b|\bpaginas? web\b|\bsitios? web\b|\bdiseno web\b|\bdiseno de (?:paginas?|sitios?) web\b|\btienda online\b|\be-?commerce\b|\bweb\b/g,
    label: 'web design',
  },
  {
    re: /\bbranding\b|\bbrand(?: identity| strategy)?\b|\blogo(?: design)?s?\b|\bidentidad (?:de marca|corporativa)\b|\bmarca\b|\bdiseno de logo\b/g,
    label: 'branding',
  },
  {
    re: /\bcontent(?: creation| marketing| writing)?\b|\bcopywriting\b|\bblog(?: posts?)?\b|\b(?:creacion de )?contenidos?\b|\bredaccion\b/g,
    label: 'content',
  },
  { re: /\bconsult(?:ing|ation|ancy|ant)?\b|\bconsultoria\b|\basesoria\b|\basesoramiento\b/g, label: 'consulting' },
  { re: /\bcoaching\b|\bcoach\b|\bmentoring\b|\bmentoria\b/g, label: 'coaching' },
  { re: /\b(?:digital |online )?marketing(?: digital| online)?\b|\bmercadeo\b|\bmercadotecnia\b/g, label: 'marketing' },
];

const HELP_PREFIX_RE =
  /\b(?:i need help with|i need help for|i need some help with|need help with|help me with|help with|looking for help with|i'm interested in|im interested in|i am interested in|interested in|necesito ayuda con|necesito ayuda para|ayuda con|ayudarme con|me ayuden con|me interesan?|estoy interesad[oa] en|interesad[oa] en)\s+/g;
const GOAL_STOP_WORDS = new Set(['and', 'y', 'but', 'pero', 'because', 'porque', 'so', 'budget', 'presupuesto', 'also', 'tambien']);
const BOOKING_WORDS = new Set([
  'book', 'booking', 'a', 'an', 'the', 'call', 'appointment', 'meeting', 'session', 'cita', 'una', 'un', 'agendar',
  'reservar', 'llamada', 'reunion', 'sesion', 'your', 'services', 'service', 'servicios', 'sus', 'tus', 'you', 'this',
  'it', 'that', 'more', 'info', 'information', 'informacion', 'mas', 'something', 'algo',
]);

function findGoal(a: Analysis): string | null {
  const labels: Array<{ index: number; label: string }> = [];
  for (const { re, label } of SERVICES) {
    for (const m of a.maskedFolded().matchAll(re)) {
      if (!a.isFree(m.index, m.index + m[0].length)) continue;
      a.mark(m.index, m.index + m[0].length);
      labels.push({ index: m.index, label });
    }
  }
  let freeText: string | null = null;
  for (const m of a.maskedFolded().matchAll(HELP_PREFIX_RE)) {
    const start = m.index + m[0].length;
    a.mark(m.index, start);
    const taken: string[] = [];
    let end = start;
    const wordRe = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/uy;
    let pos = start;
    while (taken.length < 6) {
      wordRe.lastIndex = pos;
      const w = wordRe.exec(a.original);
      if (!w || a.isUsed(pos)) break;
      if (GOAL_STOP_WORDS.has(fold(w[0]))) break;
      taken.push(w[0]);
      end = pos + w[0].length;
      const gap = /^[ \t]+/.exec(a.original.slice(end));
      if (!gap) break;
      pos = end + gap[0].length;
    }
    if (taken.length > 0 && !taken.every((w) => BOOKING_WORDS.has(fold(w)) || /^(?:my|mi|mis|our|nuestro|nuestra)$/.test(fold(w)))) {
      a.mark(start, end);
      freeText ??= a.original.slice(start, end).trim();
    }
  }
  if (labels.length > 0) {
    const unique = [...new Set(labels.sort((x, y) => x.index - y.index).map((l) => l.label))];
    return unique.join(', ');
  }
  return freeText && freeText.length <= 80 ? freeText : null;
}

/** The normalised goal of a message ("SEO", "social media, web design") or a short free-text goal. */
export function extractGoal(text: string): string | null {
  return findGoal(new Analysis(text));
}

// ---------------------------------------------------------------------------------------------
// Greeting, question, cancel, slot answers
// ---------------------------------------------------------------------------------------------

const GREETING_RE =
  /^\s*(?:hi+|hello+|hey+|hiya|howdy|greetings|good (?:morning|afternoon|evening|day)|hola+|holi|buenas(?: tardes| noches)?|buenos dias|buen dia|que tal|saludos|ola)\b(?:\s+(?:there|all|team|equipo|a todos))?[\s,!.¡]*/;
const QUESTION_START_RE =
  /^\s*(?:what|whats|what's|how|when|where|why|who|which|do you|does|can you|could you|are you|is it|is there|will you|would you|que|cuanto|cuantos|cuanta|cuando|como|donde|por que|cual|cuales|quien|tienen|hay|puedo|pueden|podrian|es posible)\b/;
const CANCEL_RE =
  /\b(?:cancel|cancell?ing|cancell?ed|cancelar|cancela|cancelo|cancelen|anular|anula|anulen)\b(?:\s+(?:my|the|our|this|that|mi|la|el|nuestra|nuestro|esa|esta|lo))?(?:\s+(?:appointment|appt|booking|meeting|call|session|reservation|cita|reserva|reunion|llamada|sesion|turno))?/;

const ORDINALS: Record<string, number> = {
  first: 1, '1st': 1, primera: 1, primero: 1, primer: 1,
  second: 2, '2nd': 2, segunda: 2, segundo: 2,
  third: 3, '3rd': 3, tercera: 3, tercero: 3, tercer: 3,
  fourth: 4, '4th': 4, cuarta: 4, cuarto: 4,
  fifth: 5, '5th': 5, quinta: 5, quinto: 5,
};
const NUMBER_WORDS: Record<string, number> = {
  one: 1, uno: 1, una: 1, two: 2, dos: 2, three: 3, tres: 3, four: 4, cuatro: 4, five: 5, cinco: 5,
};
const ORDINAL_RE = new RegExp(
  `\\b(?:the |la |el |lo )?(${Object.keys(ORDINALS).join('|')}|last|ultima|ultimo)\\b(?:\\s+(?:one|option|slot|time|choice|date|opcion|hora|horario|fecha|turno|de las? \\w+)\\b)?`,
);
const INDEX_RE = new RegExp(
  `(?:\\b(?:option|opcion|number|numero|num|slot|choice|hora|horario|turno)\\.?\\s*#?|#)\\s*(\\d{1,2}|${Object.keys(NUMBER_WORDS).join('|')})\\b(?!\\s*(?:am|pm|:|h\\b|k\\b|[.,]\\d))`,
);
const BARE_INDEX_RE = new RegExp(
  `^(?:the |la |el |lo )?(\\d{1,2}|${Object.keys(NUMBER_WORDS).join('|')})(?:st|nd|rd|th)?\\b(?!\\s*(?:am|pm|:|h\\b|k\\b|[.,]\\d))`,
);

const CONFIRM_CORE = new Set([
  'yes', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'k', 'perfect', 'great', 'good', 'works', 'confirm', 'confirmed',
  'correct', 'right', 'fine', 'absolutely', 'definitely', 'deal', 'booked', 'si', 'claro', 'vale', 'perfecto',
  'perfecta', 'acuerdo', 'listo', 'genial', 'bien', 'dale', 'sirve', 'confirmo', 'confirmado', 'excelente', 'exacto',
  'correcto', 'va', 'okey', 'oki', 'sounds', 'agreed',
]);
const CONFIRM_FILLER = new Set([
  'that', 'this', 'it', 'one', 'for', 'me', 'please', 'thanks', 'thank', 'you', 'so', 'much', 'very', 'sounds', 'is',
  'will', 'work', 'do', 'go', 'ahead', 'let\'s', 'lets', 'by', 'all', 'de', 'esta', 'esa', 'me', 'por', 'favor',
  'gracias', 'muchas', 'muy', 'eso', 'esto', 'asi', 'el', 'la', 'lo', 'a', 'an', 'the', 'with', 'perfectly', 'then',
  'entonces', 'pues', 'nos', 'vemos', 'super', 'totally', 'that\'s', 'thats', 'its', 'it\'s',
]);
const DECLINE_CORE = new Set([
  'no', 'nope', 'nah', 'none', 'neither', 'ninguna', 'ninguno', 'ningun', "don't", 'dont', "doesn't", 'doesnt',
  'not', "can't", 'cant', 'nada', 'tampoco', 'nothing',
]);
const DECLINE_FILLER = new Set([
  'of', 'them', 'those', 'these', 'thanks', 'thank', 'you', 'works', 'work', 'for', 'me', 'i', 'that', 'it', 'one',
  'options', 'slots', 'times', 'de', 'esas', 'esos', 'estas', 'estos', 'me', 'sirve', 'sirven', 'gracias', 'puedo',
  'ellas', 'ellos', 'opciones', 'horarios', 'really', 'sorry', 'lo', 'siento', 'good', 'fits', 'suits', 'la', 'las',
  'los', 'el', 'interested', 'interesa', 'make', 'any', 'them', 'please', 'but', 'pero', 'either', 'bien', 'viene',
  'queda', 'quedan', 'funciona', 'funcionan', "i'm", 'im', 'am', 'are', 'is', 'will', 'we', 'can', 'do', 'does',
]);

function isConfirmation(ws: string[]): boolean {
  if (ws.length === 0 || ws.length > 8) return false;
  return ws.some((w) => CONFIRM_CORE.has(w)) && ws.every((w) => CONFIRM_CORE.has(w) || CONFIRM_FILLER.has(w));
}

function isDecline(ws: string[]): boolean {
  if (ws.length === 0 || ws.length > 8) return false;
  return ws.some((w) => DECLINE_CORE.has(w)) && ws.every((w) => DECLINE_CORE.has(w) || DECLINE_FILLER.has(w));
}

/** Explicit positional answers: "the second one", "2", "option 3", "la primera". Returns a 0-based index. */
function findSlotIndex(a: Analysis, offered: number): number | null {
  const text = a.maskedFolded();
  const trimmed = text.trim();
  const shortMessage = words(trimmed).length <= 6;
  const ord = ORDINAL_RE.exec(text);
  if (ord && (shortMessage || ord[0].trim().split(/\s+/).length > 1)) {
    const n = ord[1] === 'last' || ord[1] === 'ultima' || ord[1] === 'ultimo' ? offered : ORDINALS[ord[1]];
    if (n >= 1 && n <= offered) {
      a.mark(ord.index, ord.index + ord[0].length);
      return n - 1;
    }
  }
  const idx = INDEX_RE.exec(text);
  const bare = shortMessage ? BARE_INDEX_RE.exec(trimmed) : null;
  for (const m of [idx, bare]) {
    if (!m) continue;
    const n = /^\d+$/.test(m[1]) ? Number(m[1]) : NUMBER_WORDS[m[1]];
    if (n >= 1 && n <= offered) {
      const at = m === bare ? text.indexOf(trimmed) + m.index : m.index;
      a.mark(at, at + m[0].length);
      return n - 1;
    }
  }
  return null;
}

/** An offered slot matching the named time: same local hour (and minute/day when named), or inside a part-of-day/day window. */
function matchSlotByTime(hit: TimeHit, offeredSlots: string[], timeZone: string): number | null {
  const matches: number[] = [];
  const from = Date.parse(hit.preference.from);
  const to = Date.parse(hit.preference.to);
  offeredSlots.forEach((iso, index) => {
    const instant = new Date(iso);
    if (Number.isNaN(instant.getTime())) return;
    const p = localParts(instant, timeZone);
    if (hit.preference.precision === 'exact' && hit.hour !== null) {
      if (p.hour !== hit.hour) return;
      if (hit.minuteKnown && p.minute !== (hit.minute ?? 0)) return;
      if (hit.dayKnown && !sameDate({ year: p.year, month: p.month, day: p.day }, hit.date)) return;
      matches.push(index);
    } else if (hit.dayKnown || hit.preference.precision === 'part_of_day') {
      const t = instant.getTime();
      if (hit.part && !hit.dayKnown) {
        // "the afternoon one": match by local hours on any day
        const [h0, h1] = PART_OF_DAY_HOURS[hit.part];
        if (p.hour >= h0 && p.hour < h1) matches.push(index);
        return;
      }
      if (t >= from && t < to) matches.push(index);
    }
  });
  return matches.length === 1 ? matches[0] : null;
}

// ---------------------------------------------------------------------------------------------
// Confidence
// ---------------------------------------------------------------------------------------------

/** Words that carry nothing the Understanding could hold; everything else must be accounted for. */
const FILLER = new Set([
  // English
  'i', "i'm", 'im', 'am', 'is', 'are', 'was', 'be', 'a', 'an', 'the', 'and', 'or', 'my', 'me', 'mine', 'for', 'with',
  'to', 'of', 'on', 'at', 'in', 'by', 'it', 'its', "it's", 'this', 'that', 'would', 'like', 'need', 'want', 'wanna',
  'looking', 'please', 'pls', 'plz', 'thanks', 'thank', 'you', 'thx', 'about', 'around', 'approximately', 'approx',
  'roughly', 'maybe', 'some', 'help', 'also', 'so', 'just', 'love', 'get', 'book', 'booking', 'appointment', 'meeting',
  'call', 'schedule', 'can', 'could', 'we', 'us', 'do', 'available', 'free', 'works', 'work', 'time', 'budget', 'ok',
  'okay', 'name', 'email', 'mail', 'e-mail', 'interested', 'have', 'has', 'got', 'our', "i'd", 'id', 'will', "i'll",
  'up', 'max', 'maximum', 'least', 'min', 'minimum', 'usd', 'dollars', 'here', 'there', 'hi', 'hello', 'hey', 'great',
  'good', 'perfect', 'your', 'services', 'service', 'some', 'should', 'session', 'slot', 'any', 'best', 'if',
  'possible', 'would', 'prefer', 'preferably', 'ideally', 'better', 'but', 'then', 'too', 'as', 'well', 'much',
  'is', 'be', 'set', 'session', 'reach', 'contact', 'via', 'address', 'spend', 'willing', 'invest', 'sounds',
  'meet', "let's", 'lets', 'pay', 'new', 'nueva', 'nuevo', 'pagar', 'talk', 'chat', 'speak', 'start', 'starting', 'ready', 'hear', 'from', 'back',
  // Spanish
  'yo', 'es', 'soy', 'mi', 'mis', 'me', 'de', 'del', 'la', 'el', 'los', 'las', 'un', 'una', 'unos', 'unas', 'y', 'o',
  'con', 'para', 'por', 'en', 'a', 'al', 'que', 'necesito', 'quiero', 'quisiera', 'busco', 'ayuda', 'tengo', 'gustaria',
  'favor', 'gracias', 'hola', 'estoy', 'disponible', 'libre', 'puedo', 'podria', 'cita', 'agendar', 'reservar',
  'presupuesto', 'aproximadamente', 'alrededor', 'mas', 'menos', 'sobre', 'hasta', 'correo', 'email', 'nombre',
  'llamo', 'servicio', 'servicios', 'interesa', 'interesado', 'interesada', 'seria', 'bien', 'puede', 'ser', 'mejor',
  'su', 'sus', 'tu', 'tus', 'le', 'lo', 'nos', 'si', 'tambien', 'pero', 'entonces', 'unos', 'tipo', 'como', 'maximo',
  'minimo', 'invertir', 'gastar', 'euros', 'dolares', 'llamada', 'reunion', 'sesion', 'hora', 'horario', 'preferible',
  'preferiblemente', 'prefiero', 'ideal', 'idealmente', 'mio', 'contacto', 'escribir', 'escribirme', 'es',
  'hablar', 'vernos', 'reunirnos', 'podemos', 'empezar', 'comenzar',
]);

// ---------------------------------------------------------------------------------------------
// The understander
// ---------------------------------------------------------------------------------------------

function result(partial: Pick<Understanding, 'intent' | 'language' | 'confident'>): Understanding {
  return {
    intent: partial.intent,
    language: partial.language,
    name: null,
    goal: null,
    budget: null,
    email: null,
    preferredTime: null,
    slotChoice: null,
    confident: partial.confident,
  };
}

/** Deterministic, offline understanding; see the header comment for every rule. */
export class HeuristicUnderstander implements Understander {
  async understand(text: string, context: UnderstandingContext): Promise<Understanding> {
    return understandSync(text, context);
  }
}

/** The heuristic as a plain synchronous function (what HeuristicUnderstander wraps). */
export function understandSync(text: string, context: UnderstandingContext): Understanding {
  const body = text ?? '';
  const language = detectLanguage(body, context.previousLanguage);
  if (isSpam(body)) return result({ intent: 'spam', language, confident: true });
  if (isOptOut(body)) return result({ intent: 'opt_out', language, confident: true });
  if (isOptIn(body)) return result({ intent: 'opt_in', language, confident: true });

  const a = new Analysis(body);
  const greeting = GREETING_RE.exec(a.folded);
  if (greeting) a.mark(greeting.index, greeting.index + greeting[0].length);
  const email = markEmailsLinksPhones(a);

  // Positional slot answers first: "2" or "option 3" must not become a budget or a time.
  const offered = context.offeredSlots;
  let slotChoice: number | null = offered.length > 0 ? findSlotIndex(a, offered.length) : null;

  const budgetHit = findBudget(a);
  if (budgetHit) a.mark(budgetHit.start, budgetHit.end);
  const name = findName(a);
  const timeHit = findTime(a, context, language);
  let preferredTime = timeHit?.preference ?? null;
  if (slotChoice === null && timeHit && offered.length > 0) {
    slotChoice = matchSlotByTime(timeHit, offered, context.timeZone);
    if (slotChoice !== null) preferredTime = null; // the time named IS the slot
  }
  const goal = findGoal(a);

  const cancel = CANCEL_RE.exec(a.maskedFolded());
  if (cancel) a.mark(cancel.index, cancel.index + cancel[0].length);

  const leftover = a.leftoverWords();
  const meaningful = leftover.filter((w) => !FILLER.has(w));
  const allWords = words(compact(body));

  let intent: Intent;
  if (slotChoice !== null) {
    intent = 'choose_slot';
  } else if (cancel) {
    intent = 'cancel';
  } else if (isDecline(allWords)) {
    intent = 'decline';
    a.mark(0, body.length);
  } else if (isConfirmation(allWords)) {
    if (offered.length === 1) {
      intent = 'choose_slot';
      slotChoice = 0;
    } else {
      intent = 'confirm';
    }
    a.mark(0, body.length);
  } else if (name || goal || budgetHit || email || preferredTime) {
    intent = 'provide_info';
  } else if (/\?\s*$/.test(body) || body.includes('¿') || QUESTION_START_RE.test(a.folded)) {
    intent = 'question';
  } else if (greeting) {
    intent = 'greeting';
  } else {
    intent = 'other';
  }

  const accounted = intent === 'confirm' || intent === 'decline' || (intent === 'choose_slot' && slotChoice !== null)
    ? true
    : meaningful.length === 0 && intent !== 'other' && intent !== 'question';

  return {
    intent,
    language,
    name,
    goal,
    budget: budgetHit?.budget ?? null,
    email,
    preferredTime,
    slotChoice,
    confident: accounted,
  };
}
