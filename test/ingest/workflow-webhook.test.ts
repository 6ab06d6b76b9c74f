import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngest, type Ingest } from '../support/ingest-harness';
import { TEST_LOCATION_ID } from '../support/deployment';
import { eventually } from '../support/redis';
import { startSystem, type System } from '../support/system';

const GLOBAL_TOKEN = 'workflow-token-for-every-location-0001';
const OLD_TOKEN = 'workflow-token-being-rotated-out-00002';
const BOUND_TOKEN = 'workflow-token-for-the-madrid-office-3';

/** The README's recipe, as GHL's Custom Webhook action fills its merge fields in (blank ones are ""). */
function recipeBody(fields: { locationId?: string; contactId?: string; body?: string; phone?: string; name?: string; email?: string } = {}) {
  const contactId = fields.contactId ?? 'wf_contact_1';
  const phone = fields.phone ?? '+34600111222';
  return {
    type: 'message',
    locationId: fields.locationId ?? TEST_LOCATION_ID,
    contactId,
    message: { body: fields.body ?? 'Hola, necesito ayuda con marketing', from: phone },
    contact: { id: contactId, name: fields.name ?? 'Ana García', phone, email: fields.email ?? '' },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'wab-wf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('workflow webhooks with a static token', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    const file = join(dir, 'locations.yaml');
    writeFileSync(
      file,
      `locations:\n  - { id: ${TEST_LOCATION_ID}, calendarId: cal_test }\n  - { id: loc_madrid, calendarId: cal_mad, webhookToken: ${BOUND_TOKEN} }\n`,
    );
    ingest = await startIngest({ WEBHOOK_TOKENS: `${GLOBAL_TOKEN},${OLD_TOKEN}`, LOCATIONS_FILE: file, RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_PHONE: '0' });
  });
  afterAll(() => ingest.close());

  const send = (body: unknown, headers: Record<string, string>) => ingest.post(body, { scheme: 'none', headers });

  it('takes the recipe body with a bearer token, or X-Webhook-Token, either token of a rotation', async () => {
    const a = await send(recipeBody({ contactId: 'wf_a' }), { Authorization: `Bearer ${GLOBAL_TOKEN}` });
    expect(a.status).toBe(202);
    const b = await send(recipeBody({ contactId: 'wf_b' }), { 'X-Webhook-Token': OLD_TOKEN });
    expect(b.status).toBe(202);
    const job = await ingest.queue.getJob(a.body!.workflow_run_id);
    expect(job!.data).toMatchObject({ locationId: TEST_LOCATION_ID, contactKey: 'wf_a', event: { kind: 'customer_message', body: 'Hola, necesito ayuda con marketing', email: null } });
  });

  it('a wrong or missing token gets the documented 401', async () => {
    const attempts: Record<string, string>[] = [{ Authorization: 'Bearer not-the-token-at-all-00000000' }, { 'X-Webhook-Token': `${GLOBAL_TOKEN}x` }, {}];
    for (const headers of attempts) {
      const res = await send(recipeBody({ contactId: 'wf_refused' }), headers);
      expect(res.status).toBe(401);
      expect(res.body!.error).toMatchObject({ code: 'UNAUTHORIZED', request_id: expect.any(String) });
    }
    expect(await ingest.scrape()).toMatch(/webhook_signature_failures_total\{reason="invalid_token",scheme="token"\} 2/);
  });

  it('a token is for the message format only: no INSTALL, no GHL event', async () => {
    const install = await send({ type: 'INSTALL', appId: 'app123', companyId: 'c1', locationId: TEST_LOCATION_ID }, { Authorization: `Bearer ${GLOBAL_TOKEN}` });
    expect(install.status).toBe(401);
    expect(install.body!.error.details).toMatchObject({ reason: 'scheme_not_for_format' });
  });

  it('a location-bound token serves only its location, and places a body that names none', async () => {
    const other = await send(recipeBody({ contactId: 'wf_c' }), { Authorization: `Bearer ${BOUND_TOKEN}` });
    expect(other.status).toBe(401);
    expect(other.body!.error.details).toMatchObject({ reason: 'token_not_for_location' });
    const unnamed = { ...recipeBody({ contactId: '' }), locationId: '' };
    const own = await send(unnamed, { Authorization: `Bearer ${BOUND_TOKEN}` });
    expect(own.status).toBe(202);
    const job = await ingest.queue.getJob(own.body!.workflow_run_id);
    // No contact id: the conversation is the phone's at that location.
    expect(job!.data).toMatchObject({ locationId: 'loc_madrid', contactKey: 'loc_madrid:+34600111222' });
  });

  it('GHL’s re-send of a delivery (no message id) is a duplicate; the same words after an answered turn are not', async () => {
    const body = recipeBody({ contactId: 'wf_yes', body: 'yes' });
    const auth = { Authorization: `Bearer ${GLOBAL_TOKEN}` };
    const first = await send(body, auth);
    expect(first.status).toBe(202);
    const again = await send(body, auth);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate', workflow_run_id: first.body!.workflow_run_id });
    // The bot answers that turn (the worker counts it, as contact-inbox does at the end of every turn) ...
    await ingest.redis.incr(`${ingest.prefix}:wab:inbox:wf_yes:turns`);
    // ... so the customer's next "yes" is a new message.
    const next = await send(body, auth);
    expect(next.status).toBe(202);
    expect(next.body!.workflow_run_id).not.toBe(first.body!.workflow_run_id);
    // Another contact's "yes" was never the same delivery.
    expect((await send(recipeBody({ contactId: 'wf_other', body: 'yes' }), auth)).status).toBe(202);
  });
});

describe('the recipe end to end', () => {
  let system: System;
  beforeAll(async () => {
    system = await startSystem({ env: { WEBHOOK_TOKENS: GLOBAL_TOKEN } });
  });
  afterAll(() => system.close());

  it('books from the workflow body with the bearer token, and answers "yes" twice across two turns', async () => {
    const contact = await system.ghl.seedContact({ name: 'Ana García', phone: '+34600999888' });
    const auth = { Authorization: `Bearer ${GLOBAL_TOKEN}` };
    const body = recipeBody({ contactId: contact.id, phone: '+34600999888', body: 'Hola, necesito ayuda con marketing. Mi presupuesto es 2000 dólares' });
    const res = await system.ingest.post(body, { scheme: 'none', headers: auth });
    expect(res.status).toBe(202);
    const run = await eventually(async () => {
      const r = (await system.ingest.get(`/runs/${res.body!.workflow_run_id}`)).body;
      if (!['completed', 'waiting_for_customer', 'failed'].includes(r.final_state)) throw new Error(`still ${r.final_state}`);
      return r;
    }, 20_000);
    expect(run).toMatchObject({ final_state: 'completed', result: { booking_created: true } });
    expect(await system.ghl.appointments()).toHaveLength(1);
    // Two answers to two different turns: both "gracias" are taken.
    for (let i = 0; i < 2; i++) {
      const thanks = await system.ingest.post(recipeBody({ contactId: contact.id, phone: '+34600999888', body: 'gracias' }), { scheme: 'none', headers: auth });
      expect(thanks.status).toBe(202);
      await eventually(async () => {
        const r = (await system.ingest.get(`/runs/${thanks.body!.workflow_run_id}`)).body;
        if (r.final_state !== 'completed') throw new Error(`still ${r.final_state}`);
      }, 20_000);
    }
    expect(await system.ghl.sentMessages(contact.id)).toHaveLength(3);
  });
});
