/**
 * Answers to offered slots: positional ("the second one", "option 3", "2"), by time ("3pm works"),
 * confirmations and declines. Only applied when slots were offered.
 */
import { localParts } from '@wab/shared';
import { words, type Analysis } from './analysis';
import { sameDate } from './calendar';
import { PART_OF_DAY_HOURS, type TimeHit } from './time';
import { CONFIRM_CORE, CONFIRM_FILLER, DECLINE_CORE, DECLINE_FILLER } from './word-lists';

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
// Whitespace is bounded ({0,3}): these read the masked text, where a used link or email is a long
// run of spaces, and "option\s*#?\s*" split such a run two ways at every length (quadratic).
const INDEX_RE = new RegExp(
  `(?:\\b(?:option|opcion|number|numero|num|slot|choice|hora|horario|turno)\\.?\\s{0,3}(?:#\\s{0,3})?|#\\s{0,3})(\\d{1,2}|${Object.keys(NUMBER_WORDS).join('|')})\\b(?!\\s{0,3}(?:am|pm|:|h\\b|k\\b|[.,]\\d))`,
);
const BARE_INDEX_RE = new RegExp(
  `^(?:the |la |el |lo )?(\\d{1,2}|${Object.keys(NUMBER_WORDS).join('|')})(?:st|nd|rd|th)?\\b(?!\\s{0,3}(?:am|pm|:|h\\b|k\\b|[.,]\\d))`,
);


/** Longest confirmation or decline, in words ("yes that works for me thank you"); also bounds the opt-out keywords. */
export const SHORT_ANSWER_MAX_WORDS = 8;

export function isConfirmation(ws: string[]): boolean {
  if (ws.length === 0 || ws.length > SHORT_ANSWER_MAX_WORDS) return false;
  return ws.some((w) => CONFIRM_CORE.has(w)) && ws.every((w) => CONFIRM_CORE.has(w) || CONFIRM_FILLER.has(w));
}

export function isDecline(ws: string[]): boolean {
  if (ws.length === 0 || ws.length > SHORT_ANSWER_MAX_WORDS) return false;
  return ws.some((w) => DECLINE_CORE.has(w)) && ws.every((w) => DECLINE_CORE.has(w) || DECLINE_FILLER.has(w));
}

/** Explicit positional answers: "the second one", "2", "option 3", "la primera". Returns a 0-based index. */
export function findSlotIndex(a: Analysis, offered: number): number | null {
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
export function matchSlotByTime(hit: TimeHit, offeredSlots: string[], timeZone: string): number | null {
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
    } else if (hit.dayKnown || hit.preference.precision === 'part_of_day' || hit.preference.precision === 'range') {
      const t = instant.getTime();
      if (!hit.dayKnown && (hit.minutes || hit.part)) {
        // "the afternoon one", "the one after 3": match by local time of day on any day
        const [m0, m1] = hit.minutes ?? [PART_OF_DAY_HOURS[hit.part!][0] * 60, PART_OF_DAY_HOURS[hit.part!][1] * 60];
        const m = p.hour * 60 + p.minute;
        if (m >= m0 && m < m1) matches.push(index);
        return;
      }
      if (t >= from && t < to) matches.push(index);
    }
  });
  return matches.length === 1 ? matches[0] : null;
}
