/**
 * Wall-clock arithmetic in IANA time zones on Intl alone (no date library). GHL speaks in local times with
 * offsets, business hours are local, customers say "tomorrow at 3pm": all of it goes through here.
 */

export interface LocalParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday .. 6 = Saturday */
  weekday: number;
}

/** Keyed by the zone's canonical name only, so hostile spellings ("utc", "ETC/utc"…) cannot grow the cache. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    f = formatters.get(canonical);
    if (f) return f;
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(canonical, f);
  }
  return f;
}

/**
 * The canonical IANA name of a zone (`resolvedOptions().timeZone`: "america/new_york" → "America/New_York"),
 * or null for anything Intl does not know: blank, null, a typo, an offset string GHL never documented.
 */
export function canonicalTimeZone(timeZone: unknown): string | null {
  if (typeof timeZone !== 'string' || timeZone.trim() === '' || timeZone.length > 64) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: timeZone.trim() }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function isValidTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== null;
}

const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Wall-clock fields of an instant in an IANA zone. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAY_INDEX[parts.weekday] ?? 0,
  };
}

/** Offset of the zone from UTC at that instant, in minutes (New York in winter: -300). */
export function timeZoneOffsetMinutes(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60000);
}

/**
 * The instant at which the zone's clocks show that wall-clock time. In a spring-forward gap the later
 * reading wins (02:30 → 03:30); in a fall-back overlap the earlier one.
 */
export function zonedTimeToInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string, second = 0): Date {
  const wanted = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = wanted - timeZoneOffsetMinutes(new Date(wanted), timeZone) * 60000;
  const again = wanted - timeZoneOffsetMinutes(new Date(first), timeZone) * 60000;
  const candidates = [...new Set([first, again])].sort((a, b) => a - b);
  for (const c of candidates) {
    const p = localParts(new Date(c), timeZone);
    if (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) === wanted) return new Date(c);
  }
  return new Date(candidates[candidates.length - 1]);
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** ISO-8601 in the zone's local time with its offset, e.g. 2026-12-01T15:00:00-05:00 (GHL's format). */
export function formatInTimeZone(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  const offset = timeZoneOffsetMinutes(instant, timeZone);
  const sign = offset < 0 ? '-' : '+';
  return (
    `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  );
}
