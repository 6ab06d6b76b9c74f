import { startGhlDouble, type GhlDouble } from '../support/ghl-double';
import { addDays, isoWithOffset, wallTime, zonedToUtc } from '../../services/ghl-sandbox/src/time';
import { api, CONTACTS_VERSION, dayStartMs, tomorrow } from './helpers';

let ghl: GhlDouble;

beforeAll(async () => {
  ghl = await startGhlDouble();
});
afterAll(async () => {
  await ghl.close();
});
beforeEach(async () => {
  await ghl.reset();
});

describe('the gate every GHL call passes', () => {
  it('refuses a missing or wrong token with 401 in GHL error shape, still with rate-limit headers', async () => {
    for (const token of [null, 'pit-wrong']) {
      const res = await api(ghl, 'GET', `/calendars/${ghl.calendarId}`, { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, message: expect.any(String), error: 'Unauthorized' });
      expect(res.headers.get('x-ratelimit-max')).toBe('100');
    }
  });

  it('refuses a missing Version header with 400, and a version of another service', async () => {
    const missing = await api(ghl, 'GET', `/calendars/${ghl.calendarId}`, { version: null });
    expect(missing.status).toBe(400);
    expect(missing.body.statusCode).toBe(400);
    const wrong = await api(ghl, 'GET', `/calendars/${ghl.calendarId}`, { version: CONTACTS_VERSION });
    expect(wrong.status).toBe(400);
  });

  it('sends the rate-limit headers on every answer and counts down', async () => {
    const a = await api(ghl, 'GET', `/calendars/${ghl.calendarId}`);
    const b = await api(ghl, 'GET', `/calendars/${ghl.calendarId}`);
    expect(a.headers.get('x-ratelimit-interval-milliseconds')).toBe('10000');
    expect(a.headers.get('x-ratelimit-limit-daily')).toBe('200000');
    expect(Number(b.headers.get('x-ratelimit-remaining'))).toBeLessThan(Number(a.headers.get('x-ratelimit-remaining')));
  });

  it('answers unknown routes with a GHL 404 body', async () => {
    const res = await api(ghl, 'GET', '/calendars/events/nothing/here');
    expect(res.status).toBe(404);
    expect(res.body.statusCode).toBe(404);
  });
});

describe('error bodies, in the shapes GHL’s OpenAPI files give', () => {
  it('answers validation failures with `message` as a list of strings, and the reason in `error`', async () => {
    const contact = await ghl.seedContact({ phone: '+14155550120' });
    const appointment = await api(ghl, 'POST', '/calendars/events/appointments', { body: { calendarId: ghl.calendarId, contactId: contact.id, startTime: 'soon' } });
    expect(appointment.status).toBe(400);
    expect(appointment.body).toEqual({ statusCode: 400, message: [expect.stringMatching(/locationId/), expect.stringMatching(/startTime/)], error: 'Bad Request' });
    const upsert = await api(ghl, 'POST', '/contacts/upsert', { body: { phone: '+14155550121' } });
    expect(upsert.status).toBe(422);
    expect(upsert.body).toEqual({ statusCode: 422, message: [expect.stringMatching(/locationId/)], error: 'Unprocessable Entity' });
  });

  it('refuses a property the contacts DTO does not list, in class-validator’s words, and accepts listed ones it ignores', async () => {
    const extra = await api(ghl, 'POST', '/contacts/upsert', { body: { locationId: ghl.locationId, phone: '+14155550123', additionalEmails: ['a@b.c'] } });
    expect(extra.status).toBe(422);
    expect(extra.body).toEqual({ statusCode: 422, message: ['property additionalEmails should not exist'], error: 'Unprocessable Entity' });
    const listed = await api(ghl, 'POST', '/contacts/upsert', { body: { locationId: ghl.locationId, phone: '+14155550123', source: 'whatsapp bot', country: 'US' } });
    expect(listed.status).toBe(200);
    const contactId: string = listed.body.contact.id;
    expect((await api(ghl, 'POST', `/contacts/${contactId}/tags`, { body: { tags: ['x'], color: 'red' } })).body.message).toEqual(['property color should not exist']);
  });

  it('answers other refusals with `message` as a string: a plain 400 without `error`, as BadRequestDTO has none', async () => {
    const contact = await ghl.seedContact({ phone: '+14155550122' });
    const day = tomorrow();
    const book = () =>
      api(ghl, 'POST', '/calendars/events/appointments', { body: { calendarId: ghl.calendarId, locationId: ghl.locationId, contactId: contact.id, startTime: `${day}T13:00:00Z` } });
    expect((await book()).status).toBe(200);
    const taken = await book();
    expect(taken.status).toBe(400);
    expect(taken.body).toEqual({ statusCode: 400, message: 'The slot you have selected is no longer available.' });
    const unauthorised = await api(ghl, 'GET', `/contacts/${contact.id}`, { token: null });
    expect(unauthorised.body).toEqual({ statusCode: 401, message: 'Invalid token: access token is invalid', error: 'Unauthorized' });
    const missing = await api(ghl, 'GET', '/contacts/nobody-here');
    // GHL documents no 404 for contacts: an unknown id is a 400.
    expect(missing.body).toEqual({ statusCode: 400, message: 'Contact not found' });
  });

  it('gives planned 422 faults a list `message`, as GHL’s 422s have, and other faults a string', async () => {
    await ghl.injectFaults({ endpoint: 'getCalendar', responses: [{ status: 422, message: 'Calendar is misconfigured' }, 400] });
    const unprocessable = await api(ghl, 'GET', `/calendars/${ghl.calendarId}`);
    expect(unprocessable.body).toEqual({ statusCode: 422, message: ['Calendar is misconfigured'], error: 'Unprocessable Entity' });
    const bad = await api(ghl, 'GET', `/calendars/${ghl.calendarId}`);
    expect(bad.body).toEqual({ statusCode: 400, message: expect.any(String) });
  });
});

