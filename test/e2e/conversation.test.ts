import { randomUUID } from 'node:crypto';
import { ghlInboundMessage } from '../support/ingest-harness';
import { startSystem, type System } from '../support/system';

let system: System;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system.close());

/** A customer on WhatsApp: each message goes through the signed webhook and waits for its run. */
async function customer(name?: string) {
  const contactId = `c_${randomUUID().slice(0, 8)}`;
  const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  await system.ghl.seedContact({ id: contactId, phone, ...(name ? { name } : {}) });
  const say = async (body: string) => {
    const res = await system.ingest.post(ghlInboundMessage({ contactId, from: phone, body }), { query: '?wait=20' });
    expect(res.status).toBe(200);
    return (await system.ingest.get(`/runs/${res.body!.workflow_run_id}`)).body;
  };
  const replies = async () => (await system.ghl.sentMessages(contactId)).map((m) => m.body);
  const contact = async () => {
    const res = await fetch(`${system.ghl.url}/contacts/${contactId}`, { headers: { Authorization: `Bearer ${system.ghl.token}`, Version: '2021-07-28' } });
    return ((await res.json()) as { contact: { tags: string[] } }).contact;
  };
  const appointments = async () => (await system.ghl.appointments()).filter((a) => a.contactId === contactId);
  return { contactId, phone, say, replies, contact, appointments };
}

it('a conversation that starts with "Hi" books within three more messages, asking only what is missing', async () => {
  const c = await customer();
  expect((await c.say('Hi')).final_state).toBe('waiting_for_customer');
  expect((await c.say('I need help with SEO')).final_state).toBe('waiting_for_customer');
  expect((await c.say('my budget is 2k')).final_state).toBe('waiting_for_customer');
  const done = await c.say("I'm Ana, tomorrow at 3pm");
  expect(done).toMatchObject({ final_state: 'completed', result: { booking_created: true, customer: { name: 'Ana', budget: 2000 } } });
  const replies = await c.replies();
  expect(replies).toHaveLength(4);
  expect(replies[0]).toMatch(/help you with/);
  expect(replies[1]).toMatch(/budget/);
  expect(replies[2]).toMatch(/name/);
  expect(replies[3]).toMatch(/booked, Ana/);
  const [appointment] = await c.appointments();
  expect(new Date(appointment.startTime).getUTCHours()).toBe(15);
  expect((await c.contact()).tags).toContain('booked');
});

it('refuses a budget under MIN_BUDGET with a polite reply and no booking', async () => {
  const c = await customer('Bo');
  const run = await c.say('I need marketing, my budget is $100');
  expect(run.final_state).toBe('rejected');
  expect((await c.replies())[0]).toMatch(/start at \$500/);
  expect(await c.appointments()).toHaveLength(0);
});

it('drops spam silently', async () => {
  const c = await customer('Spammer');
  const run = await c.say('Congratulations you won a prize!!! claim at http://bit.ly/free-money');
  expect(run).toMatchObject({ final_state: 'ignored', nodes_executed: ['triage'] });
  expect(await c.replies()).toEqual([]);
});

it('STOP stops every reply and tags the contact, until START', async () => {
  const c = await customer('Sam');
  expect((await c.say('STOP')).final_state).toBe('completed');
  expect((await c.contact()).tags).toContain('opted-out');
  expect((await c.say('hello, are you there?')).final_state).toBe('ignored');
  expect(await c.replies()).toHaveLength(1); // only the opt-out confirmation
  await c.say('START');
  expect((await c.contact()).tags).not.toContain('opted-out');
  expect((await c.replies()).at(-1)).toMatch(/^Welcome back!/);
});

it('a human reply from the GHL app pauses the bot for that contact', async () => {
  const c = await customer('Hugo');
  const takeover = await system.ingest.post(
    ghlInboundMessage({ type: 'OutboundMessage', source: 'app', direction: 'outbound', contactId: c.contactId, body: 'Hi Hugo, Maria here' }),
    { query: '?wait=20' },
  );
  expect(takeover.status).toBe(200);
  expect((await c.say('Thanks Maria, I need marketing, budget 3000')).final_state).toBe('ignored');
  expect(await c.replies()).toEqual([]);
});

