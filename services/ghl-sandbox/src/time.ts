/**
 * Wall-clock helpers for IANA time zones, on Intl only (no date library): GHL speaks in local times with
 * offsets ("2024-10-28T10:00:00-05:00"), and business hours are local times.
 */

import { formatInTimeZone, localParts, timeZoneOffsetMinutes, zonedTimeToInstant } from '@wab/shared';

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

export { isValidTimeZone } from '@wab/shared';

export function isoWeekday(date: LocalDate): number {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return d === 0 ? 7 : d;
}

export function wallTime(ms: number, timeZone: string): WallTime {
  const p = localParts(new Date(ms), timeZone);
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second, weekday: p.weekday === 0 ? 7 : p.weekday };
}

/** The zone's offset from UTC at that instant, in minutes (east positive). */
export const offsetMinutes = (ms: number, timeZone: string) => timeZoneOffsetMinutes(new Date(ms), timeZone);

/** The instant at which the zone's clocks show `minutes` after midnight of `date`. */
export function zonedToUtc(date: LocalDate, minutes: number, timeZone: string): number {
  return zonedTimeToInstant(date.year, date.month, date.day, Math.floor(minutes / 60), minutes % 60, timeZone).getTime();
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
export const isoWithOffset = (ms: number, timeZone: string) => formatInTimeZone(new Date(ms), timeZone);

/**
 * `2021-07-16 11:00:00`: the zone's wall clock with no offset, as GHL's contact appointments list writes
 * its times (a reader must know the zone: the calendar's, or the location's).
 */
export function zonelessLocal(ms: number, timeZone: string): string {
  const w = wallTime(ms, timeZone);
  return `${formatLocalDate(w)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** Parses `HH:MM` (00:00..24:00) into minutes after midnight. */
export function parseClock(value: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) throw new Error(`not a HH:MM time: ${value}`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59 || minutes > 24 * 60) throw new Error(`not a HH:MM time: ${value}`);
  return minutes;
}
