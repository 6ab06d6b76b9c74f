import { Redis } from 'ioredis';
import {
  GhlApiError,
  GhlClient,
  GhlRateBudget,
  GhlUncertainError,
  isSlotUnavailable,
  parseGhlTime,
  SLOT_UNAVAILABLE_MESSAGE,
  undiciTransport,
  type GhlCall,
  type GhlClientOptions,
  type GhlTransport,
} from '../../../services/worker/src/ghl';
import { calendarAnswer, conversationMessagesAnswer } from '../../../services/worker/src/ghl/types';
import { startGhlDouble, type GhlDouble } from '../../support/ghl-double';
import { deletePrefix, redisUrl, testPrefix } from '../../support/redis';

let ghl: GhlDouble;
let redis: Redis;
const prefix = testPrefix('ghl-client');

beforeAll(async () => {
  ghl = await startGhlDouble();
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  await ghl.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});
beforeEach(async () => {
  await ghl.reset();
});

interface Sent {
  method: string;
  url: URL;
  headers: Headers;
  at: number;
}

/** A client on the sandbox that records every request and every attempt; quick backoff for tests. */
function makeClient(overrides: Partial<GhlClientOptions> = {}) {
  const sent: Sent[] = [];
  const calls: GhlCall[] = [];
  const recording: GhlTransport = (exchange) => {
    sent.push({ method: exchange.method, url: exchange.url, headers: new Headers(exchange.headers), at: Date.now() });
    return undiciTransport(exchange);
  };
  const client = new GhlClient({
    baseUrl: ghl.url,
    token: ghl.token,
    locationId: ghl.locationId,
    timeZone: 'UTC', // the double's business zone
    timeoutMs: 2_000,
    // A short window: a 429 without Retry-After blocks the location for one window.
    budget: new GhlRateBudget(redis, prefix, { limit: 100, windowMs: 200 }),
    transport: recording,
    onCall: (c) => calls.push(c),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...overrides,
  });
  return { client, sent, calls, statuses: () => calls.map((c) => c.status) };
}

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

describe('GhlClient requests', () => {
  it('sends the bearer token, Accept and each service’s Version', async () => {
    const contact = await ghl.seedContact({ phone: '+34611000001' });
    const { client, sent } = makeClient();
    await client.getCalendar(ghl.calendarId);
    await client.getContact(contact.id);
    await client.sendWhatsApp(contact.id, 'hola');
    expect(sent.map((s) => [s.url.pathname, s.headers.get('version')])).toEqual([
      [`/calendars/${ghl.calendarId}`, '2021-04-15'],
      [`/contacts/${contact.id}`, '2021-07-28'],
      ['/conversations/messages', '2021-04-15'],
    ]);
    for (const s of sent) {
      expect(s.headers.get('authorization')).toBe(`Bearer ${ghl.token}`);
      expect(s.headers.get('accept')).toBe('application/json');
    }
  });

  it('reads the calendar’s slot length and interval', async () => {
    const { client } = makeClient();
    await expect(client.getCalendar(ghl.calendarId)).resolves.toMatchObject({ id: ghl.calendarId, slotDurationMinutes: 30, slotIntervalMinutes: 30 });
  });

  it('reads the calendar’s open hours per weekday (the test double: every day, 9:00–17:00)', async () => {
    const { client } = makeClient();
    const { openHours } = await client.getCalendar(ghl.calendarId);
    const day: Array<[number, number]> = [[540, 1020]];
    expect(openHours).toEqual({ 0: day, 1: day, 2: day, 3: day, 4: day, 5: day, 6: day });
  });

  it('a calendar whose open hours cannot be read still reads (it only loses the "closed then" answer)', () => {
    const base = { id: 'cal_1', slotDuration: 30, slotDurationUnit: 'mins', extra: 'kept out' };
    for (const openHours of [[{ daysOfTheWeek: ['mon'], hours: '9-5' }], 'always', [{ daysOfTheWeek: [9], hours: [] }], null]) {
      const parsed = calendarAnswer.parse({ calendar: { ...base, openHours } });
      expect(parsed.calendar).toMatchObject({ id: 'cal_1', slotDuration: 30, openHours: null });
    }
    expect(calendarAnswer.parse({ calendar: base }).calendar.openHours).toBeUndefined();
  });
});

