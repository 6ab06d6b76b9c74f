/**
 * Time preferences, as windows in the context's zone (the customer's, else the business's) (`to` exclusive). chrono-node reads the
 * dates and clock times; parts of the day and "next week" are ours (chrono's Spanish "mañana" =
 * tomorrow collides with "por la mañana"). The window rules are listed in ../heuristic.ts.
 */
import * as chrono from 'chrono-node';
import { formatInTimeZone, localParts, timeZoneOffsetMinutes, zonedTimeToInstant } from '@wab/shared';
import type { Language, TimePrecision, TimePreference, UnderstandingContext } from '../understanding';
import { Analysis, fold } from './analysis';
import { findBudget } from './budget';
import { addDays, sameDate, weekdayOf, type CalendarDate } from './calendar';
import { markEmailsLinksPhones } from './contact';
import { detectLanguage } from './language';
import { findQualifiers, type Qualifier } from './time-qualifiers';

export type PartOfDay = 'morning' | 'afternoon' | 'evening';

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

export interface TimeHit {
  preference: TimePreference;
  /** local calendar date of the window start */
  date: CalendarDate;
  /** the day was named (weekday, date, tomorrow…) rather than inferred */
  dayKnown: boolean;
  hour: number | null;
  minute: number | null;
  minuteKnown: boolean;
  part: PartOfDay | null;
  /** local minutes from midnight of the window, [from, to), when it lies within one day (not for 'day') */
  minutes: [number, number] | null;
}

export interface TimeOptions {
  /** the bot asked for a (another) time: a bare "11" or "at 3" is a clock time */
  expectTime?: boolean;
}

/** "12 years", "3 months", "24/7": chrono reads them as dates; a customer means a duration or a count. */
const NOT_A_DATE_RE =
  /^(?:(?:about|around|like|some|unos|hace)\s)?(?:\d+|a|an|one|two|three|few|several|un|una)\s*(?:years?|yrs?|months?|weeks?|days?|anos?|meses|semanas?|dias?)(?:\s(?:ago|atras))?$|^24\/7$|^\d{1,2}\s?a$/;
/** "any time Thursday", "cualquier hora": the day replaces a known one whole. */
export const ANY_TIME_RE = /\b(?:any ?time|whenever|any hour|cualquier hora|a cualquier hora|when ?ever)\b/;
const BARE_CLOCK_RE = /^\s*(?:at\s{1,2}|a las\s{1,2}|las\s{1,2})?(\d{1,2})(?::(\d{2}))?\s*$/;
/**
 * Most characters chrono-node reads from one message. Its parsers are linear on ordinary text but
 * cost up to a few microseconds per character on dense numbers ("1/1 1/1…", "at 1 at 1…"), so a cap
 * bounds the worst case. A time named beyond it (counted after whitespace is collapsed and the
 * words the other extractors used are taken out) is not read; real messages name it well before.
 */
export const CHRONO_MAX_CHARS = 600;

/**
 * Most "number + time unit" pairs ("2 hours", "a week", "1h") chrono-node reads. Its English
 * duration pattern repeats a connector with three optional whitespace runs up to ten times, so each
 * chain of units backtracks about 2^10 ways: "1 h 1 h 1 h…" cost 0.2 ms per pair. Real messages
 * name one or two durations; the input ends before the pair after these.
 */
export const CHRONO_MAX_DURATIONS = 6;

/**
 * Most groups of digits chrono-node reads. Each one is a candidate date or time it builds and
 * discards ("1 1 1…" cost 2 ms in 600 characters); real messages name a day and a time with a few
 * ("between 2:30 and 4:30 on 12/05" has six), once budget, phone and email digits are taken out.
 */
export const CHRONO_MAX_NUMBERS = 12;
const DURATION_RE = new RegExp(
  '(?<![\\p{L}\\d])(?:\\d+(?:\\.\\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|an?|half|few|several|the|couple(?: of)?)' +
    '\\s{0,3}(?:s|sec|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|mo|mon|mos|months?|qtr|quarters?|y|yr|years?)(?![\\p{L}\\d])',
  'giu',
);

/** What chrono reads and where each of its characters came from in the message. */
interface ChronoInput {
  text: string;
  /** index in `text` → index in the message; one entry more than `text` has characters */
  toOriginal: Int32Array;
}

function isWhitespaceAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) return true;
  return code >= 0x80 && /\s/.test(text[index]);
}

