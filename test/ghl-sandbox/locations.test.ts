import { startGhlDouble, type GhlDouble } from '../support/ghl-double';
import { api, CONTACTS_VERSION, dayStartMs, tomorrow } from './helpers';

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const PIT_A = 'pit-location-a';
const PIT_B = 'pit-location-b';

/** Two sub-accounts with a PIT each: A opens 09:00-17:00 UTC, B 17:00-20:00 in Tokyo (08:00-11:00 UTC). */
let ghl: GhlDouble;

beforeAll(async () => {
  ghl = await startGhlDouble({
    locations: [
      { id: 'loc_a', calendarId: 'cal_a', token: PIT_A, businessHours: { timeZone: 'UTC', days: EVERY_DAY, open: '09:00', close: '17:00' } },
      { id: 'loc_b', calendarId: 'cal_b', token: PIT_B, name: 'Tokyo branch', businessHours: { timeZone: 'Asia/Tokyo', days: EVERY_DAY, open: '17:00', close: '20:00' } },
    ],
    rateLimit: { max: 12, intervalMs: 60_000 },
  });
});
afterAll(async () => {
  await ghl.close();
});
beforeEach(async () => {
  await ghl.reset();
});

const slotsOf = (body: Record<string, { slots: string[] }>) =>
  Object.entries(body)
    .filter(([k]) => k !== 'traceId')
    .flatMap(([, v]) => v.slots);