describe('free slots', () => {
  it('parses the days, skips traceId and other keys, and sorts by time whatever order GHL uses', async () => {
    // Hand the client the sandbox's answer with days and slots reversed and an extra non-date key.
    const shuffling: GhlTransport = async (exchange) => {
      const res = await undiciTransport(exchange);
      if (!exchange.url.pathname.includes('/free-slots')) return res;
      const body = JSON.parse(res.text) as Record<string, unknown>;
      const reversed: Record<string, unknown> = { meta: { note: 'not a day' } };
      for (const key of Object.keys(body).reverse()) {
        const v = body[key] as { slots?: string[] };
        reversed[key] = v && Array.isArray(v.slots) ? { slots: [...v.slots].reverse() } : v;
      }
      return { ...res, text: JSON.stringify(reversed) };
    };
    const { client } = makeClient({ transport: shuffling });
    const from = Date.parse(`${tomorrow()}T00:00:00Z`);
    const slots = await client.freeSlots(ghl.calendarId, from, from + 3 * 86_400_000 - 1, 'UTC');
    expect(slots).toHaveLength(3 * 16);
    expect(slots[0]).toBe(`${tomorrow()}T09:00:00+00:00`);
    const times = slots.map((s) => Date.parse(s));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('splits a 40-day range into calls GHL accepts, without losing or repeating a slot', async () => {
    const { client, calls } = makeClient();
    const from = Date.parse(`${tomorrow()}T00:00:00Z`);
    const slots = await client.freeSlots(ghl.calendarId, from, from + 40 * 86_400_000 - 1, 'UTC');
    expect(calls.filter((c) => c.endpoint === 'freeSlots').map((c) => c.status)).toEqual([200, 200]);
    expect(slots).toHaveLength(40 * 16);
    expect(new Set(slots).size).toBe(slots.length);
    const times = slots.map((s) => Date.parse(s));
    expect(times.every((t, i) => i === 0 || t > times[i - 1])).toBe(true);
  });
});

describe('retries on reads', () => {
  it('retries 429 then 500 and returns the one success', async () => {
    await ghl.injectFaults({ endpoint: 'getCalendar', responses: [429, 500] });
    const { client, statuses } = makeClient();
    await expect(client.getCalendar(ghl.calendarId)).resolves.toMatchObject({ slotDurationMinutes: 30 });
    expect(statuses()).toEqual([429, 500, 200]);
  });

  it('retries a timeout and a cut connection', async () => {
    await ghl.injectFaults({ endpoint: 'getCalendar', responses: ['timeout', 'drop'] });
    const { client, statuses } = makeClient({ timeoutMs: 300 });
    await expect(client.getCalendar(ghl.calendarId)).resolves.toBeDefined();
    expect(statuses()).toEqual(['network', 'network', 200]);
  });

  it('gives up after 4 attempts with a retryable GhlApiError', async () => {
    await ghl.injectFaults({ endpoint: 'getCalendar', responses: [503, 503, 503, 503] });
    const { client, statuses } = makeClient();
    const error = await client.getCalendar(ghl.calendarId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GhlApiError);
    expect(error).toMatchObject({ status: 503, retryable: true, permanent: false, endpoint: 'getCalendar' });
    expect(statuses()).toEqual([503, 503, 503, 503]);
  });

  it('waits out Retry-After, and leaves one longer than allowed to the caller', async () => {
    await ghl.injectFaults({ endpoint: 'getCalendar', responses: [{ status: 429, retryAfterSeconds: 1 }] });
    const { client, sent } = makeClient();
    await client.getCalendar(ghl.calendarId);
    expect(sent).toHaveLength(2);
    expect(sent[1].at - sent[0].at).toBeGreaterThanOrEqual(950);

    // Its own budget: a 2-minute Retry-After blocks the location in the budget it was reported to.
    await ghl.injectFaults({ endpoint: 'getCalendar', responses: [{ status: 429, retryAfterSeconds: 120 }] });
    const other = makeClient({ budget: new GhlRateBudget(redis, `${prefix}-long`, { windowMs: 200 }) });
    const error = await other.client.getCalendar(ghl.calendarId).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 120_000 });
    expect(other.sent).toHaveLength(1);
    await deletePrefix(redis, `${prefix}-long`);
  });

  it('retries tag changes (idempotent) on 5xx', async () => {
    const contact = await ghl.seedContact({ phone: '+34611000002' });
    await ghl.injectFaults({ endpoint: 'addTags', responses: [500, 'drop'] });
    const { client, statuses } = makeClient();
    await expect(client.addTags(contact.id, ['booked'])).resolves.toEqual(['booked']);
    expect(statuses()).toEqual([500, 'network', 201]);
  });
});