describe('success statuses, as each operation’s OpenAPI entry gives them', () => {
  it('answers 201 only where the OpenAPI file says 201 (add tags), 200 for every other call', async () => {
    const upsert = await api(ghl, 'POST', '/contacts/upsert', { body: { locationId: ghl.locationId, phone: '+14155550110' } });
    const contactId: string = upsert.body.contact.id;
    const day = tomorrow();
    const statuses = {
      upsertContact: upsert.status,
      createAppointment: (await api(ghl, 'POST', '/calendars/events/appointments', { body: { calendarId: ghl.calendarId, locationId: ghl.locationId, contactId, startTime: `${day}T12:00:00Z` } })).status,
      addTags: (await api(ghl, 'POST', `/contacts/${contactId}/tags`, { body: { tags: ['a'] } })).status,
      removeTags: (await api(ghl, 'DELETE', `/contacts/${contactId}/tags`, { body: { tags: ['a'] } })).status,
      sendMessage: (await api(ghl, 'POST', '/conversations/messages', { body: { type: 'WhatsApp', contactId, message: 'hi' } })).status,
      getContact: (await api(ghl, 'GET', `/contacts/${contactId}`)).status,
      contactAppointments: (await api(ghl, 'GET', `/contacts/${contactId}/appointments`)).status,
    };
    expect(statuses).toEqual({ upsertContact: 200, createAppointment: 200, addTags: 201, removeTags: 200, sendMessage: 200, getContact: 200, contactAppointments: 200 });
  });
});

