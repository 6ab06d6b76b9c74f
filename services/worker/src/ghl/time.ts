import { formatInTimeZone, zonedTimeToInstant } from '@wab/shared';

/**
 * GHL writes most times as ISO with an offset, but its contacts service documents appointment times as
 * "2021-07-16 11:00:00" (no zone). Such a time can only be placed with the calendar's time zone.
 */
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const WALL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/;

/** Epoch ms of a GHL time; zone-less times are read in `timeZone`, or give null without one. */
export function parseGhlTime(value: string | null | undefined, timeZone?: string): number | null {
  if (!value) return null;
  const text = value.trim();
  if (HAS_ZONE.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    return Number.isNaN(ms) ? null : ms;
  }
  const m = WALL.exec(text);
  if (!m || !timeZone) return null;
  return zonedTimeToInstant(+m[1], +m[2], +m[3], +m[4], +m[5], timeZone, +(m[6] ?? 0)).getTime();
}

/** A GHL time as ISO 8601 with an offset in `timeZone` (zone-less ones read there); null when absent or unreadable. */
export function normaliseGhlTime(value: string | null | undefined, timeZone: string): string | null {
  const ms = parseGhlTime(value, timeZone);
  return ms === null ? null : formatInTimeZone(new Date(ms), timeZone);
}
