import { normaliseGhlTime, parseGhlTime } from '../../../services/worker/src/ghl/time';

describe('GHL times', () => {
  it('reads a zone-less time (as GHL lists appointments) in the given zone, and keeps an offset it was given', () => {
    expect(normaliseGhlTime('2026-12-02 10:00:00', 'America/New_York')).toBe('2026-12-02T10:00:00-05:00');
    expect(parseGhlTime('2026-12-02 10:00:00', 'America/New_York')).toBe(Date.parse('2026-12-02T15:00:00Z'));
    expect(normaliseGhlTime('2026-12-02T15:00:00Z', 'America/New_York')).toBe('2026-12-02T10:00:00-05:00');
  });

  it.each([[''], ['   '], [null], [undefined], ['not a time']])('%j is no time', (value) => {
    expect(normaliseGhlTime(value as string | null | undefined, 'UTC')).toBeNull();
  });
});
