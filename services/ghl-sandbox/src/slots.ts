import { addDays, isoWeekday, parseClock, wallTime, zonedToUtc, type LocalDate } from './time';

export interface BusinessHours {
  timeZone: string;
  /** 1 = Monday .. 7 = Sunday. */
  days: number[];
  /** Local opening time, `HH:MM`. */
  open: string;
  /** Local closing time, `HH:MM`; the last slot ends at or before it. */
  close: string;
}

export const DEFAULT_BUSINESS_HOURS: BusinessHours = { timeZone: 'UTC', days: [1, 2, 3, 4, 5], open: '09:00', close: '17:00' };

/**
 * The calendar's slot grid: slots start every `intervalMinutes` from opening time and must end by closing
 * time, on open days. Bookings are checked against the same grid, as GHL checks them against free slots.
 */
export class SlotGrid {
  private readonly openMin: number;
  private readonly closeMin: number;
  private readonly days: Set<number>;

  constructor(
    readonly hours: BusinessHours,
    readonly durationMinutes: number,
    readonly intervalMinutes: number = durationMinutes,
  ) {
    this.openMin = parseClock(hours.open);
    this.closeMin = parseClock(hours.close);
    this.days = new Set(hours.days);
    if (this.closeMin <= this.openMin) throw new Error('business hours must close after they open');
    if (durationMinutes <= 0 || intervalMinutes <= 0) throw new Error('slot duration and interval must be positive');
  }

  /** Every slot start in [fromMs, toMs], ascending, ignoring bookings. */
  startsBetween(fromMs: number, toMs: number): number[] {
    const tz = this.hours.timeZone;
    const starts: number[] = [];
    // One local day of margin either side: the range is in UTC, the grid in local days.
    let day: LocalDate = addDays(wallTime(fromMs, tz), -1);
    const last = addDays(wallTime(toMs, tz), 1);
    while (compareDates(day, last) <= 0) {
      if (this.days.has(isoWeekday(day))) {
        for (let m = this.openMin; m + this.durationMinutes <= this.closeMin; m += this.intervalMinutes) {
          const t = zonedToUtc(day, m, tz);
          if (t >= fromMs && t <= toMs) starts.push(t);
        }
      }
      day = addDays(day, 1);
    }
    return starts;
  }

  /** True when [startMs, endMs) starts on the grid of an open day and ends by closing time. */
  fits(startMs: number, endMs: number): boolean {
    if (!(endMs > startMs) || startMs % 60_000 !== 0) return false;
    const w = wallTime(startMs, this.hours.timeZone);
    if (!this.days.has(w.weekday)) return false;
    const minute = w.hour * 60 + w.minute;
    if (minute < this.openMin || (minute - this.openMin) % this.intervalMinutes !== 0) return false;
    return minute + (endMs - startMs) / 60_000 <= this.closeMin;
  }
}

function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}