describe('calendars', () => {
  it('describes the calendar', async () => {
    const res = await api(ghl, 'GET', `/calendars/${ghl.calendarId}`);
    expect(res.status).toBe(200);
    expect(res.body.calendar).toMatchObject({
      id: ghl.calendarId,
      locationId: ghl.locationId,
      slotDuration: 30,
      slotDurationUnit: 'mins',
      slotInterval: 30,
      slotBuffer: 0,
    });
    expect((await api(ghl, 'GET', '/calendars/unknown')).status).toBe(404);
  });

  it('lists free slots by date inside business hours, with a traceId beside the dates', async () => {
    const day = tomorrow();
    const res = await api(ghl, 'GET', `/calendars/${ghl.calendarId}/free-slots?startDate=${dayStartMs(day)}&endDate=${dayStartMs(day) + 86_399_999}&timezone=UTC`);
    expect(res.status).toBe(200);
    expect(typeof res.body.traceId).toBe('string');
    const slots: string[] = res.body[day].slots;
    expect(slots).toHaveLength(16); // 09:00..16:30 every 30 minutes
    expect(slots[0]).toBe(`${day}T09:00:00+00:00`);
    expect(slots.at(-1)).toBe(`${day}T16:30:00+00:00`);
  });

  it('sends traceId as a top-level key beside the dates, also when no date has a slot', async () => {
    const day = tomorrow();
    const open = await api(ghl, 'GET', `/calendars/${ghl.calendarId}/free-slots?startDate=${dayStartMs(day)}&endDate=${dayStartMs(day) + 86_399_999}`);
    expect(Object.keys(open.body).sort()).toEqual([day, 'traceId']);
    expect(open.body.traceId).toEqual(expect.any(String));
    const past = Date.parse('2020-01-06T00:00:00Z');
    const none = await api(ghl, 'GET', `/calendars/${ghl.calendarId}/free-slots?startDate=${past}&endDate=${past + 86_400_000}`);
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ traceId: expect.any(String) }); // not `{}`: a client testing for "no keys" sees one
  });

  it('writes slots in the asked time zone, grouped by that zone’s dates', async () => {
    const day = tomorrow();
    const res = await api(ghl, 'GET', `/calendars/${ghl.calendarId}/free-slots?startDate=${dayStartMs(day)}&endDate=${dayStartMs(day) + 86_399_999}&timezone=Asia/Kolkata`);
    const [date] = Object.keys(res.body).filter((k) => k !== 'traceId');
    expect(res.body[date].slots[0]).toBe(`${day}T14:30:00+05:30`); // 09:00 UTC
  });

  it('keeps to open days in the business time zone', async () => {
    const weekdaysOnly = await startGhlDouble({ businessHours: { timeZone: 'America/New_York', days: [1, 2, 3, 4, 5], open: '09:00', close: '12:00' } });
    try {
      const from = Date.now() + 86_400_000;
      const res = await api(weekdaysOnly, 'GET', `/calendars/${weekdaysOnly.calendarId}/free-slots?startDate=${from}&endDate=${from + 14 * 86_400_000}&timezone=America/New_York`);
      const dates = Object.keys(res.body).filter((k) => k !== 'traceId');
      expect(dates.length).toBeGreaterThanOrEqual(9);
      for (const date of dates) {
        const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
        expect([0, 6]).not.toContain(weekday);
        for (const slot of res.body[date].slots) expect(slot).toMatch(/T(09|10|11):(00|30):00-0[45]:00$/);
      }
    } finally {
      await weekdaysOnly.close();
    }
  });

  it('never offers a slot in the past', async () => {
    const now = Date.now();
    const res = await api(ghl, 'GET', `/calendars/${ghl.calendarId}/free-slots?startDate=${now - 5 * 86_400_000}&endDate=${now + 86_400_000}`);
    const slots = Object.keys(res.body).filter((k) => k !== 'traceId').flatMap((d) => res.body[d].slots as string[]);
    expect(slots.length).toBeGreaterThan(0);
    for (const s of slots) expect(Date.parse(s)).toBeGreaterThanOrEqual(now - 1000);
  });

  it('refuses a range over 31 days and bad parameters with 400', async () => {
    const from = Date.now();
    const long = await api(ghl, 'GET', `/calendars/${ghl.calendarId}/free-slots?startDate=${from}&endDate=${from + 32 * 86_400_000}`);
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/31 days/);
    expect((await api(ghl, 'GET', `/calendars/${ghl.calendarId}/free-slots?startDate=soon&endDate=${from}`)).status).toBe(400);
    expect((await api(ghl, 'GET', `/calendars/${ghl.calendarId}/free-slots?startDate=${from}&endDate=${from + 1000}&timezone=Mars/Base`)).status).toBe(400);
  });
});