describe('several locations, each with its own calendar', () => {
  it('names the primary location and its calendar on the double, and lists every location', () => {
    expect(ghl.locationId).toBe('loc_a');
    expect(ghl.calendarId).toBe('cal_a');
    expect(ghl.locations).toEqual([
      { id: 'loc_a', calendarId: 'cal_a' },
      { id: 'loc_b', calendarId: 'cal_b' },
    ]);
  });

  it('gives each calendar its own slots, in its own zone', async () => {
    const from = dayStartMs(tomorrow());
    const a = await api(ghl, 'GET', `/calendars/cal_a/free-slots?startDate=${from}&endDate=${from + 86_399_999}`, { token: PIT_A });
    const b = await api(ghl, 'GET', `/calendars/cal_b/free-slots?startDate=${from}&endDate=${from + 86_399_999}`, { token: PIT_B });
    expect(slotsOf(a.body)).toHaveLength(16);
    for (const s of slotsOf(a.body)) expect(s).toMatch(/T(09|1[0-6]):(00|30):00\+00:00$/);
    expect(slotsOf(b.body).length).toBeGreaterThan(0);
    for (const s of slotsOf(b.body)) expect(s).toMatch(/T(1[789]):(00|30):00\+09:00$/);
    const calendar = await api(ghl, 'GET', '/calendars/cal_b', { token: PIT_B });
    expect(calendar.body.calendar).toEqual(expect.objectContaining({ id: 'cal_b', locationId: 'loc_b', openHours: [expect.objectContaining({ hours: [{ openHour: 17, openMinute: 0, closeHour: 20, closeMinute: 0 }] })] }));
  });

  it('keeps bookings per calendar: an appointment in A does not take the same instant in B', async () => {
    const start = `${tomorrow(2)}T10:00:00Z`; // 10:00 in A, 19:00 in Tokyo: open in both
    const a = await ghl.seedContact({ locationId: 'loc_a', phone: '+14155550191' });
    const b = await ghl.seedContact({ locationId: 'loc_b', phone: '+14155550191' });
    const inA = await api(ghl, 'POST', '/calendars/events/appointments', { token: PIT_A, body: { calendarId: 'cal_a', locationId: 'loc_a', contactId: a.id, startTime: start } });
    expect(inA.status).toBe(200);
    const inB = await api(ghl, 'POST', '/calendars/events/appointments', { token: PIT_B, body: { calendarId: 'cal_b', locationId: 'loc_b', contactId: b.id, startTime: start } });
    expect(inB.status).toBe(200);
    expect(inB.body.startTime).toBe(`${tomorrow(2)}T19:00:00+09:00`);
    const again = await api(ghl, 'POST', '/calendars/events/appointments', { token: PIT_B, body: { calendarId: 'cal_b', locationId: 'loc_b', contactId: b.id, startTime: start } });
    expect(again.status).toBe(400);
    expect((await ghl.appointments('loc_b')).map((x) => x.id)).toEqual([inB.body.id]);
    expect((await ghl.appointments()).length).toBe(2);
    // A contact's appointment list reads in its location's zone (zone-less, as GHL writes it).
    const listed = await api(ghl, 'GET', `/contacts/${b.id}/appointments`, { token: PIT_B, version: CONTACTS_VERSION });
    expect(listed.body.events[0].startTime).toBe(`${tomorrow(2)} 19:00:00`);
  });

  it('keeps contacts per location: one phone is two contacts, and a duplicate search sees only its location', async () => {
    const a = await api(ghl, 'POST', '/contacts/upsert', { token: PIT_A, body: { locationId: 'loc_a', phone: '+14155550192', name: 'Ana' } });
    const b = await api(ghl, 'POST', '/contacts/upsert', { token: PIT_B, body: { locationId: 'loc_b', phone: '+14155550192', name: 'Ana' } });
    expect(a.body.new).toBe(true);
    expect(b.body.new).toBe(true);
    expect(b.body.contact.id).not.toBe(a.body.contact.id);
    const found = await api(ghl, 'GET', `/contacts/search/duplicate?locationId=loc_b&number=${encodeURIComponent('+14155550192')}`, { token: PIT_B });
    expect(found.body.contact.id).toBe(b.body.contact.id);
    const none = await api(ghl, 'GET', `/contacts/search/duplicate?locationId=loc_b&number=${encodeURIComponent('+14155550193')}`, { token: PIT_B });
    expect(none.body.contact).toBeNull();
  });

  it('refuses a PIT on another location’s calendar, contact, conversation or location id with 403', async () => {
    const b = await ghl.seedContact({ locationId: 'loc_b', phone: '+14155550194' });
    await api(ghl, 'POST', '/conversations/messages', { token: PIT_B, body: { type: 'WhatsApp', contactId: b.id, message: 'hello' } });
    const [conversation] = (await api(ghl, 'GET', '/conversations/search?locationId=loc_b', { token: PIT_B })).body.conversations;
    const calls = [
      api(ghl, 'GET', '/calendars/cal_b', { token: PIT_A }),
      api(ghl, 'GET', `/contacts/${b.id}`, { token: PIT_A }),
      api(ghl, 'POST', `/contacts/${b.id}/tags`, { token: PIT_A, body: { tags: ['x'] } }),
      api(ghl, 'GET', `/contacts/${b.id}/appointments`, { token: PIT_A }),
      api(ghl, 'GET', '/conversations/search?locationId=loc_b', { token: PIT_A }),
      api(ghl, 'GET', `/conversations/${conversation.id}/messages`, { token: PIT_A }),
      api(ghl, 'GET', `/contacts/search/duplicate?locationId=loc_b&number=1`, { token: PIT_A }),
    ];
    for (const res of await Promise.all(calls)) expect(res.status).toBe(403);
    expect((await api(ghl, 'GET', `/contacts/${b.id}`, { token: PIT_B })).status).toBe(200);
  });

  it('counts GHL’s rate budget per location: A running out does not stop B', async () => {
    for (let i = 0; i < 12; i++) expect((await api(ghl, 'GET', '/calendars/cal_a', { token: PIT_A })).status).toBe(200);
    const limited = await api(ghl, 'GET', '/calendars/cal_a', { token: PIT_A });
    expect(limited.status).toBe(429);
    const other = await api(ghl, 'GET', '/calendars/cal_b', { token: PIT_B });
    expect(other.status).toBe(200);
    expect(other.headers.get('x-ratelimit-remaining')).toBe('11');
  });

  it('takes the double’s own token as a PIT of the primary location only', async () => {
    expect((await api(ghl, 'GET', '/calendars/cal_a')).status).toBe(200);
    expect((await api(ghl, 'GET', '/calendars/cal_b')).status).toBe(403);
  });
});