it('talks Spanish with a Spanish speaker and books', async () => {
  const c = await customer();
  await c.say('Hola, necesito ayuda con marketing');
  await c.say('tengo un presupuesto de 1500 dólares'); // the business works in USD: euros would be asked again
  const done = await c.say('Me llamo Lucía, mañana por la tarde');
  expect(done.final_state).toBe('completed');
  const replies = await c.replies();
  expect(replies[0]).toMatch(/presupuesto/);
  expect(replies[1]).toMatch(/llamas/);
  expect(replies[2]).toMatch(/Listo, Lucía/);
});

it('offers other slots when the wanted one is taken, and again when the chosen one is taken meanwhile', async () => {
  const c = await customer('Olga');
  const other = await customer('Rival');
  // The rival takes tomorrow 11:00 first.
  await other.say('Marketing, budget 5000, tomorrow at 11am');
  const offer = await c.say('Marketing, budget 5000, tomorrow at 11am');
  expect(offer.final_state).toBe('waiting_for_customer');
  const offered = (await c.replies())[0];
  expect(offered).toMatch(/isn't free/);
  expect(offered.match(/^\d\. /gm)).toHaveLength(3);

  // Between the offer and the answer, the rival books the first offered slot.
  const rivalAgain = await customer('Rival2');
  const firstOfferedHour = /1\. [^\n]*?(\d{1,2}):(\d{2})/.exec(offered)!;
  await rivalAgain.say(`SEO, budget 5000, tomorrow at ${firstOfferedHour[1]}:${firstOfferedHour[2]} ${/PM/.test(offered.split('\n')[1]) ? 'pm' : 'am'}`);
  const answer = await c.say('the first one');
  expect(answer.final_state).toBe('waiting_for_customer');
  expect((await c.replies())[1]).toMatch(/just taken/);
  const final = await c.say('1');
  expect(final.final_state).toBe('completed');
  expect(await c.appointments()).toHaveLength(1);
});

it('a cancelled appointment (GHL AppointmentDelete) lets the customer book again', async () => {
  const c = await customer('Cora');
  expect((await c.say('Marketing, budget 3000, tomorrow at 2pm')).final_state).toBe('completed');
  const [first] = await c.appointments();
  // Thanks after a booking is small talk: a friendly word back, not a hand-off to the team.
  expect((await c.say('thanks!')).reply).toMatch(/^You're welcome! See you on /);
  // Another time while booked is not a second booking: it moves the one there is.
  expect((await c.say('could we do Friday at 10am?')).reply).toMatch(/now on Friday/);
  expect(await c.appointments()).toEqual([expect.objectContaining({ id: first.id })]);

  const cancelled = await system.ingest.post(
    { type: 'AppointmentDelete', locationId: system.ghl.locationId, webhookId: `wh_${first.id}`, timestamp: new Date().toISOString(), appointment: { id: first.id, contactId: c.contactId, startTime: first.startTime } },
    { query: '?wait=20' },
  );
  expect(cancelled.status).toBe(200);
  const again = await c.say('Can we do tomorrow at 4pm instead?');
  expect(again).toMatchObject({ final_state: 'completed', result: { booking_created: true } });
  expect((await c.appointments()).map((a) => new Date(a.startTime).getUTCHours())).toEqual([10, 16]);
});

it('WhatsApp DND set in GHL (ContactDndUpdate) stops the bot like STOP', async () => {
  const c = await customer('Dina');
  const dnd = await system.ingest.post(
    { type: 'ContactDndUpdate', locationId: system.ghl.locationId, webhookId: `wh_dnd_${c.contactId}`, timestamp: new Date().toISOString(), id: c.contactId, dnd: false, dndSettings: { WhatsApp: { status: 'active' } } },
    { query: '?wait=20' },
  );
  expect(dnd.status).toBe(200);
  expect((await c.say('Hi, I need marketing help')).final_state).toBe('ignored');
  expect(await c.replies()).toEqual([]);
});
