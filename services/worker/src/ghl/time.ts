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
  const naive = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  const first = naive - offsetMs(naive, timeZone);
  return naive - offsetMs(first, timeZone); // second pass: right across DST changes
}

function offsetMs(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - Math.floor(ms / 1000) * 1000;
}
