import { localParts, zonedTimeToInstant } from '@wab/shared';
import type { Language } from '../understanding/understanding';

/**
 * When the business is open, in its own zone: the days and the hours of each (from the calendar's
 * open hours). A time asked for outside them is "closed", not "taken": the customer hears when the
 * business is open, with the nearest free times.
 */
export interface OpeningHours {
  timeZone: string;
  /** 0 = Sunday … 6 = Saturday → open intervals in minutes from local midnight, [open, close) */
  days: Partial<Record<number, Array<[number, number]>>>;
}

const DAY_MS = 24 * 3600_000;
/** Windows longer than this are checked only over their first days (a "next week" window is 7). */
const MAX_DAYS_CHECKED = 8;

/** Whether any minute of [fromMs, toMs) falls in an open interval. */
export function overlapsOpenHours(hours: OpeningHours, fromMs: number, toMs: number): boolean {
  const end = Math.min(toMs, fromMs + MAX_DAYS_CHECKED * DAY_MS);
  const start = localParts(new Date(fromMs), hours.timeZone);
  // Local days from the window's first one, each compared with its open intervals.
  for (let d = 0; d <= MAX_DAYS_CHECKED; d++) {
    const day = new Date(Date.UTC(start.year, start.month - 1, start.day + d));
    const intervals = hours.days[day.getUTCDay()] ?? [];
    for (const [open, close] of intervals) {
      const at = (m: number) => zonedTimeToInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), Math.floor(m / 60), m % 60, hours.timeZone).getTime();
      if (at(open) < end && at(close) > fromMs) return true;
    }
    if (zonedTimeToInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 0, 0, hours.timeZone).getTime() >= end) break;
  }
  return false;
}

const DAY_NAMES: Record<Language, string[]> = {
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  es: ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'],
};

const clock = (m: number) => `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;

/**
 * "Monday to Friday, 9:00–17:00" / "de lunes a viernes, de 9:00 a 17:00": consecutive days with the
 * same hours are joined (the week read from Monday). Null when the business is never open.
 */
export function describeOpeningHours(hours: OpeningHours, lang: Language): string | null {
  const order = [1, 2, 3, 4, 5, 6, 0];
  const groups: Array<{ first: number; last: number; text: string }> = [];
  for (const day of order) {
    const intervals = hours.days[day] ?? [];
    if (intervals.length === 0) continue;
    const text = intervals.map(([o, c]) => (lang === 'es' ? `de ${clock(o)} a ${clock(c)}` : `${clock(o)}–${clock(c)}`)).join(lang === 'es' ? ' y ' : ', ');
    const last = groups[groups.length - 1];
    if (last && last.text === text && order.indexOf(last.last) === order.indexOf(day) - 1) last.last = day;
    else groups.push({ first: day, last: day, text });
  }
  if (groups.length === 0) return null;
  const names = DAY_NAMES[lang];
  return groups
    .map(({ first, last, text }) => {
      const days =
        first === last ? names[first] : lang === 'es' ? `de ${names[first]} a ${names[last]}` : `${names[first]} to ${names[last]}`;
      return `${days}, ${text}`;
    })
    .join('; ');
}

/** The first minute from `fromMs` on (in 15-minute steps, within `horizonMs`) when the business is open; null if none. */
export function nextOpening(hours: OpeningHours, fromMs: number, horizonMs = 8 * 24 * 3600_000): number | null {
  const step = 15 * 60_000;
  for (let t = fromMs; t <= fromMs + horizonMs; t = (Math.floor(t / step) + 1) * step) {
    if (overlapsOpenHours(hours, t, t + 60_000)) return t;
  }
  return null;
}