describe('appointments, which must never be made twice', () => {
  const slot = () => `${tomorrow()}T10:00:00+00:00`;

  it('retries a 429 once and makes exactly one appointment', async () => {
    const contact = await ghl.seedContact({ phone: '+34611000003' });
    await ghl.injectFaults({ endpoint: 'createAppointment', responses: [429] });
    const { client, statuses } = makeClient();
    const made = await client.createAppointment({ calendarId: ghl.calendarId, contactId: contact.id, startTime: slot(), title: 'Cut' });
    expect(made).toMatchObject({ id: expect.any(String), startTime: slot(), endTime: `${tomorrow()}T10:30:00+00:00` });
    expect(statuses()).toEqual([429, 200]);
    expect(await ghl.appointments()).toHaveLength(1);
  });

  it('throws GhlUncertainError on a lost answer, and contactAppointments shows the booking happened', async () => {
    const contact = await ghl.seedContact({ phone: '+34611000004' });
    await ghl.injectFaults({ endpoint: 'createAppointment', responses: ['drop-after-effect'] });
    const { client, statuses } = makeClient();
    const error = await client.createAppointment({ calendarId: ghl.calendarId, contactId: contact.id, startTime: slot(), title: 'Cut' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GhlUncertainError);
    expect(error).not.toBeInstanceOf(GhlApiError); // so no generic "retryable" handler resends it
    expect(statuses()).toEqual(['network']);
    const found = await client.contactAppointments(contact.id);
    expect(found).toEqual([expect.objectContaining({ calendarId: ghl.calendarId, startMs: Date.parse(slot()), active: true })]);
  });

  it('does not retry a create after a 5xx or a timeout', async () => {
    const contact = await ghl.seedContact({ phone: '+34611000005' });
    await ghl.injectFaults({ endpoint: 'createAppointment', responses: [500, 'timeout'] });
    const { client, statuses } = makeClient({ timeoutMs: 300 });
    const input = { calendarId: ghl.calendarId, contactId: contact.id, startTime: slot(), title: 'Cut' };
    await expect(client.createAppointment(input)).rejects.toMatchObject({ name: 'GhlUncertainError', status: 500 });
    await expect(client.createAppointment(input)).rejects.toMatchObject({ name: 'GhlUncertainError', status: null });
    expect(statuses()).toEqual([500, 'network']);
    expect(await client.contactAppointments(contact.id)).toEqual([]); // those faults did nothing
  });

  it('reports a taken slot as a permanent GhlApiError with GHL’s message', async () => {
    const [a, b] = await Promise.all([ghl.seedContact({ phone: '+34611000006' }), ghl.seedContact({ phone: '+34611000007' })]);
    const { client, statuses } = makeClient();
    await client.createAppointment({ calendarId: ghl.calendarId, contactId: a.id, startTime: slot(), title: 'Cut' });
    const error = await client.createAppointment({ calendarId: ghl.calendarId, contactId: b.id, startTime: slot(), title: 'Cut' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GhlApiError);
    expect(error).toMatchObject({ status: 400, permanent: true, retryable: false, ghlMessage: SLOT_UNAVAILABLE_MESSAGE });
    expect(isSlotUnavailable(error)).toBe(true);
    expect(statuses()).toEqual([200, 400]);
  });
});

describe('4xx answers are permanent', () => {
  it('carries GHL’s message and is not retried', async () => {
    const { client, statuses } = makeClient();
    await expect(client.getCalendar('no-such-calendar')).rejects.toMatchObject({ status: 404, permanent: true, ghlMessage: 'Calendar not found' });
    const badToken = makeClient({ token: 'pit-wrong' });
    await expect(badToken.client.getCalendar(ghl.calendarId)).rejects.toMatchObject({ status: 401, permanent: true, ghlMessage: expect.stringMatching(/token/i) });
    expect(statuses()).toEqual([404]);
    expect(badToken.statuses()).toEqual([401]);
  });
});

describe('contacts', () => {
  it('upserts by phone, finds by phone (with its +), reads, and changes tags without replacing them', async () => {
    const { client } = makeClient();
    const made = await client.upsertContact({ phone: '+15550101010', name: 'Lena Park' });
    expect(made).toMatchObject({ isNew: true, phone: '+15550101010', firstName: 'Lena', dnd: false, tags: [] });
    const again = await client.upsertContact({ phone: '+15550101010', email: 'lena@example.com' });
    expect(again).toMatchObject({ isNew: false, id: made.id, email: 'lena@example.com' });
    expect((await client.findContactByPhone('+15550101010'))?.id).toBe(made.id);
    expect(await client.findContactByPhone('+15550109999')).toBeNull();
    expect(await client.getContact('nobody')).toBeNull();
    await client.addTags(made.id, ['vip', 'booked']);
    expect(await client.removeTags(made.id, ['booked'])).toEqual(['vip']);
    expect((await client.getContact(made.id))?.tags).toEqual(['vip']);
  });
});

describe('messages, which must never be sent twice', () => {
  it('throws GhlUncertainError on a lost answer, and listConversationMessages shows the message went out', async () => {
    const contact = await ghl.seedContact({ phone: '+34611000008' });
    const { client, statuses } = makeClient();
    const first = await client.sendWhatsApp(contact.id, 'first');
    await ghl.injectFaults({ endpoint: 'sendMessage', responses: ['drop-after-effect'] });
    await expect(client.sendWhatsApp(contact.id, 'second')).rejects.toBeInstanceOf(GhlUncertainError);
    expect(statuses()).toEqual([200, 'network']);
    const history = await client.listConversationMessages(contact.id);
    expect(history.map((m) => m.body)).toEqual(['first', 'second']);
    expect(history[0]).toMatchObject({ id: first.messageId, conversationId: first.conversationId, direction: 'outbound' });
    expect((await ghl.sentMessages(contact.id)).map((m) => m.body)).toEqual(['first', 'second']);
  });

  it('pages back through a long conversation and returns it oldest first', async () => {
    const contact = await ghl.seedContact({ phone: '+34611000009' });
    const { client } = makeClient();
    for (let i = 1; i <= 5; i++) await client.sendWhatsApp(contact.id, `m${i}`);
    expect((await client.listConversationMessages(contact.id, { limit: 3 })).map((m) => m.body)).toEqual(['m3', 'm4', 'm5']);
    expect(await client.listConversationMessages('no-conversation')).toEqual([]);
  });
});

describe('answer shapes GHL documents loosely', () => {
  it('reads zone-less appointment times in a given zone', () => {
    expect(parseGhlTime('2021-07-16 11:00:00', 'America/New_York')).toBe(Date.parse('2021-07-16T15:00:00Z'));
    expect(parseGhlTime('2021-07-16 11:00:00')).toBeNull();
    expect(parseGhlTime('2021-06-23T03:30:00+05:30')).toBe(Date.parse('2021-06-22T22:00:00Z'));
  });

  it('accepts conversation messages flat (as documented) or nested under `messages`', () => {
    const page = { lastMessageId: 'b', nextPage: false, messages: [{ id: 'a' }, { id: 'b' }] };
    expect(conversationMessagesAnswer.parse(page).messages).toHaveLength(2);
    expect(conversationMessagesAnswer.parse({ messages: page }).messages).toHaveLength(2);
  });
});
