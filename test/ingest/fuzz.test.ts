import fc from 'fast-check';
import { ghlInboundMessage, referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { hmacHex } from '../support/signing';

let ingest: Ingest;
beforeAll(async () => {
  ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_PHONE: '0' });
});
afterAll(() => ingest.close());

const DOCUMENTED = new Set([200, 202, 400, 401, 413, 415, 429]);

async function expectDocumentedAnswer(raw: string, headers: Record<string, string>) {
  const res = await fetch(`${ingest.url}/webhook`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  expect(DOCUMENTED.has(res.status)).toBe(true);
  expect(text).not.toMatch(/\n\s+at |Error: /); // no stack trace leaks out
  if (res.status >= 400) expect(JSON.parse(text).error.code).toEqual(expect.any(String));
}

/** JSON-ish values that stress the schemas: wrong types, huge strings, odd unicode, prototype keys. */
const nasty = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('__proto__', 'constructor', '+1234567890', 'invalid-phone', '', '\u0000', 'N/A'),
);

describe('fuzzing never yields a 5xx or a crash', () => {
  it('signed bodies of any shape get a documented answer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.record({ type: fc.constantFrom('message', 'InboundMessage', 'OutboundMessage', 'AppointmentCreate', 'ContactDndUpdate', 'message_status', 'appointment_confirmed'), message: fc.dictionary(fc.string(), nasty), body: nasty, from: nasty, contactId: nasty, timestamp: nasty, appointment: nasty, messageType: nasty }, { requiredKeys: ['type'] }).map((v) => JSON.stringify(v)),
          fc.string({ unit: 'binary' }),
          fc.constant('{"__proto__":{"polluted":true},"type":"message","message":{"from":"+1234567890"}}'),
        ),
        async (raw) => {
          await expectDocumentedAnswer(raw, { 'Content-Type': 'application/json', 'X-GHL-Signature': hmacHex(raw) });
        },
      ),
      { numRuns: 150 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('any signature and content-type header values get a documented answer', async () => {
    const body = JSON.stringify(referenceMessage({ id: 'fuzz-headers' }));
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 600 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
        fc.string({ maxLength: 100 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.ghl+json', 'text/json', ''),
        async (ghl, wh, type) => {
          await expectDocumentedAnswer(body, { 'Content-Type': type, 'X-GHL-Signature': ghl, 'X-WH-Signature': wh });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('valid GHL messages with random field values are accepted or refused, never crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ body: nasty, from: nasty, contactId: nasty, attachments: nasty }), async (fields) => {
        const raw = JSON.stringify(ghlInboundMessage(fields));
        await expectDocumentedAnswer(raw, { 'Content-Type': 'application/json', 'X-GHL-Signature': hmacHex(raw) });
      }),
      { numRuns: 100 },
    );
  });
});
