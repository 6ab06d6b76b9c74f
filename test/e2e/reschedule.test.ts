import { randomUUID } from 'node:crypto';
import { ghlInboundMessage } from '../support/ingest-harness';
import { eventually } from '../support/redis';
import { bookAsSomeoneElse as bookAsSomeoneElseIn, startSystem, type System } from '../support/system';

/** Open every day, so "tomorrow" is always bookable whatever day the suite runs. */
const EVERY_DAY = { timeZone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '17:00' };

let system: System;
beforeAll(async () => {
  system = await startSystem({ ghl: { businessHours: EVERY_DAY } });
});
afterAll(() => system.close());

async function customer(name: string) {
  const contactId = `c_${randomUUID().slice(0, 8)}`;
  const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  await system.ghl.seedContact({ id: contactId, phone, name });
  const say = async (body: string) => {
    const res = await system.ingest.post(ghlInboundMessage({ contactId, from: phone, body }), { query: '?wait=25' });
    const runId = res.body?.workflow_run_id ?? res.body?.error?.details?.workflow_run_id;
    return eventually(async () => {
      const run = (await system.ingest.get(`/runs/${runId}`)).body;
      if (run.final_state === 'queued' || run.final_state === 'running') throw new Error(run.final_state);
      return run;
    }, 25_000);
  };
  const replies = async () => (await system.ghl.sentMessages(contactId)).map((m) => m.body);
  const all = async () => (await system.ghl.appointments()).filter((a) => a.contactId === contactId);
  /** The appointments holding a slot (GHL keeps cancelled ones, with their status). */
  const active = async () => (await all()).filter((a) => a.appointmentStatus !== 'cancelled');
  return { contactId, say, replies, all, active };
}

const hourOf = (iso: string) => `${String(new Date(iso).getUTCHours()).padStart(2, '0')}:${String(new Date(iso).getUTCMinutes()).padStart(2, '0')}`;

const bookAsSomeoneElse = (startTime: string) => bookAsSomeoneElseIn(system, startTime);

const tomorrowAt = (hour: number, minute = 0) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 1);
  d.setUTCHours(hour, minute, 0, 0);
  return d.toISOString();
};

describe.each([
  {
    lang: 'English',
    book: 'I need SEO, budget $3000, tomorrow at 3pm',
    move: 'can we move it to tomorrow at 4pm?',
    later: 'something later that day',
    cancel: 'cancel my appointment',
    yes: 'yes',
    again: 'tomorrow at 10am',
    againAt: '10:00',
    said: { booked: /booked/, moved: /now on/, ask: /Do you want me to cancel/, cancelled: /is cancelled/ },
  },
  {
    lang: 'Spanish',
    book: 'necesito SEO, presupuesto 3000 dólares, mañana a las 15',
    move: '¿podemos cambiarla a mañana a las 16?',
    later: 'algo más tarde ese día',
    cancel: 'no puedo ir, cancela la cita',
    yes: 'sí',
    again: 'mañana a las 10:30',
    againAt: '10:30',
    said: { booked: /Listo/, moved: /ha pasado al/, ask: /anule tu cita/, cancelled: /he anulado/ },
  },
])('$lang: book → move → move again → cancel with confirmation → book again', (c) => {
  it('keeps exactly one active appointment at every step, moving the same one', async () => {
    const ana = await customer('Ana');
    expect((await ana.say(c.book)).result).toMatchObject({ action: 'booked', booking_created: true });
    const [first] = await ana.active();
    expect(hourOf(first.startTime)).toBe('15:00');
    expect((await ana.replies()).at(-1)).toMatch(c.said.booked);

    const moved = await ana.say(c.move);
    expect(moved.result).toMatchObject({ action: 'rescheduled', appointment_id: first.id, appointment_before: { appointment_id: first.id } });
    expect(await ana.active()).toEqual([expect.objectContaining({ id: first.id })]);
    expect(hourOf((await ana.active())[0].startTime)).toBe('16:00');
    expect((await ana.replies()).at(-1)).toMatch(c.said.moved);

    expect((await ana.say(c.later)).result).toMatchObject({ action: 'rescheduled' });
    expect(await ana.active()).toEqual([expect.objectContaining({ id: first.id })]);
    expect(hourOf((await ana.active())[0].startTime)).toBe('16:30');

    expect((await ana.say(c.cancel)).final_state).toBe('waiting_for_customer');
    expect((await ana.replies()).at(-1)).toMatch(c.said.ask);
    expect(await ana.active()).toHaveLength(1); // nothing changes before the yes

    expect((await ana.say(c.yes)).result).toMatchObject({ action: 'cancelled', appointment_id: null, appointment_before: { appointment_id: first.id } });
    expect(await ana.active()).toEqual([]);
    expect(await ana.all()).toEqual([expect.objectContaining({ id: first.id, appointmentStatus: 'cancelled' })]);
    expect((await ana.replies()).at(-1)).toMatch(c.said.cancelled);

    expect((await ana.say(c.again)).result).toMatchObject({ action: 'booked', booking_created: true });
    const active = await ana.active();
    expect(active).toHaveLength(1);
    expect(active[0].id).not.toBe(first.id);
    expect(hourOf(active[0].startTime)).toBe(c.againAt);
  });
});

