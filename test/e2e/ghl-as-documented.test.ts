/**
 * The product against a GHL that answers the way GHL's docs show it: blank strings, zone-less appointment
 * times (read in a calendar zone that is not the machine's), contact ids that stopped existing, a slow
 * GHL while a turn loses its lock. The sandbox is this rude by default; these cases pin what it exposed.
 */
import { randomUUID } from 'node:crypto';
import { TEST_LOCATION_ID } from '../support/deployment';
import { ghlInboundMessage } from '../support/ingest-harness';
import { eventually } from '../support/redis';
import { finishedRun, startSystem, type System } from '../support/system';

const ZONE = 'America/New_York';

let system: System;
beforeAll(async () => {
  system = await startSystem({
    env: { BUSINESS_TIMEZONE: ZONE, GHL_CUSTOM_FIELD_GOAL: 'cf_goal', GHL_CUSTOM_FIELD_BUDGET: 'cf_budget', JOB_LOCK_MS: '1000' },
    ghl: { businessHours: { timeZone: ZONE, days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '17:00' } },
  });
});
afterAll(() => system.close());

const newPhone = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

async function customer(seed: { timezone?: string; name?: string } = {}) {
  const contactId = `c_${randomUUID().slice(0, 8)}`;
  const phone = newPhone();
  await system.ghl.seedContact({ id: contactId, phone, ...seed });
  const post = (body: string, extra: Record<string, unknown> = {}) =>
    system.ingest.post(ghlInboundMessage({ contactId, from: phone, body, ...extra }), { query: '?wait=25' });
  const replies = async () => (await system.ghl.sentMessages(contactId)).map((m) => m.body);
  const appointments = async () => (await system.ghl.appointments()).filter((a) => a.contactId === contactId);
  return { contactId, phone, post, replies, appointments };
}

const finished = (runId: string) => finishedRun(system, runId);

it('a contact GHL keeps with "timezone": "" books, answered in the business zone', async () => {
  const c = await customer({ name: 'Ana' });
  const contact = (await system.ghl.contacts()).find((x) => x.id === c.contactId)!;
  expect(contact.timezone).toBe(''); // the double is as rude as GHL
  const res = await c.post('I need marketing, budget $2000, tomorrow at 3pm');
  expect(res.status).toBe(200);
  const run = await finished(res.body!.workflow_run_id);
  expect(run).toMatchObject({ final_state: 'completed', result: { booking_created: true } });
  const [appointment] = await c.appointments();
  // 3pm on the business clock, whatever zone this machine runs in.
  expect(new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', hour12: false }).format(new Date(appointment.startTime))).toBe('15');
  expect((await c.replies())[0]).toMatch(/3:00\s?PM (EST|EDT)/);
});

it('a zone Intl does not know is ignored, counted, and never stored', async () => {
  const c = await customer({ name: 'Bo', timezone: 'Mars/Olympus_Mons' });
  const before = (await system.worker!.metrics.ignoredTimeZones.get()).values.reduce((n, v) => n + v.value, 0);
  const res = await c.post('I need SEO, budget $2500, tomorrow at 11am');
  const run = await finished(res.body!.workflow_run_id);
  expect(run.final_state).toBe('completed');
  expect(await c.appointments()).toHaveLength(1);
  const after = (await system.worker!.metrics.ignoredTimeZones.get()).values.reduce((n, v) => n + v.value, 0);
  expect(after).toBeGreaterThan(before);
  const details = JSON.parse((await system.ingest.redis.hget(`${system.prefix}:wab:contact:${c.contactId}`, 'details')) ?? '{}');
  expect(details.timezone).toBeNull();
});

it('a create whose answer was lost, on a GHL that lists appointments without an offset, books exactly once', async () => {
  const c = await customer({ name: 'Lola' });
  await system.ghl.injectFaults({ endpoint: 'createAppointment', responses: ['drop-after-effect'] });
  const res = await c.post('I need SEO, budget $3000, tomorrow at 1pm');
  const run = await finished(res.body!.workflow_run_id);
  expect(run.final_state).toBe('completed');
  const appointments = await c.appointments();
  expect(appointments).toHaveLength(1);
  expect(run.result.appointment_id).toBe(appointments[0].id);
  expect(await c.replies()).toHaveLength(1);
});

it("a webhook's contactId GHL no longer knows is found again by phone, and the new id is kept", async () => {
  const phone = newPhone();
  const real = await system.ghl.seedContact({ phone, name: 'Merged Mia' });
  const goneId = `c_gone_${randomUUID().slice(0, 6)}`; // deleted, or merged into `real`
  const post = (body: string) => system.ingest.post(ghlInboundMessage({ contactId: goneId, from: phone, body }), { query: '?wait=25' });
  const first = await finished((await post('Hi, I need web design')).body!.workflow_run_id);
  expect(first.final_state).toBe('waiting_for_customer');
  const second = await finished((await post('budget $4000, tomorrow at 10am')).body!.workflow_run_id);
  expect(second).toMatchObject({ final_state: 'completed', result: { booking_created: true } });
  expect((await system.ghl.appointments()).filter((a) => a.contactId === real.id)).toHaveLength(1);
  expect(await system.ghl.sentMessages(real.id)).toHaveLength(2);
  expect(await system.ingest.redis.hget(`${system.prefix}:wab:contact:${goneId}`, 'ghlContactId')).toBe(real.id);
});

it('the name and email the customer gives, and the goal and budget, are written to the GHL contact once', async () => {
  const c = await customer();
  const res = await c.post("Hi, I'm Ana Lopez (ana.lopez@example.com). I need marketing, budget $2000, tomorrow at 2pm");
  expect((await finished(res.body!.workflow_run_id)).final_state).toBe('completed');
  const contact = (await system.ghl.contacts()).find((x) => x.id === c.contactId)!;
  expect(contact).toMatchObject({ firstName: 'Ana', lastName: 'Lopez', email: 'ana.lopez@example.com' });
  expect(contact.customFields).toEqual(expect.arrayContaining([{ id: 'cf_goal', value: 'marketing' }, { id: 'cf_budget', value: '2000' }]));
});

/** GHL calls the worker made so far, by endpoint (its own metric). */
async function ghlCalls(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await system.worker!.metrics.ghlCalls.get()).values) out[String(v.labels.endpoint)] = (out[String(v.labels.endpoint)] ?? 0) + v.value;
  return out;
}
const callsSince = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));

