/** The one blank rule (GHL's "" means absent) and the time-zone check, and the webhook normaliser using them. */
import { z } from 'zod';
import {
  MESSAGE_STATUSES,
  WEBHOOK_EVENT_TYPES,
  absentIfBlank,
  boundedLabel,
  canonicalTimeZone,
  normaliseWebhook,
  optionalText,
  textOrNull,
} from '@wab/shared';

describe('blank means absent', () => {
  it.each([[''], ['   '], ['\t\n'], [null], [undefined]])('%j reads as absent', (value) => {
    expect(absentIfBlank(value)).toBeUndefined();
    expect(optionalText.parse(value)).toBeUndefined();
    expect(textOrNull(value as string | null | undefined)).toBeNull();
  });

  it('present text is kept, trimmed', () => {
    expect(optionalText.parse('  Ana ')).toBe('Ana');
    expect(z.object({ name: optionalText }).parse({ name: '', extra: 1 })).toEqual({ name: undefined });
  });
});

describe('canonicalTimeZone', () => {
  it.each([
    ['America/New_York', 'America/New_York'],
    ['america/new_york', 'America/New_York'],
    ['utc', 'UTC'],
    [' Europe/Madrid ', 'Europe/Madrid'],
  ])('%j is the zone %s', (input, zone) => expect(canonicalTimeZone(input)).toBe(zone));

  it.each([[''], ['   '], ['Mars/Olympus_Mons'], ['GMT+25'], ['x'.repeat(200)], [null], [42]])('%j is no zone', (input) => {
    expect(canonicalTimeZone(input)).toBeNull();
  });
});

describe('webhooks with GHL-style blanks', () => {
  const options = { acceptedChannels: ['whatsapp'] };
  const reference = (overrides: Record<string, unknown>, contact: Record<string, unknown> = {}) => ({
    type: 'message',
    contactId: '',
    locationId: '',
    webhookId: ' ',
    message: { id: '', body: 'hi', from: '+15550001111' },
    contact: { id: '', name: '', email: '   ', timezone: '', ...contact },
    ...overrides,
  });

  it('blank ids, names and zones are absent: the contact is keyed by phone and nothing blank reaches the job', () => {
    const n = normaliseWebhook(reference({}), options);
    if (n.outcome !== 'event' || n.event.kind !== 'customer_message') throw new Error('expected a customer message');
    expect(n.contactKey).toBe('+15550001111');
    expect(n.locationId).toBeNull();
    expect(n.dedupeIds).toEqual([]);
    expect(n.event).toMatchObject({ contactId: null, name: null, email: null, timezone: null, messageId: null });
  });

  it('a blank messageType falls back to messageTypeString', () => {
    const n = normaliseWebhook(
      { type: 'InboundMessage', contactId: 'c1', from: '+15550001111', body: 'hi', messageType: '', messageTypeString: 'TYPE_WHATSAPP' },
      options,
    );
    expect(n.outcome).toBe('event');
  });

  it('a blank id where one is required is a validation error, not an empty id', () => {
    expect(() => normaliseWebhook({ type: 'InboundMessage', contactId: '  ', from: '+15550001111', body: 'hi', messageType: 'WhatsApp' }, options)).toThrow(
      /contactId/,
    );
    expect(() => normaliseWebhook({ type: 'AppointmentDelete', appointment: { id: '' } }, options)).toThrow(/appointment\.id/);
  });
});

describe('metric labels from outside are bounded', () => {
  it('keeps known values and folds the rest into other', () => {
    expect(boundedLabel('delivered', MESSAGE_STATUSES)).toBe('delivered');
    expect(boundedLabel('x'.repeat(30), MESSAGE_STATUSES)).toBe('other');
    expect(boundedLabel('InboundMessage', WEBHOOK_EVENT_TYPES)).toBe('InboundMessage');
    expect(boundedLabel(`Evil${Math.random()}`, WEBHOOK_EVENT_TYPES)).toBe('other');
    expect(boundedLabel(undefined, WEBHOOK_EVENT_TYPES)).toBe('other');
  });
});
