/**
 * Budgets. Ranges ("$1000-2000", "between 1k and 2k", "de 1000 a 2000") yield the LOWER bound:
 * conservative on purpose, the minimum-budget business rule must not pass on the optimistic end.
 * A bare number is a budget only with a currency sign/word, a multiplier ("2k", "3 mil") or the
 * word budget/presupuesto/invest nearby; clock times, dates, phone numbers never are.
 */
import type { Budget } from '../understanding';
import { Analysis } from './analysis';
import { markEmailsLinksPhones } from './contact';

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

export function findBudget(a: Analysis): { budget: Budget; start: number; end: number } | null {
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