it('a message that names no contact finds or makes it by phone in one call, with no GET of the contact after', async () => {
  const phone = newPhone();
  const before = await ghlCalls();
  // The API reference's body, with the contact known only by its phone.
  const body = { type: 'message', locationId: TEST_LOCATION_ID, message: { id: `m_${randomUUID()}`, body: 'Hello there', from: phone }, contact: { phone } };
  const res = await system.ingest.post(body, { query: '?wait=25' });
  expect((await finished(res.body!.workflow_run_id)).final_state).toBe('waiting_for_customer');
  const made = (await system.ghl.contacts()).find((x) => x.phone === phone)!;
  expect(await system.ghl.sentMessages(made.id)).toHaveLength(1);
  expect(callsSince(before, await ghlCalls())).toEqual({ upsertContact: 1, sendMessage: 1 });
});

it('a later turn that only asks a question costs one GHL call: the reply', async () => {
  const c = await customer({ name: 'Quinn' });
  await finished((await c.post('Hi, I need web design')).body!.workflow_run_id);
  const before = await ghlCalls();
  const run = await finished((await c.post('what do you charge?')).body!.workflow_run_id);
  expect(run.final_state).toBe('waiting_for_customer');
  expect(callsSince(before, await ghlCalls())).toEqual({ sendMessage: 1 });
});

it('a voice note with no text gets a kind request for text, not silence', async () => {
  const c = await customer({ name: 'Vo' });
  const res = await c.post('', { attachments: ['https://example.com/voice.ogg'], contentType: 'audio/ogg' });
  const run = await finished(res.body!.workflow_run_id);
  expect(run.final_state).toBe('waiting_for_customer');
  expect(await c.replies()).toEqual([expect.stringMatching(/voice notes|write it/i)]);
});

it('two workers, one loses its contact lock while GHL is slow: nothing is done twice', async () => {
  const other = await system.addWorker({ JOB_LOCK_MS: '1000' });
  const c = await customer({ name: 'Kai' });
  await system.ghl.injectFaults({ endpoint: 'createAppointment', responses: [{ delayMs: 1500 }] });
  const first = await system.ingest.post(ghlInboundMessage({ contactId: c.contactId, from: c.phone, body: 'I need branding, budget $3000, tomorrow at 4pm' }));
  const firstRun = first.body!.workflow_run_id as string;
  // While the first turn waits on GHL, its lock lapses (a partition, a long pause) and a message arrives.
  const lockKey = `${system.prefix}:wab:inbox:${c.contactId}:lock`;
  await eventually(async () => expect(await system.ingest.redis.exists(lockKey)).toBe(1), 5_000, 10);
  await system.ingest.redis.del(lockKey);
  const second = await system.ingest.post(ghlInboundMessage({ contactId: c.contactId, from: c.phone, body: 'thanks!' }));
  const secondRun = second.body!.workflow_run_id as string;
  const run = await finished(firstRun);
  expect(run.final_state).toBe('completed');
  await eventually(async () => expect((await system.ingest.get(`/runs/${secondRun}`)).body.final_state).toBe('completed'), 25_000);
  expect(await c.appointments()).toHaveLength(1);
  expect(await c.replies()).toHaveLength(1); // one turn answered both messages, once
  await other.worker.close(true);
});

it('spam on a first message costs no GHL call; the contact is looked up once the customer writes for real', async () => {
  const c = await customer({ name: 'Sol' });
  const before = await ghlCalls();
  const spam = await finished((await c.post('Congratulations you won a prize!!! claim at http://bit.ly/free-money')).body!.workflow_run_id);
  expect(spam).toMatchObject({ final_state: 'ignored', nodes_executed: ['triage'] });
  expect(callsSince(before, await ghlCalls())).toEqual({});
  expect(await system.ingest.redis.hget(`${system.prefix}:wab:contact:${c.contactId}`, 'ghlContactId')).toBeNull();

  const hello = await finished((await c.post('Hi there')).body!.workflow_run_id);
  expect(hello.final_state).toBe('waiting_for_customer');
  expect(callsSince(before, await ghlCalls())).toEqual({ getContact: 1, sendMessage: 1 });
  expect((await c.replies())[0]).toMatch(/Sol/); // greeted by the name GHL knows
});

it("a new contact whose GHL zone is not the business's has its first message's time read in its own zone", async () => {
  const c = await customer({ name: 'Cora', timezone: 'America/Chicago' });
  // 11am in Chicago is noon on the business's New York clock (whose 11am an earlier test took).
  const run = await finished((await c.post('I need marketing, budget $2000, tomorrow at 11am')).body!.workflow_run_id);
  expect(run).toMatchObject({ final_state: 'completed', result: { booking_created: true } });
  const [appointment] = await c.appointments();
  expect(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Chicago', hour: 'numeric', hour12: false }).format(new Date(appointment.startTime))).toBe('11');
  expect((await c.replies())[0]).toMatch(/11:00\s?AM (CST|CDT)/);
});
