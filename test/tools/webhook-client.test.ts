import { createHmac } from 'node:crypto';
import { BookingWebhookClient, signBody } from '../../services/tools/src/webhook-client';
import { startIngest, type Ingest } from '../support/ingest-harness';
import { OLD_SECRET, TEST_SECRET } from '../support/signing';
import { startSystem, type System } from '../support/system';

describe('signBody', () => {
  it('is what `openssl dgst -sha256 -hmac <secret>` prints for the same bytes', () => {
    // RFC 4231 test case 2: the value openssl prints for `printf %s 'what do ya want for nothing?' | openssl dgst -sha256 -hmac Jefe`.
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    const fixture = '{"type":"message","message":{"id":"m1","body":"Hola, soy Ana. Presupuesto 2.000 €","from":"+15550001111"}}\n';
    const expected = createHmac('sha256', 'local-sandbox-demo-secret-not-for-production').update(Buffer.from(fixture, 'utf8')).digest('hex');
    expect(signBody(fixture, 'local-sandbox-demo-secret-not-for-production')).toBe(expected);
    expect(signBody(Buffer.from(fixture, 'utf8'), 'local-sandbox-demo-secret-not-for-production')).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('BookingWebhookClient against a real ingest', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    ingest = await startIngest({ RATE_LIMIT_PER_IP: '0' });
  });
  afterAll(() => ingest.close());

  it('sends a reference-format message whose signature verifies (202), with the request id', async () => {
    const client = new BookingWebhookClient({ baseUrl: `${ingest.url}/`, webhookSecret: TEST_SECRET });
    const result = await client.sendMessage('Hola, soy Ana. Necesito marketing, presupuesto 2.000 €', '+15550001111', { name: 'Ana Muñoz' });
    expect(result).toEqual({
      status: 202,
      body: expect.objectContaining({ status: 'accepted', workflow_run_id: expect.stringMatching(/^run_/) }),
      requestId: expect.any(String),
    });
    const job = await ingest.queue.getJob((result.body as { workflow_run_id: string }).workflow_run_id);
    expect(job!.data.event).toMatchObject({ kind: 'customer_message', phone: '+15550001111', name: 'Ana Muñoz', body: expect.stringContaining('€') });
  });

  it('verifies with a rotated-out secret still listed, and is refused with a wrong one (401)', async () => {
    const old = new BookingWebhookClient({ baseUrl: ingest.url, webhookSecret: OLD_SECRET });
    expect((await old.sendMessage('hi', '+15550001112')).status).toBe(202);
    const wrong = new BookingWebhookClient({ baseUrl: ingest.url, webhookSecret: 'not-the-secret' });
    const refused = await wrong.sendMessage('hi', '+15550001113');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('uses a fresh message id per call unless given (a given one is deduplicated by the ingest)', async () => {
    const client = new BookingWebhookClient({ baseUrl: ingest.url, webhookSecret: TEST_SECRET });
    const [a, b] = [await client.sendMessage('one', '+15550001114'), await client.sendMessage('one', '+15550001114')];
    expect([a.status, b.status]).toEqual([202, 202]);
    const first = await client.sendMessage('two', '+15550001114', { messageId: 'client-fixed-id', contactId: 'c_fixed' });
    const repeat = await client.sendMessage('two', '+15550001114', { messageId: 'client-fixed-id', contactId: 'c_fixed' });
    expect(first.status).toBe(202);
    expect(repeat).toMatchObject({ status: 200, body: { status: 'duplicate', workflow_run_id: (first.body as { workflow_run_id: string }).workflow_run_id } });
  });

  it('signs exactly the bytes it sends, in the reference payload shape', async () => {
    const seen: { url: string; headers: Record<string, string>; body: Buffer }[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      seen.push({ url: String(input), headers: init!.headers as Record<string, string>, body: Buffer.from(init!.body as Uint8Array) });
      return fetch(input, init);
    };
    const client = new BookingWebhookClient({ baseUrl: ingest.url, webhookSecret: TEST_SECRET, fetch: recordingFetch });
    const res = await client.send({ type: 'message', message: { body: 'emoji 📅 and "quotes"', from: '+15550001115' } });
    expect(res.status).toBe(202);
    await client.sendMessage('x', '+15550001116', { contactId: 'c_1', wait: 0 });

    expect(seen[0].url).toBe(`${ingest.url}/webhook`);
    expect(seen[0].headers['X-GHL-Signature']).toBe(createHmac('sha256', TEST_SECRET).update(seen[0].body).digest('hex'));
    expect(seen[1].url).toBe(`${ingest.url}/webhook?wait=0`);
    const payload = JSON.parse(seen[1].body.toString('utf8'));
    expect(payload).toEqual({
      type: 'message',
      contactId: 'c_1',
      message: { id: expect.stringMatching(/^msg_[0-9a-f-]{36}$/), body: 'x', from: '+15550001116', timestamp: expect.any(String) },
    });
    expect(Number.isNaN(Date.parse(payload.message.timestamp))).toBe(false);
  });

  it('refuses a bad configuration or wait before sending anything', () => {
    expect(() => new BookingWebhookClient({ baseUrl: 'localhost:8000', webhookSecret: 's' })).toThrow(/baseUrl/);
    expect(() => new BookingWebhookClient({ baseUrl: ingest.url, webhookSecret: '' })).toThrow(/webhookSecret/);
    const client = new BookingWebhookClient({ baseUrl: ingest.url, webhookSecret: TEST_SECRET });
    return expect(client.sendMessage('x', '+15550001117', { wait: -1 })).rejects.toThrow(RangeError);
  });
});

describe('BookingWebhookClient with the whole system', () => {
  let system: System;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system.close());

  it('waits for the run with { wait } and gets the booking (200)', async () => {
    const client = new BookingWebhookClient({ baseUrl: system.ingest.url, webhookSecret: system.ingest.config.WEBHOOK_SECRET[0] });
    const result = await client.sendMessage('Hi, I need help with marketing. My budget is $2000', '+15550003333', { name: 'Ana', wait: 15 });
    expect(result).toMatchObject({ status: 200, body: { status: 'success', final_state: 'completed', booking_id: expect.any(String) } });
    const appointments = await system.ghl.appointments();
    expect(appointments.map((a: { id: string }) => a.id)).toContain((result.body as { booking_id: string }).booking_id);
  });
});