describe('appointments', () => {
  const create = (contactId: string, startTime: string, extra: Record<string, unknown> = {}) =>
    api(ghl, 'POST', '/calendars/events/appointments', {
      body: { calendarId: ghl.calendarId, locationId: ghl.locationId, contactId, startTime, title: 'Haircut', ...extra },
    });

  it('books a free slot: 200 (the OpenAPI file’s status for create-appointment), confirmed, the slot length by default, and the slot is no longer free', async () => {
    const contact = await ghl.seedContact({ name: 'Ana Lima', phone: '+34600000001' });
    const day = tomorrow();
    const res = await create(contact.id, `${day}T10:00:00Z`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      calendarId: ghl.calendarId,
      locationId: ghl.locationId,
      contactId: contact.id,
      title: 'Haircut',
      appointmentStatus: 'confirmed',
      startTime: `${day}T10:00:00+00:00`,
      endTime: `${day}T10:30:00+00:00`,
    });
    const slots = await api(ghl, 'GET', `/calendars/${ghl.calendarId}/free-slots?startDate=${dayStartMs(day)}&endDate=${dayStartMs(day) + 86_399_999}`);
    expect(slots.body[day].slots).not.toContain(`${day}T10:00:00+00:00`);
    expect(slots.body[day].slots).toContain(`${day}T10:30:00+00:00`);

    const got = await api(ghl, 'GET', `/calendars/events/appointments/${res.body.id}`);
    expect(got.body.event).toMatchObject({ id: res.body.id, startTime: `${day}T10:00:00+00:00` });
    const listed = await api(ghl, 'GET', `/contacts/${contact.id}/appointments`);
    expect(listed.body.events).toEqual([expect.objectContaining({ id: res.body.id, appointmentStatus: 'confirmed' })]);
  });

  it('refuses a taken slot, an overlapping one, hours outside business hours and the past with GHL’s message', async () => {
    const contact = await ghl.seedContact({ phone: '+34600000002' });
    const day = tomorrow();
    expect((await create(contact.id, `${day}T11:00:00+00:00`, { endTime: `${day}T12:00:00+00:00` })).status).toBe(200);
    for (const start of [`${day}T11:00:00Z`, `${day}T11:30:00Z`, `${day}T08:30:00Z`, `${day}T16:45:00Z`, `${day}T17:00:00Z`, '2020-01-01T10:00:00Z']) {
      const res = await create(contact.id, start);
      expect({ start, status: res.status, body: res.body }).toEqual({
        start,
        status: 400,
        body: expect.objectContaining({ statusCode: 400, message: 'The slot you have selected is no longer available.' }),
      });
    }
    expect((await create(contact.id, `${day}T11:30:00Z`, { ignoreFreeSlotValidation: true })).status).toBe(200);
  });

  it('validates the body, the location and the contact', async () => {
    const contact = await ghl.seedContact({ phone: '+34600000003' });
    const day = tomorrow();
    const missing = await api(ghl, 'POST', '/calendars/events/appointments', { body: { calendarId: ghl.calendarId, contactId: contact.id, startTime: `${day}T10:00:00Z` } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toEqual([expect.stringMatching(/locationId/)]);
    expect((await create(contact.id, `${day}T10:00:00`)).status).toBe(400); // no offset
    expect((await create('nobody', `${day}T10:00:00Z`)).status).toBe(400);
    expect((await create(contact.id, `${day}T10:00:00Z`, { locationId: 'elsewhere' })).status).toBe(403);
  });

  it('gives exactly one success to concurrent bookings of one slot', async () => {
    const contacts = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => ghl.seedContact({ phone: `+3460000010${i}` })));
    const start = `${tomorrow(2)}T13:00:00Z`;
    const results = await Promise.all(contacts.map((c) => create(c.id, start)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
    expect((await ghl.appointments()).filter((a) => a.startTime.startsWith(start.slice(0, 16)))).toHaveLength(1);
  });

  it('frees the slot when the appointment is cancelled, and moves it keeping its length', async () => {
    const contact = await ghl.seedContact({ phone: '+34600000004' });
    const day = tomorrow();
    const made = await create(contact.id, `${day}T14:00:00Z`);
    const cancelled = await api(ghl, 'PUT', `/calendars/events/appointments/${made.body.id}`, { body: { appointmentStatus: 'cancelled' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.appointmentStatus).toBe('cancelled');
    expect((await create(contact.id, `${day}T14:00:00Z`)).status).toBe(200);

    const other = await create(contact.id, `${day}T15:00:00Z`);
    const moved = await api(ghl, 'PUT', `/calendars/events/appointments/${other.body.id}`, { body: { startTime: `${day}T15:30:00Z` } });
    expect(moved.body).toMatchObject({ startTime: `${day}T15:30:00+00:00`, endTime: `${day}T16:00:00+00:00` });
    expect((await create(contact.id, `${day}T15:00:00Z`)).status).toBe(200);
    const clash = await api(ghl, 'PUT', `/calendars/events/appointments/${other.body.id}`, { body: { startTime: `${day}T14:00:00Z` } });
    expect(clash.status).toBe(400);
    expect((await api(ghl, 'PUT', '/calendars/events/appointments/nope', { body: { title: 'x' } })).status).toBe(404);
  });

  it('lists a contact’s appointments as GHL’s docs show them: zone-less times in the business zone, and status "booked"', async () => {
    const zone = 'America/New_York';
    const ny = await startGhlDouble({ businessHours: { timeZone: zone, days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '17:00' } });
    try {
      const contact = await ny.seedContact({ phone: '+12125550100' });
      const day = addDays(wallTime(Date.now(), zone), 2);
      const startMs = zonedToUtc(day, 10 * 60, zone);
      const date = isoWithOffset(startMs, zone).slice(0, 10);
      const made = await api(ny, 'POST', '/calendars/events/appointments', {
        body: { calendarId: ny.calendarId, locationId: ny.locationId, contactId: contact.id, startTime: new Date(startMs).toISOString() },
      });
      expect(made.status).toBe(200);
      expect(made.body.startTime).toBe(isoWithOffset(startMs, zone)); // the create answer keeps the offset

      const listed = await api(ny, 'GET', `/contacts/${contact.id}/appointments`);
      expect(listed.status).toBe(200);
      expect(listed.body.events).toEqual([
        expect.objectContaining({
          id: made.body.id,
          status: 'booked',
          appointmentStatus: 'confirmed',
          startTime: `${date} 10:00:00`, // New York's wall clock, not UTC's 14:00 or 15:00
          endTime: `${date} 10:30:00`,
          dateAdded: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
          dateUpdated: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
        }),
      ]);

      await api(ny, 'PUT', `/calendars/events/appointments/${made.body.id}`, { body: { appointmentStatus: 'cancelled' } });
      const afterCancel = await api(ny, 'GET', `/contacts/${contact.id}/appointments`);
      expect(afterCancel.body.events).toEqual([expect.objectContaining({ status: 'cancelled', appointmentStatus: 'cancelled', startTime: `${date} 10:00:00` })]);
    } finally {
      await ny.close();
    }
  });

  it('answers create and update in AppointmentSchemaResponse’s shape, and GET with the dates in the zone’s offset form', async () => {
    const contact = await ghl.seedContact({ phone: '+34600000005' });
    const day = tomorrow();
    const made = await api(ghl, 'POST', '/calendars/events/appointments', {
      body: { calendarId: ghl.calendarId, locationId: ghl.locationId, contactId: contact.id, startTime: `${day}T09:00:00Z` },
    });
    expect(made.body).toEqual({
      id: expect.any(String),
      calendarId: ghl.calendarId,
      locationId: ghl.locationId,
      contactId: contact.id,
      title: 'Appointment',
      startTime: `${day}T09:00:00+00:00`,
      endTime: `${day}T09:30:00+00:00`,
      appointmentStatus: 'confirmed',
      assignedUserId: '',
      address: '',
      isRecurring: false,
    });
    const moved = await api(ghl, 'PUT', `/calendars/events/appointments/${made.body.id}`, { body: { title: 'Moved' } });
    expect(moved.status).toBe(200);
    expect(Object.keys(moved.body).sort()).toEqual(Object.keys(made.body).sort());
    const got = await api(ghl, 'GET', `/calendars/events/appointments/${made.body.id}`);
    expect(got.body.event).toMatchObject({
      id: made.body.id,
      title: 'Moved',
      dateAdded: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/),
      dateUpdated: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/),
    });
  });
});

describe('contacts', () => {
  it('upserts by phone: new once, then the same contact updated', async () => {
    const first = await api(ghl, 'POST', '/contacts/upsert', { body: { locationId: ghl.locationId, phone: '+1 888-555-0100', name: 'Rosa Diaz' } });
    expect(first.status).toBe(200);
    expect(first.body.new).toBe(true);
    expect(first.body.contact).toMatchObject({ phone: '+18885550100', name: 'Rosa Diaz', firstName: 'Rosa', lastName: 'Diaz', locationId: ghl.locationId, dnd: false, tags: [] });
    const again = await api(ghl, 'POST', '/contacts/upsert', { body: { locationId: ghl.locationId, phone: '+18885550100', email: 'Rosa@Example.com' } });
    expect(again.body.new).toBe(false);
    expect(again.body.contact).toMatchObject({ id: first.body.contact.id, name: 'Rosa Diaz', email: 'rosa@example.com' });

    const got = await api(ghl, 'GET', `/contacts/${first.body.contact.id}`);
    expect(got.body.contact).toMatchObject({ id: first.body.contact.id, email: 'rosa@example.com' });
    expect((await api(ghl, 'GET', '/contacts/unknown')).status).toBe(400);
    expect((await api(ghl, 'POST', '/contacts/upsert', { body: { phone: '+1' } })).status).toBe(422);
  });

  it('gives one contact to concurrent upserts of one phone', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => api(ghl, 'POST', '/contacts/upsert', { body: { locationId: ghl.locationId, phone: '+447700900123' } })));
    expect(new Set(answers.map((a) => a.body.contact.id)).size).toBe(1);
    expect(answers.filter((a) => a.body.new)).toHaveLength(1);
  });

  it('finds duplicates by URL-encoded number, and not by a + that became a space', async () => {
    const c = await ghl.seedContact({ phone: '+14231645160', email: 'x@y.z' });
    const found = await api(ghl, 'GET', `/contacts/search/duplicate?locationId=${ghl.locationId}&number=${encodeURIComponent('+14231645160')}`);
    expect(found.body.contact.id).toBe(c.id);
    const unencoded = await api(ghl, 'GET', `/contacts/search/duplicate?locationId=${ghl.locationId}&number=+14231645160`);
    expect(unencoded.body.contact).toBeNull();
    const byEmail = await api(ghl, 'GET', `/contacts/search/duplicate?locationId=${ghl.locationId}&email=X@y.z`);
    expect(byEmail.body.contact.id).toBe(c.id);
    expect((await api(ghl, 'GET', '/contacts/search/duplicate?number=1')).status).toBe(422);
  });

  it('adds and removes tags without touching the others (lower-cased, as GHL keeps them)', async () => {
    const c = await ghl.seedContact({ phone: '+14231645161', tags: ['vip'] });
    const added = await api(ghl, 'POST', `/contacts/${c.id}/tags`, { body: { tags: ['Booked', 'bot'] } });
    expect(added.status).toBe(201);
    expect(added.body.tags).toEqual(['booked', 'bot', 'vip']);
    const removed = await api(ghl, 'DELETE', `/contacts/${c.id}/tags`, { body: { tags: ['bot'] } });
    expect(removed.body.tags).toEqual(['booked', 'vip']);
    expect((await api(ghl, 'GET', `/contacts/${c.id}`)).body.contact.tags).toEqual(['booked', 'vip']);
    expect((await api(ghl, 'POST', '/contacts/unknown/tags', { body: { tags: ['x'] } })).status).toBe(400);
  });

  it('answers unset fields as empty strings, never null, wherever a contact comes back (GHL: `"timezone": ""`)', async () => {
    const upserted = await api(ghl, 'POST', '/contacts/upsert', { body: { locationId: ghl.locationId, phone: '+14155550101' } });
    const id: string = upserted.body.contact.id;
    const answers = {
      upsert: upserted.body.contact,
      get: (await api(ghl, 'GET', `/contacts/${id}`)).body.contact,
      duplicate: (await api(ghl, 'GET', `/contacts/search/duplicate?locationId=${ghl.locationId}&number=${encodeURIComponent('+14155550101')}`)).body.contact,
      again: (await api(ghl, 'POST', '/contacts/upsert', { body: { locationId: ghl.locationId, phone: '+14155550101' } })).body.contact,
    };
    for (const [where, contact] of Object.entries(answers)) {
      expect({ where, contact }).toEqual({
        where,
        contact: expect.objectContaining({ id, phone: '+14155550101', timezone: '', email: '', firstName: '', lastName: '', name: '', contactName: '' }),
      });
      expect({ where, nulls: Object.entries(contact).filter(([, v]) => v === null).map(([k]) => k) }).toEqual({ where, nulls: [] });
    }
    const seeded = await ghl.seedContact({ phone: '+14155550102', firstName: 'Solo' });
    expect(seeded).toMatchObject({ firstName: 'Solo', lastName: '', name: 'Solo', email: '', timezone: '' });
  });

  it('sends the extra keys GHL sends beside the ones a client reads', async () => {
    const upserted = await api(ghl, 'POST', '/contacts/upsert', { body: { locationId: ghl.locationId, phone: '+14155550103', name: 'Extra Keys', email: 'Extra@Example.com' } });
    expect(upserted.body).toEqual({ new: true, contact: expect.any(Object), traceId: expect.any(String) });
    const { contact } = (await api(ghl, 'GET', `/contacts/${upserted.body.contact.id}`)).body;
    expect(contact).toMatchObject({
      contactName: 'Extra Keys',
      emailLowerCase: 'extra@example.com',
      fullNameLowerCase: 'extra keys',
      source: 'public api',
      type: 'lead',
      dateAdded: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      dateUpdated: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      customFields: [],
      additionalEmails: [],
      dndSettings: {},
      companyName: '',
    });
  });
});

