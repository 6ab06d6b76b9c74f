import { SlotGrid } from '../../services/ghl-sandbox/src/slots';
import { isoWithOffset, offsetMinutes, zonedToUtc } from '../../services/ghl-sandbox/src/time';

describe('time zone helpers', () => {
  it('writes GHL-style ISO times with the zone’s offset, across DST', () => {
    expect(isoWithOffset(Date.parse('2024-10-28T15:00:00Z'), 'America/Chicago')).toBe('2024-10-28T10:00:00-05:00');
    expect(isoWithOffset(Date.parse('2024-12-02T16:00:00Z'), 'America/Chicago')).toBe('2024-12-02T10:00:00-06:00');
    expect(isoWithOffset(Date.parse('2024-06-01T00:00:00Z'), 'UTC')).toBe('2024-06-01T00:00:00+00:00');
    expect(offsetMinutes(Date.parse('2024-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });

  it('turns a local wall time into the instant, on both sides of a DST change', () => {
    expect(zonedToUtc({ year: 2024, month: 3, day: 9 }, 9 * 60, 'America/New_York')).toBe(Date.parse('2024-03-09T14:00:00Z'));
    expect(zonedToUtc({ year: 2024, month: 3, day: 11 }, 9 * 60, 'America/New_York')).toBe(Date.parse('2024-03-11T13:00:00Z'));
  });
});

describe('SlotGrid', () => {
  const grid = new SlotGrid({ timeZone: 'Europe/Madrid', days: [1, 2, 3, 4, 5], open: '09:00', close: '11:00' }, 45, 45);

  it('lists starts on open days that end by closing time', () => {
    // Fri 2024-10-25 and Mon 2024-10-28 (the weekend is closed; DST ends on the 27th).
    const starts = grid.startsBetween(Date.parse('2024-10-25T00:00:00Z'), Date.parse('2024-10-28T23:59:59Z'));
    expect(starts.map((t) => isoWithOffset(t, 'Europe/Madrid'))).toEqual([
      '2024-10-25T09:00:00+02:00',
      '2024-10-25T09:45:00+02:00',
      '2024-10-28T09:00:00+01:00',
      '2024-10-28T09:45:00+01:00',
    ]);
  });

  it('accepts only bookings on that grid', () => {
    const at = (iso: string, minutes = 45) => grid.fits(Date.parse(iso), Date.parse(iso) + minutes * 60_000);
    expect(at('2024-10-28T09:45:00+01:00')).toBe(true);
    expect(at('2024-10-28T10:30:00+01:00')).toBe(false); // ends after closing
    expect(at('2024-10-28T09:30:00+01:00')).toBe(false); // off the grid
    expect(at('2024-10-26T09:00:00+02:00')).toBe(false); // Saturday
  });
});
