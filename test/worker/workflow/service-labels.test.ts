import { serviceLabel } from '../../../services/worker/src/workflow/service-labels';
import { describeOpeningHours, overlapsOpenHours, type OpeningHours } from '../../../services/worker/src/workflow/opening-hours';

describe('service labels', () => {
  it('names the built-in services in the customer’s language', () => {
    expect(serviceLabel('web design', 'es')).toBe('diseño web');
    expect(serviceLabel('web design', 'en')).toBe('web design');
    expect(serviceLabel('advertising', 'es')).toBe('publicidad');
    expect(serviceLabel('social media, web design', 'es')).toBe('redes sociales y diseño web');
    expect(serviceLabel('SEO, content, branding', 'en')).toBe('SEO, content and branding');
  });

  it('prefers the business’s own label, matched without case or accents, per language', () => {
    const own = { 'Diseño Web': { es: 'páginas web' } };
    expect(serviceLabel('web design', 'es', { 'web design': { es: 'páginas web' } })).toBe('páginas web');
    expect(serviceLabel('diseno web', 'es', own)).toBe('páginas web');
    expect(serviceLabel('web design', 'en', { 'web design': { es: 'páginas web' } })).toBe('web design'); // no English override
  });

  it('shows a goal nobody labelled as it is (the customer’s words)', () => {
    expect(serviceLabel('more customers for my bakery', 'es')).toBe('more customers for my bakery');
  });
});

describe('opening hours', () => {
  const weekdays: OpeningHours = { timeZone: 'Europe/Madrid', days: { 1: [[540, 1020]], 2: [[540, 1020]], 3: [[540, 1020]], 4: [[540, 1020]], 5: [[540, 840], [900, 1080]] } };

  it('says the week in the customer’s language, joining days with the same hours', () => {
    expect(describeOpeningHours(weekdays, 'en')).toBe('Monday to Thursday, 9:00–17:00; Friday, 9:00–14:00, 15:00–18:00');
    expect(describeOpeningHours(weekdays, 'es')).toBe('de lunes a jueves, de 9:00 a 17:00; viernes, de 9:00 a 14:00 y de 15:00 a 18:00');
    expect(describeOpeningHours({ timeZone: 'UTC', days: {} }, 'en')).toBeNull();
  });

  it('a window overlaps when any minute of it is open, in the business’s zone', () => {
    const at = (iso: string) => Date.parse(iso);
    // Saturday 5 December 2026, all day (Madrid): closed
    expect(overlapsOpenHours(weekdays, at('2026-12-05T00:00:00+01:00'), at('2026-12-06T00:00:00+01:00'))).toBe(false);
    // Tuesday 20:00-21:00 Madrid: closed; 16:30-17:30: open for its first half hour
    expect(overlapsOpenHours(weekdays, at('2026-12-01T20:00:00+01:00'), at('2026-12-01T21:00:00+01:00'))).toBe(false);
    expect(overlapsOpenHours(weekdays, at('2026-12-01T16:30:00+01:00'), at('2026-12-01T17:30:00+01:00'))).toBe(true);
    // Friday's lunch break, 14:00-15:00: closed; a week-long window: open
    expect(overlapsOpenHours(weekdays, at('2026-12-04T14:00:00+01:00'), at('2026-12-04T15:00:00+01:00'))).toBe(false);
    expect(overlapsOpenHours(weekdays, at('2026-12-05T00:00:00+01:00'), at('2026-12-12T00:00:00+01:00'))).toBe(true);
  });
});
