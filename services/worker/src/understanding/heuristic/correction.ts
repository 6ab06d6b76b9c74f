/**
 * Corrections keep what they do not name. A time already known ("Tuesday at 11") and a message that
 * names only a day ("oh wait, Thursday") give Thursday at 11; one that names only a clock time or a
 * part of the day ("make it 3", "actually in the afternoon") keeps the known day. "Thursday, any
 * time" replaces the whole window. A merged window that would already be over is not used.
 */
import { formatInTimeZone, localParts, zonedTimeToInstant } from '@wab/shared';
import type { TimePreference, UnderstandingContext } from '../understanding';
import { addDays, type CalendarDate } from './calendar';
import { ANY_TIME_RE, type TimeHit } from './time';

const DAY_MS = 24 * 3600_000;

/** The known window as a local day and local minutes (the minutes only when it is within a day). */
function describeKnown(known: TimePreference, timeZone: string): { date: CalendarDate; minutes: [number, number] | null } | null {
  const from = Date.parse(known.from);
  const to = Date.parse(known.to);
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) return null;
  const p = localParts(new Date(from), timeZone);
  const date = { year: p.year, month: p.month, day: p.day };
  if (known.precision === 'day') return to - from <= DAY_MS + 3600_000 ? { date, minutes: null } : null; // "next week" names no day
  const start = p.hour * 60 + p.minute;
  return { date, minutes: [start, start + Math.round((to - from) / 60_000)] };
}

function windowOn(date: CalendarDate, [m0, m1]: [number, number], timeZone: string): { from: Date; to: Date } {
  const at = (m: number) => {
    const d = addDays(date, Math.floor(m / (24 * 60)));
    const rest = m % (24 * 60);
    return zonedTimeToInstant(d.year, d.month, d.day, Math.floor(rest / 60), rest % 60, timeZone);
  };
  return { from: at(m0), to: at(m1) };
}

/** `hit` completed with the part of the known time it leaves out; `hit` itself when nothing applies. */
export function mergeWithKnownTime(hit: TimeHit, context: UnderstandingContext, folded: string): TimeHit {
  const known = context.known?.preferredTime;
  if (!known) return hit;
  const k = describeKnown(known, context.timeZone);
  if (!k) return hit;
  let merged: { date: CalendarDate; minutes: [number, number]; precision: TimePreference['precision'] } | null = null;
  if (hit.preference.precision === 'day' && hit.dayKnown && k.minutes && !ANY_TIME_RE.test(folded)) {
    merged = { date: hit.date, minutes: k.minutes, precision: known.precision };
  } else if (!hit.dayKnown && hit.minutes && hit.preference.precision !== 'day') {
    merged = { date: k.date, minutes: hit.minutes, precision: hit.preference.precision };
  }
  if (!merged) return hit;
  const { from, to } = windowOn(merged.date, merged.minutes, context.timeZone);
  if (to.getTime() <= context.now.getTime()) return hit;
  const exact = merged.precision === 'exact';
  return {
    ...hit,
    preference: { ...hit.preference, from: formatInTimeZone(from, context.timeZone), to: formatInTimeZone(to, context.timeZone), precision: merged.precision },
    date: merged.date,
    dayKnown: true,
    hour: exact ? Math.floor(merged.minutes[0] / 60) : null,
    minute: exact ? merged.minutes[0] % 60 : null,
    minuteKnown: exact,
    part: merged.precision === 'part_of_day' ? hit.part : null,
    minutes: merged.minutes,
  };
}
