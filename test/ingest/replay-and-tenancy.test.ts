import { TEST_LOCATION_ID } from '../support/deployment';
import { capturedLogger, ghlInboundMessage, referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';

const logs = capturedLogger('info');
let ingest: Ingest;
beforeAll(async () => {
  ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_PHONE: '0' }, { logger: logs.logger });
});
afterAll(() => ingest.close());

const now = () => new Date().toISOString();
const unique = () => Math.random().toString(36).slice(2);

describe('events for a location this deployment does not serve', () => {
  it('are acknowledged 200 ignored, never queued, and counted under a bounded reason, even when validly GHL-signed', async () => {
    const before = await ingest.queue.count();
    for (const scheme of ['ed25519', 'rsa', 'hmac'] as const) {
      const res = await ingest.post(ghlInboundMessage({ locationId: 'loc_someone_else' }), { scheme });
      expect(res).toMatchObject({ status: 200, body: { status: 'ignored', workflow_run_id: null } });
    }
    const delete_ = { type: 'AppointmentDelete', locationId: 'loc_someone_else', timestamp: now(), webhookId: `wh-${unique()}`, appointment: { id: 'apt_x', contactId: 'c1' } };
    expect((await ingest.post(delete_, { scheme: 'ed25519' })).body!.status).toBe('ignored');
    expect(await ingest.queue.count()).toBe(before);
    const metrics = await ingest.scrape();
    expect(metrics).toMatch(/webhook_ignored_total\{event_type="InboundMessage",reason="location"\} 3/);
    // The legitimate path: this deployment's location, same signature.
    expect((await ingest.post(ghlInboundMessage(), { scheme: 'ed25519' })).status).toBe(202);
    expect((await ingest.post({ ...delete_, locationId: TEST_LOCATION_ID }, { scheme: 'ed25519' })).status).toBe(202);
  });

  it('are logged once per location', async () => {
    for (let i = 0; i < 3; i++) await ingest.post(ghlInboundMessage({ locationId: 'loc_logged_once' }), { scheme: 'ed25519' });
    await ingest.post(ghlInboundMessage({ locationId: 'loc_logged_too' }), { scheme: 'ed25519' });
    const lines = logs.lines().split('\n').filter((l) => l.includes('does not serve'));
    expect(lines.filter((l) => l.includes('"loc_logged_once"'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('"loc_logged_too"'))).toHaveLength(1);
  });

  it('a body without locationId (the reference’s examples) is not judged by location', async () => {
    const { locationId: _dropped, ...withoutLocation } = referenceMessage({ id: `no-loc-${unique()}` });
    expect((await ingest.post(withoutLocation)).status).toBe(202);
  });
});

describe('replays of bodies without a delivery or message id', () => {
  it.each([
    ['the reference’s minimal message', () => ({ type: 'message', message: { body: `Hi ${unique()}`, from: '+15550001234' } })],
    ['an AppointmentDelete without webhookId', () => ({ type: 'AppointmentDelete', locationId: TEST_LOCATION_ID, appointment: { id: `apt_${unique()}`, contactId: 'c1' } })],
    ['a ContactDndUpdate with dnd:false without webhookId', () => ({ type: 'ContactDndUpdate', locationId: TEST_LOCATION_ID, id: `c_${unique()}`, dnd: false })],
  ])('%s is a duplicate the second time (dedupe on the SHA-256 of the raw bytes)', async (_name, make) => {
    const body = make();
    const first = await ingest.post(body);
    expect(first.status).toBe(202);
    const again = await ingest.post(body);
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate', workflow_run_id: first.body!.workflow_run_id } });
    // Another body (other bytes) is another delivery.
    expect((await ingest.post(make())).status).toBe(202);
  });
});

describe('the delivery-time window applies to every format’s top-level timestamp', () => {
  const day = 24 * 3600 * 1000;
  it.each([
    ['a reference message', (timestamp: string) => ({ ...referenceMessage({ id: `ts-${unique()}` }), timestamp })],
    ['the reference’s message_status', (timestamp: string) => ({ type: 'message_status', status: 'read', messageId: `m_${unique()}`, timestamp })],
    ['a GHL InboundMessage', (timestamp: string) => ghlInboundMessage({ timestamp })],
  ])('%s: too old or in the future is 401; now is accepted', async (_name, make) => {
    const old = await ingest.post(make(new Date(Date.now() - 4 * day).toISOString()));
    expect(old).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED', details: { reason: 'timestamp_too_old' } } } });
    const future = await ingest.post(make(new Date(Date.now() + 3600_000).toISOString()));
    expect(future).toMatchObject({ status: 401, body: { error: { details: { reason: 'timestamp_in_future' } } } });
    expect((await ingest.post(make(now()))).status).toBe(202);
  });

  it('the reference message’s own message.timestamp (2024 in the API reference) is not a delivery time', async () => {
    const example = referenceMessage({ id: `ex-${unique()}` });
    expect(example.message.timestamp).toBe('2024-01-15T10:30:00Z');
    expect((await ingest.post(example)).status).toBe(202);
  });
});

describe('logs at info', () => {
  it('never carry a phone number or a message body', async () => {
    const phone = '+15557654321';
    const text = `secret-body-${unique()}`;
    await ingest.post(referenceMessage({ id: `log-${unique()}`, from: phone, body: text }));
    await ingest.post(referenceMessage({ id: `log-${unique()}`, from: phone, body: text }), { scheme: 'ed25519' });
    await ingest.post(ghlInboundMessage({ from: phone, body: text, locationId: `loc_${unique()}` }), { scheme: 'ed25519' });
    await ingest.post(ghlInboundMessage({ from: phone, body: text, timestamp: '2020-01-01T00:00:00Z' }));
    await ingest.post(referenceMessage({ from: 'not-a-phone', body: text }));
    const written = logs.lines();
    expect(written).toContain('webhook refused'); // the refusals were logged at info
    expect(written).not.toContain(phone);
    expect(written).not.toContain(phone.slice(1));
    expect(written).not.toContain(text);
  });
});