it('"no" to the cancel question keeps the appointment', async () => {
  const bo = await customer('Bo');
  await bo.say('I need SEO, budget $3000, tomorrow at 11am');
  await bo.say('cancel');
  expect((await bo.replies()).at(-1)).toMatch(/Do you want me to cancel/);
  await bo.say('no');
  expect((await bo.replies()).at(-1)).toMatch(/stays as it is/);
  expect(await bo.active()).toHaveLength(1);
});

it('a GHL 500, then a lost answer on the move: still one move of the one appointment', async () => {
  const rita = await customer('Rita');
  await rita.say('I need marketing, budget $3000, tomorrow at 12pm');
  const [booked] = await rita.active();
  await system.ghl.injectFaults({ endpoint: 'updateAppointment', responses: [500, 'drop-after-effect'] });
  const run = await rita.say('can we move it to tomorrow at 2pm?');
  expect(run).toMatchObject({ final_state: 'completed', result: { action: 'rescheduled', appointment_id: booked.id } });
  expect(await rita.all()).toEqual([expect.objectContaining({ id: booked.id, appointmentStatus: 'confirmed' })]);
  expect(hourOf((await rita.active())[0].startTime)).toBe('14:00');
  expect((await rita.replies()).filter((r) => /now on/.test(r))).toHaveLength(1);
});

it('a slot taken between the offer and the answer during a reschedule: the nearest free ones are offered again, nothing moves', async () => {
  const lia = await customer('Lia');
  await lia.say('I need SEO, budget $3000, tomorrow at 9am');
  const [booked] = await lia.active();
  await bookAsSomeoneElse(tomorrowAt(13));
  const offer = await lia.say('can we move it to tomorrow at 1pm?');
  expect(offer.result).toMatchObject({ action: 'offered' });
  const offered = (await lia.replies()).at(-1)!;
  expect(offered).toMatch(/isn't free/);
  // The offer is in time order: the first is the earliest of the three free slots nearest 13:00.
  expect(offered).toMatch(/1\. .*12:00/);
  await bookAsSomeoneElse(tomorrowAt(12));
  const taken = await lia.say('1');
  expect(taken.result).toMatchObject({ action: 'offered' });
  expect((await lia.replies()).at(-1)).toMatch(/just taken/);
  expect(await lia.active()).toEqual([expect.objectContaining({ id: booked.id, startTime: booked.startTime })]);
});

it('a move and a cancellation made in GHL by the team (AppointmentUpdate, AppointmentDelete) are what the bot knows next', async () => {
  const tia = await customer('Tia');
  await tia.say('I need SEO, budget $3000, tomorrow at 2:30pm');
  const [booked] = await tia.active();
  const ghlPut = (body: object) =>
    fetch(`${system.ghl.url}/calendars/events/appointments/${booked.id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${system.ghl.token}`, Version: '2021-04-15', 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const webhook = (type: string, appointment: object) =>
    system.ingest.post(
      { type, locationId: system.ghl.locationId, webhookId: `wh_${randomUUID()}`, timestamp: new Date().toISOString(), appointment: { id: booked.id, contactId: tia.contactId, ...appointment } },
      { query: '?wait=20' },
    );

  expect((await ghlPut({ startTime: tomorrowAt(11, 30) })).status).toBe(200);
  expect((await webhook('AppointmentUpdate', { startTime: tomorrowAt(11, 30), appointmentStatus: 'confirmed' })).status).toBe(200);
  expect((await tia.say('thanks!')).reply).toMatch(/See you on .*11:30/);

  expect((await ghlPut({ appointmentStatus: 'cancelled' })).status).toBe(200);
  expect((await webhook('AppointmentDelete', { startTime: tomorrowAt(11, 30) })).status).toBe(200);
  expect((await tia.say('cancel my appointment')).reply).toMatch(/don't have an appointment/);
  expect(await tia.active()).toEqual([]);
});