describe('conversations', () => {
  it('sends WhatsApp messages into one conversation per contact, findable by search and listed newest first', async () => {
    const c = await ghl.seedContact({ phone: '+5511999990000', name: 'Joao' });
    const sent = [];
    for (const text of ['one', 'two', 'three']) {
      const res = await api(ghl, 'POST', '/conversations/messages', { body: { type: 'WhatsApp', contactId: c.id, message: text } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expect.objectContaining({ conversationId: expect.any(String), messageId: expect.any(String) }));
      sent.push(res.body);
    }
    expect(new Set(sent.map((s) => s.conversationId)).size).toBe(1);

    const search = await api(ghl, 'GET', `/conversations/search?locationId=${ghl.locationId}&contactId=${c.id}`);
    expect(search.body).toMatchObject({ total: 1, conversations: [{ id: sent[0].conversationId, contactId: c.id, lastMessageBody: 'three' }] });

    const page1 = await api(ghl, 'GET', `/conversations/${sent[0].conversationId}/messages?limit=2`);
    expect(page1.body.messages.map((m: any) => m.body)).toEqual(['three', 'two']);
    expect(page1.body.nextPage).toBe(true);
    const page2 = await api(ghl, 'GET', `/conversations/${sent[0].conversationId}/messages?limit=2&lastMessageId=${page1.body.lastMessageId}`);
    expect(page2.body.messages.map((m: any) => m.body)).toEqual(['one']);
    expect(page2.body.nextPage).toBe(false);
    expect(page2.body.messages[0]).toMatchObject({ id: sent[0].messageId, messageType: 'TYPE_WHATSAPP', direction: 'outbound', contactId: c.id });

    expect((await ghl.sentMessages(c.id)).map((m) => m.body)).toEqual(['one', 'two', 'three']);
  });

  it('refuses an unknown contact, an empty message, a wrong type and a search without location', async () => {
    const c = await ghl.seedContact({ phone: '+5511999990001' });
    expect((await api(ghl, 'POST', '/conversations/messages', { body: { type: 'WhatsApp', contactId: 'nobody', message: 'hi' } })).status).toBe(400);
    expect((await api(ghl, 'POST', '/conversations/messages', { body: { type: 'WhatsApp', contactId: c.id, message: ' ' } })).status).toBe(400);
    expect((await api(ghl, 'POST', '/conversations/messages', { body: { type: 'Pigeon', contactId: c.id, message: 'hi' } })).status).toBe(400);
    expect((await api(ghl, 'GET', `/conversations/search?contactId=${c.id}`)).status).toBe(400);
    expect((await api(ghl, 'GET', '/conversations/nope/messages')).status).toBe(404);
    expect(await ghl.sentMessages()).toEqual([]);
  });
});

describe('workflow enrolment (POST /contacts/{id}/workflow/{workflowId})', () => {
  it('answers 200 with GHL’s spelling, records the enrolment for the tests, and refuses an unknown contact or a missing body', async () => {
    const contact = await ghl.seedContact({ id: 'c_wf', phone: '+15550001111', name: 'Wf' });
    const res = await api(ghl, 'POST', `/contacts/${contact.id}/workflow/wf_1`, { body: {}, version: CONTACTS_VERSION });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ succeded: true });
    expect(await ghl.workflowEnrolments(contact.id)).toEqual([expect.objectContaining({ contactId: 'c_wf', workflowId: 'wf_1', locationId: ghl.locationId })]);
    expect((await api(ghl, 'POST', '/contacts/c_nobody/workflow/wf_1', { body: {}, version: CONTACTS_VERSION })).status).toBe(400);
    expect((await api(ghl, 'POST', `/contacts/${contact.id}/workflow/wf_1`, { body: { eventStartTime: 5 }, version: CONTACTS_VERSION })).status).toBe(422);
    expect(await ghl.workflowEnrolments(contact.id)).toHaveLength(1);
  });
});
