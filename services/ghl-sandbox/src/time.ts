/**
 * Wall-clock helpers for IANA time zones, on Intl only (no date library): GHL speaks in local times with
 * offsets ("2024-10-28T10:00:00-05:00"), and business hours are local times.
 */

export interface LocalDate {
  year: number;
  month: number; // 1..12
  day: number;
}

export interface WallTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  /** 1 = Monday .. 7 = Sunday (ISO), as in the business-hours `days` option. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function isoWeekday(date: LocalDate): number {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return d === 0 ? 7 : d;
}

export function wallTime(ms: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const date = { year: parts.year, month: parts.month, day: parts.day };
  return { ...date, hour: parts.hour, minute: parts.minute, second: parts.second, weekday: isoWeekday(date) };
}

/** The zone's offset from UTC at that instant, in minutes (east positive). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const w = wallTime(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The instant at which the zone's clocks show `minutes` after midnight of `date`. */
export function zonedToUtc(date: LocalDate, minutes: number, timeZone: string): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const first = naive - offsetMinutes(naive, timeZone) * 60_000;
  // Near a DST change the offset at the first guess can differ from the offset at the answer.
  const second = naive - offsetMinutes(first, timeZone) * 60_000;
  return second;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

export function formatLocalDate(date: LocalDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** `2024-10-28T10:00:00-05:00`: the format GHL uses for slots and appointment times. */
export function isoWithOffset(ms: number, timeZone: string): string {
  const w = wallTime(ms, timeZone);
  const off = offsetMinutes(ms, timeZone);
  const sign = off < 0 ? '-' : '+';
  return `${formatLocalDate(w)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

/** Parses `HH:MM` (00:00..24:00) into minutes after midnight. */
export function parseClock(value: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) throw new Error(`not a HH:MM time: ${value}`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59 || minutes > 24 * 60) throw new Error(`not a HH:MM time: ${value}`);
  return minutes;
}