/**
 * `masked` (the message with used characters blanked) without the characters in `ours` either,
 * every whitespace run (including the ones blanking makes) collapsed to one space or newline, at
 * most CHRONO_MAX_CHARS long (cut at a space when one is near), CHRONO_MAX_DURATIONS durations and
 * CHRONO_MAX_NUMBERS groups of digits. chrono-node's Spanish parser is O(n^4) on a digit followed
 * by a long whitespace run: it must never see one.
 */
function chronoInput(masked: string, ours: Uint8Array): ChronoInput {
  const toOriginal = new Int32Array(Math.min(masked.length, CHRONO_MAX_CHARS) + 1);
  const gap = (i: number) => ours[i] === 1 || isWhitespaceAt(masked, i);
  let text = '';
  let lastSpace = -1;
  let i = 0;
  while (i < masked.length && text.length < CHRONO_MAX_CHARS) {
    const runStart = i;
    if (!gap(i)) {
      // kept characters, copied a run at a time
      const room = CHRONO_MAX_CHARS - text.length;
      while (i < masked.length && i - runStart < room && !gap(i)) toOriginal[text.length + (i - runStart)] = i++;
      text += masked.slice(runStart, i);
      continue;
    }
    let newline = false;
    for (; i < masked.length && gap(i); i++) newline ||= ours[i] !== 1 && masked[i] === '\n';
    lastSpace = text.length;
    toOriginal[text.length] = runStart;
    text += newline ? '\n' : ' ';
  }
  if (i < masked.length && lastSpace > text.length - 30) {
    text = text.slice(0, lastSpace); // do not hand chrono half a word
  }
  text = cutBefore(text, DURATION_RE, CHRONO_MAX_DURATIONS);
  text = cutBefore(text, /\d+/g, CHRONO_MAX_NUMBERS);
  toOriginal[text.length] = text.length > 0 ? toOriginal[text.length - 1] + 1 : 0;
  return { text, toOriginal };
}

/** `text` up to (not including) the match of global `re` after the first `max` ones. */
function cutBefore(text: string, re: RegExp, max: number): string {
  let count = 0;
  for (const m of text.matchAll(re)) if (++count > max) return text.slice(0, m.index);
  return text;
}

