import { createHmac } from 'node:crypto';
import { startIngest, type Ingest } from '../support/ingest-harness';
import { TEST_SECRET } from '../support/signing';

let ingest: Ingest;
beforeAll(async () => {
  ingest = await startIngest({ RATE_LIMIT_PER_IP: '0' });
});
afterAll(() => ingest.close());

/** The API reference's JavaScript client, as published (axios swapped for fetch; the signing is the same). */
class BookingWebhookClient {
  constructor(
    private baseUrl: string,
    private webhookSecret: string,
  ) {}
  generateSignature(payload: unknown) {
    return createHmac('sha256', this.webhookSecret).update(JSON.stringify(payload)).digest('hex');
  }
  async sendMessage(message: string, phone: string) {
    const payload = { type: 'message', message: { body: message, from: phone } };
    const response = await fetch(`${this.baseUrl}/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-GHL-Signature': this.generateSignature(payload) },
      body: JSON.stringify(payload),
    });
    return { status: response.status, data: (await response.json()) as Record<string, unknown> };
  }
}

it('accepts the API reference’s own Node client example', async () => {
  const client = new BookingWebhookClient(ingest.url, TEST_SECRET);
  const result = await client.sendMessage('I need marketing help. Budget $2000', '+1234567890');
  expect(result.status).toBe(202);
  expect(result.data).toMatchObject({ status: 'accepted', workflow_run_id: expect.stringMatching(/^run_/) });
});

it('accepts the reference’s Python test signature (compact separators)', async () => {
  const payload = { type: 'message', message: { body: 'Test', from: '+1234567890' } };
  const text = JSON.stringify(payload); // json.dumps(payload, separators=(',', ':'))
  const res = await ingest.post(null, { raw: text, scheme: 'none', headers: { 'X-GHL-Signature': createHmac('sha256', TEST_SECRET).update(text).digest('hex') } });
  expect(res.status).toBe(202);
});
