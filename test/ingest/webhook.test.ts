import { TEST_LOCATION_ID } from '../support/deployment';
import { ghlInboundMessage, referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';

let ingest: Ingest;
beforeAll(async () => {
  ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_PHONE: '0' });
});
afterAll(() => ingest.close());

const jobOf = async (runId: string) => {
  const job = await ingest.queue.getJob(runId);
  if (!job) throw new Error(`no job ${runId}`);
  return job;
};

describe('POST /webhook accepts both payload shapes once the queue holds the job', () => {
  it('queues the API reference example and answers 202 with its run id', async () => {
    const res = await ingest.post(referenceMessage({ id: 'ref-1' }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      status: 'accepted',
      message: expect.any(String),
      workflow_run_id: expect.stringMatching(/^run_/),
      booking_id: null,
    });
    const job = await jobOf(res.body!.workflow_run_id);
    expect(job.data).toMatchObject({
      format: 'reference',
      eventType: 'message',
      contactKey: 'contact_123',
      locationId: TEST_LOCATION_ID,
      event: {
        kind: 'customer_message',
        contactId: 'contact_123',
        phone: '+1234567890',
        name: 'John Doe',
        email: 'john@example.com',
        messageId: 'ref-1',
        body: 'Hi, I need help with marketing. My budget is $2000',
        channel: 'whatsapp',
      },
    });
    expect(job.opts.attempts).toBe(5);
    expect(job.opts.backoff).toMatchObject({ type: 'exponential' });
  });

  it('queues the reference basic example (no ids): keyed by the sender phone', async () => {
    const res = await ingest.post({ type: 'message', message: { body: 'I need help with marketing. Budget is $2000', from: '+1234567890' } });
    expect(res.status).toBe(202);
    const job = await jobOf(res.body!.workflow_run_id);
    expect(job.data.contactKey).toBe('+1234567890');
    expect(job.data.event.contactId).toBeNull();
  });

  it('queues a GHL InboundMessage on WhatsApp, flat shape, signed with Ed25519', async () => {
    const body = ghlInboundMessage();
    const res = await ingest.post(body, { scheme: 'ed25519' });
    expect(res.status).toBe(202);
    const job = await jobOf(res.body!.workflow_run_id);
    expect(job.data).toMatchObject({
      format: 'ghl',
      eventType: 'InboundMessage',
      contactKey: body.contactId,
      event: { kind: 'customer_message', phone: '+15551234567', body: 'Hola, quiero una cita', messageId: body.messageId },
    });
  });

  it.each([
    ['messageTypeString TYPE_WHATSAPP', { messageType: undefined, messageTypeString: 'TYPE_WHATSAPP' }],
    ['messageType WHATSAPP', { messageType: 'WHATSAPP' }],
  ])('recognises WhatsApp by %s', async (_name, overrides) => {
    const res = await ingest.post(ghlInboundMessage(overrides));
    expect(res.status).toBe(202);
  });

  it('acknowledges messages on other channels as ignored, queueing nothing', async () => {
    const before = await ingest.queue.count();
    const res = await ingest.post(ghlInboundMessage({ messageType: 'SMS' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ignored', workflow_run_id: null });
    expect(await ingest.queue.count()).toBe(before);
  });

  it('queues a human reply from the GHL app, but ignores the bot’s own API sends', async () => {
    const human = await ingest.post(ghlInboundMessage({ type: 'OutboundMessage', source: 'app', direction: 'outbound' }));
    expect(human.status).toBe(202);
    expect((await jobOf(human.body!.workflow_run_id)).data.event).toMatchObject({ kind: 'human_reply', contactId: 'cI08i1Bls3iTB9bKgFJh' });
    const echo = await ingest.post(ghlInboundMessage({ type: 'OutboundMessage', source: 'api', direction: 'outbound' }));
    expect(echo.status).toBe(200);
    expect(echo.body!.status).toBe('ignored');
  });

  it('queues appointment, status and DND events in both formats', async () => {
    const now = new Date().toISOString();
    const cases = [
      [{ type: 'message_status', status: 'delivered', messageId: 'msg_123', timestamp: now }, { kind: 'message_status', status: 'delivered' }],
      [{ type: 'appointment_confirmed', appointmentId: 'apt_456', scheduledTime: '2024-01-20T14:00:00Z', contactId: 'contact_123' }, { kind: 'appointment', action: 'confirmed' }],
      [{ type: 'AppointmentDelete', locationId: TEST_LOCATION_ID, timestamp: now, webhookId: 'wh-del-1', appointment: { id: 'apt_1', contactId: 'c1', startTime: now } }, { kind: 'appointment', action: 'deleted', contactId: 'c1' }],
      [{ type: 'ContactDndUpdate', locationId: TEST_LOCATION_ID, timestamp: now, webhookId: 'wh-dnd-1', id: 'c2', dnd: false, dndSettings: { WhatsApp: { status: 'active' } } }, { kind: 'contact_dnd', whatsappOptOut: true }],
    ] as const;
    for (const [body, event] of cases) {
      const res = await ingest.post(body);
      expect(res.status).toBe(202);
      expect((await jobOf(res.body!.workflow_run_id)).data.event).toMatchObject(event);
    }
  });

  it('acknowledges GHL event types the product does not handle (refusing them would make GHL pause us)', async () => {
    const res = await ingest.post({ type: 'ContactCreate', locationId: TEST_LOCATION_ID, id: 'c9', timestamp: new Date().toISOString() });
    expect(res).toMatchObject({ status: 200, body: { status: 'ignored' } });
  });

  it('counts ignored event types under a bounded label: an unknown type is "other", never a series of its own', async () => {
    const weird = `Weird${Math.random().toString(36).slice(2)}`;
    expect((await ingest.post({ type: weird, locationId: TEST_LOCATION_ID, timestamp: new Date().toISOString() })).status).toBe(200);
    const metrics = await ingest.scrape();
    expect(metrics).toMatch(/webhook_ignored_total\{event_type="other",reason="event_type"\} [1-9]/);
    expect(metrics).not.toContain(weird);
  });

  it('carries an incoming X-Request-Id into the answer and the job', async () => {
    const res = await ingest.post(referenceMessage({ id: 'ref-reqid' }), { headers: { 'X-Request-Id': 'trace-abc.123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc.123');
    expect((await jobOf(res.body!.workflow_run_id)).data.requestId).toBe('trace-abc.123');
    const fresh = await ingest.post(referenceMessage({ id: 'ref-reqid-2' }), { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^req_/);
  });
});

describe('POST /webhook refuses bad input with the documented error body', () => {
  const errorShape = (code: string) => ({
    error: { code, message: expect.any(String), details: expect.anything(), request_id: expect.any(String), timestamp: expect.any(String) },
  });

  it('gives the reference’s own validation example: invalid-phone', async () => {
    const res = await ingest.post(referenceMessage({ from: 'invalid-phone' }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(errorShape('VALIDATION_ERROR'));
    expect(res.body!.error.details).toEqual({ field: 'message.from', value: 'invalid-phone' });
    expect(res.body!.error.request_id).toBe(res.headers.get('x-request-id'));
  });

  it.each(['+0123456789', '+12345', '1234567890', '+1234567890123456'])('refuses sender %s (not E.164)', async (from) => {
    const res = await ingest.post(referenceMessage({ from }));
    expect(res.status).toBe(400);
    expect(res.body!.error.details.field).toBe('message.from');
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await ingest.post(null, { raw: '{"type":"message",' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(errorShape('VALIDATION_ERROR'));
  });

  it('refuses a body that is not JSON with 415, before looking at the signature', async () => {
    const res = await fetch(`${ingest.url}/webhook`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject(errorShape('UNSUPPORTED_MEDIA_TYPE'));
  });

  it('refuses a body over 256 KiB with 413, declared or chunked', async () => {
    const big = JSON.stringify({ type: 'message', message: { from: '+1234567890', body: 'x'.repeat(300 * 1024) } });
    const declared = await ingest.post(null, { raw: big });
    expect(declared.status).toBe(413);
    expect(declared.body).toMatchObject(errorShape('PAYLOAD_TOO_LARGE'));
    const chunks = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await fetch(`${ingest.url}/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-GHL-Signature': 'a'.repeat(64) },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('refuses a body without a type, or a type with the wrong shape, with 400 naming the field', async () => {
    const res = await ingest.post({ message: { from: '+1234567890' } });
    expect(res.status).toBe(400);
    expect(res.body!.error.details.field).toBe('type');
    const noAppointment = await ingest.post({ type: 'appointment_confirmed' });
    expect(noAppointment.body!.error.details.field).toBe('appointmentId');
  });

  it('refuses GHL deliveries from the future or older than the dedupe window with 401', async () => {
    const future = await ingest.post(ghlInboundMessage({ timestamp: new Date(Date.now() + 10 * 60_000).toISOString() }));
    expect(future.status).toBe(401);
    expect(future.body!.error.details.reason).toBe('timestamp_in_future');
    const old = await ingest.post(ghlInboundMessage({ timestamp: new Date(Date.now() - 4 * 24 * 3600_000).toISOString() }));
    expect(old.status).toBe(401);
    const skewed = await ingest.post(ghlInboundMessage({ timestamp: new Date(Date.now() + 60_000).toISOString() }));
    expect(skewed.status).toBe(202);
  });

  it('validates ?wait', async () => {
    const res = await ingest.post(referenceMessage({ id: 'ref-wait-bad' }), { query: '?wait=31' });
    expect(res.status).toBe(400);
    expect(res.body!.error.details.field).toBe('wait');
  });

  it('answers unknown routes with the error body and 404', async () => {
    const res = await ingest.get('/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});

describe('dedupe', () => {
  it('answers a repeated message id with 200 and the original run id, queueing nothing', async () => {
    const first = await ingest.post(referenceMessage({ id: 'dup-1' }));
    const count = await ingest.queue.count();
    const again = await ingest.post(referenceMessage({ id: 'dup-1' }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate', workflow_run_id: first.body!.workflow_run_id });
    expect(await ingest.queue.count()).toBe(count);
  });

  it('recognises a GHL redelivery by webhookId even with a new message id', async () => {
    const body = ghlInboundMessage();
    const first = await ingest.post(body);
    const again = await ingest.post({ ...body, messageId: 'other' });
    expect(again.body).toMatchObject({ status: 'duplicate', workflow_run_id: first.body!.workflow_run_id });
  });

  it('still recognises a duplicate after retention removed the job', async () => {
    const first = await ingest.post(referenceMessage({ id: 'dup-removed' }));
    const runId = first.body!.workflow_run_id;
    await ingest.runStore.save({ workflow_run_id: runId, final_state: 'completed', nodes_executed: ['triage'], result: null, execution_time: 0.1 });
    await (await jobOf(runId)).remove();
    const again = await ingest.post(referenceMessage({ id: 'dup-removed' }));
    expect(again.body).toMatchObject({ status: 'duplicate', workflow_run_id: runId });
  });

  it('lets one of many concurrent identical deliveries through', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => ingest.post(referenceMessage({ id: 'dup-race' }))));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    const runIds = new Set(answers.map((a) => a.body!.workflow_run_id));
    expect(runIds.size).toBe(1);
  });
});