/** [start, end) in the message of chrono's [index, index + length). */
function originalSpan(input: ChronoInput, index: number, length: number): [number, number] {
  if (length <= 0) return [input.toOriginal[index], input.toOriginal[index]];
  return [input.toOriginal[index], input.toOriginal[index + length - 1] + 1];
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
      if (NOT_A_DATE_RE.test(fold(r.text.trim()))) return false; // "in business 12 years", "open 24/7"
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

/** One window [from, to) of local minutes, every qualifier of the message applied; null when they contradict. */
function qualifiedWindow(qualifiers: Qualifier[]): { from: number; to: number; around: boolean } | null {
  const around = qualifiers.find((q) => q.kind === 'around');
  if (around) return { from: around.from, to: around.to, around: true };
  let from = 0;
  let to = 24 * 60;
  for (const q of qualifiers) {
    from = Math.max(from, q.from);
    to = Math.min(to, q.to);
  }
  return to > from ? { from, to, around: false } : null;
}

export function findTime(a: Analysis, context: UnderstandingContext, language: Language, options: TimeOptions = {}): TimeHit | null {
  const { now, timeZone } = context;
  const today = localParts(now, timeZone);
  const todayDate: CalendarDate = { year: today.year, month: today.month, day: today.day };
  const spans: Array<[number, number]> = [];

  // Qualifiers first ("after 3", "entre las 10 y las 12", "late morning"): chrono would drop them.
  let folded = a.maskedFolded();
  const qualifiers = findQualifiers(folded, { clockCorrections: Boolean(context.known?.preferredTime) || options.expectTime === true });
  if (qualifiers.length === 0 && options.expectTime) {
    const bare = BARE_CLOCK_RE.exec(folded);
    if (bare && Number(bare[1]) <= 24) {
      const h = Number(bare[1]);
      const from = (h >= 1 && h <= 7 ? h + 12 : h) * 60 + (bare[2] ? Number(bare[2]) : 0);
      qualifiers.push({ start: bare.index, end: bare.index + bare[0].length, kind: 'around', from, to: from + 60, part: null });
    }
  }
  for (const q of qualifiers) {
    spans.push([q.start, q.end]);
    folded = folded.slice(0, q.start) + ' '.repeat(q.end - q.start) + folded.slice(q.end);
  }
  const qualified = qualifiers.length > 0 ? qualifiedWindow(qualifiers) : null;

  // Part of the day, found by us (chrono's Spanish "mañana" = tomorrow collides with "por la mañana").
  let part: PartOfDay | null = null;
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

  // What chrono sees: the unused text without our own spans, collapsed and bounded.
  const ours = new Uint8Array(a.original.length);
  for (const [s, e] of spans) ours.fill(1, s, e);
  const input = chronoInput(a.masked(), ours);
  const reference = { instant: now, timezone: timeZoneOffsetMinutes(now, timeZone) };
  const results = parseWithChrono(input.text, language, reference);

  let main = results[0] ?? null;
  let timeOnly: chrono.ParsedResult | null = null;
  if (main) {
    spans.push(originalSpan(input, main.index, main.text.length));
    if (!main.start.isCertain('hour')) {
      timeOnly = results.slice(1).find((r) => r.start.isCertain('hour')) ?? null;
      if (timeOnly) spans.push(originalSpan(input, timeOnly.index, timeOnly.text.length));
    }
  }
  if (!main && !part && !nextWeek && !qualified) return null;

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
    const before = fold(input.text.slice(Math.max(0, main.index - 40), main.index));
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
        const rangeStart = main.index - (before.length - r.index);
        spans.push([input.toOriginal[rangeStart], input.toOriginal[main.index]]);
      }
    }
  }

  // "around 3", "make it 4": a clock time like "at 3"; other qualifiers bound a window (below).
  if (qualified?.around) {
    relativeInstant = null;
    hour = Math.floor(qualified.from / 60);
    minute = qualified.from % 60;
    minuteKnown = true;
    endHour = null;
  }

  let from: Date;
  let to: Date;
  let precision: TimePrecision;
  let minutes: [number, number] | null = null;
  if (qualified && !qualified.around) {
    precision = 'range';
    let [m0, m1] = [qualified.from, qualified.to];
    if (part) {
      // "tomorrow afternoon after 3": the qualifier narrows the part of the day when they overlap
      const [h0, h1] = PART_OF_DAY_HOURS[part];
      if (Math.max(m0, h0 * 60) < Math.min(m1, h1 * 60)) [m0, m1] = [Math.max(m0, h0 * 60), Math.min(m1, h1 * 60)];
    }
    const build = (d: CalendarDate, m: number) => zonedTimeToInstant(d.year, d.month, d.day, Math.floor(m / 60), m % 60, timeZone);
    const end = (d: CalendarDate) => (m1 >= 24 * 60 ? zonedTimeToInstant(addDays(d, 1).year, addDays(d, 1).month, addDays(d, 1).day, 0, 0, timeZone) : build(d, m1));
    if (!dayKnown && end(date).getTime() <= now.getTime()) date = addDays(date, 1);
    from = build(date, m0);
    to = end(date);
    minutes = [m0, m1];
    hour = null;
  } else if (relativeInstant) {
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
    // an explicit range ("between 2 and 4pm" read by chrono) is any start inside it
    if (endHour !== null) precision = 'range';
    const start = hour * 60 + (minute ?? 0);
    minutes = [start, start + Math.round((to.getTime() - from.getTime()) / 60000)];
  } else if (part) {
    precision = 'part_of_day';
    const [h0, h1] = PART_OF_DAY_HOURS[part];
    let w = windowOf(date, h0, 0, date, h1, 0, timeZone);
    if (!dayKnown && w.to.getTime() <= now.getTime()) {
      date = addDays(date, 1);
      w = windowOf(date, h0, 0, date, h1, 0, timeZone);
    }
    ({ from, to } = w);
    minutes = [h0 * 60, h1 * 60];
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
    minutes,
  };
}

/** The preferred time named in a message, as a window in context.timeZone, or null. */
export function parseTimePreference(
  text: string,
  context: Pick<UnderstandingContext, 'now' | 'timeZone'> & Partial<UnderstandingContext>,
  language: Language = detectLanguage(text),
): TimePreference | null {
  const a = new Analysis(text);
  markEmailsLinksPhones(a);
  const budget = findBudget(a);
  if (budget) a.mark(budget.start, budget.end);
  return findTime(a, { offeredSlots: [], previousLanguage: null, ...context }, language)?.preference ?? null;
}
