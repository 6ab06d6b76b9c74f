import { createHmac } from 'node:crypto';
import { GHL_ED25519_PUBLIC_KEY, GHL_RSA_PUBLIC_KEY } from '@wab/shared';
import { parsePublicKeys } from '../../services/ingest/src/signature/keys';
import { ConfigError } from '@wab/shared';
import { ghlInboundMessage, referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { OLD_SECRET, ed25519Base64, hmacHex, rsaBase64 } from '../support/signing';

let ingest: Ingest;
beforeAll(async () => {
  ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_PHONE: '0' });
});
afterAll(() => ingest.close());

let n = 0;
const body = () => JSON.stringify(referenceMessage({ id: `sig-${++n}` }));
const send = (text: string, headers: Record<string, string>) => ingest.post(null, { raw: text, scheme: 'none', headers });

/** Flips one bit of the body so the bytes differ but the JSON stays valid. */
const tamper = (text: string) => text.replace('marketing', 'marketinf');

describe('webhook signatures are checked over the raw bytes, failing closed', () => {
  it.each([
    ['HMAC-SHA256 hex in X-GHL-Signature', (t: string) => ({ 'X-GHL-Signature': hmacHex(t) })],
    ['HMAC with the previous secret (rotation)', (t: string) => ({ 'X-GHL-Signature': hmacHex(t, OLD_SECRET) })],
    ['HMAC hex in upper case', (t: string) => ({ 'X-GHL-Signature': hmacHex(t).toUpperCase() })],
  ])('accepts %s', async (_name, sign) => {
    const text = body();
    const res = await send(text, sign(text));
    expect(res.status).toBe(202);
  });

  // GHL's public keys sign GHL's own payloads, so these are checked on an InboundMessage.
  it.each([
    ['Ed25519 base64 in X-GHL-Signature', (t: string) => ({ 'X-GHL-Signature': ed25519Base64(t) })],
    ['RSA-SHA256 base64 in X-WH-Signature (legacy)', (t: string) => ({ 'X-WH-Signature': rsaBase64(t) })],
    ['X-GHL-Signature N/A with a valid X-WH-Signature', (t: string) => ({ 'X-GHL-Signature': 'N/A', 'X-WH-Signature': rsaBase64(t) })],
  ])('accepts a GHL body with %s', async (_name, sign) => {
    const text = JSON.stringify(ghlInboundMessage());
    const res = await send(text, sign(text));
    expect(res.status).toBe(202);
  });

  it.each([
    ['Ed25519', (t: string) => ({ 'X-GHL-Signature': ed25519Base64(t) })],
    ['RSA', (t: string) => ({ 'X-WH-Signature': rsaBase64(t) })],
  ])('refuses a reference-format body validly signed with %s (GHL’s keys sign any GHL account’s payloads): 401', async (_name, sign) => {
    const before = await ingest.queue.count();
    for (const reference of [referenceMessage({ id: `sig-pk-${++n}` }), { type: 'message_status', status: 'read', messageId: `m-${++n}` }, { type: 'appointment_confirmed', appointmentId: `apt-${++n}` }]) {
      const text = JSON.stringify(reference);
      const res = await send(text, sign(text));
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: { code: 'UNAUTHORIZED', message: expect.any(String), details: { reason: 'scheme_not_for_format' }, request_id: expect.any(String), timestamp: expect.any(String) },
      });
      // The same body signed with the deployment's secret is the legitimate path.
      expect((await send(text, { 'X-GHL-Signature': hmacHex(text) })).status).toBe(202);
    }
    expect(await ingest.queue.count()).toBe(before + 3);
  });

  it.each([
    ['no signature', () => ({})],
    ['N/A', () => ({ 'X-GHL-Signature': 'N/A' })],
    ['an unknown secret', (t: string) => ({ 'X-GHL-Signature': createHmac('sha256', 'guess').update(t).digest('hex') })],
    ['the reference’s placeholder test-signature', () => ({ 'X-GHL-Signature': 'test-signature' })],
    ['a tampered body under HMAC', (t: string) => ({ 'X-GHL-Signature': hmacHex(tamper(t)) })],
    ['a tampered body under Ed25519', (t: string) => ({ 'X-GHL-Signature': ed25519Base64(tamper(t)) })],
    ['a tampered body under RSA', (t: string) => ({ 'X-WH-Signature': rsaBase64(tamper(t)) })],
    ['a base64 value of the wrong length', () => ({ 'X-GHL-Signature': Buffer.alloc(32).toString('base64') })],
    ['an RSA signature in X-GHL-Signature', (t: string) => ({ 'X-GHL-Signature': rsaBase64(t) })],
    ['a bad X-GHL-Signature next to a good X-WH-Signature (only X-GHL is checked)', (t: string) => ({ 'X-GHL-Signature': 'a'.repeat(64), 'X-WH-Signature': rsaBase64(t) })],
  ])('refuses %s with 401 UNAUTHORIZED', async (_name, sign) => {
    const text = body();
    const res = await send(text, sign(text));
    expect(res.status).toBe(401);
    expect(res.body!.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Invalid or missing signature' });
  });

  it('checks the bytes as sent, not a re-serialised body (whitespace matters)', async () => {
    const text = JSON.stringify(referenceMessage({ id: 'sig-spaced' }), null, 2);
    expect((await send(text, { 'X-GHL-Signature': hmacHex(text) })).status).toBe(202);
    const compact = JSON.stringify(JSON.parse(text));
    expect((await send(text, { 'X-GHL-Signature': hmacHex(compact) })).status).toBe(401);
  });

  it('counts refusals by reason on /metrics', async () => {
    await send(body(), {});
    const metrics = await ingest.scrape();
    expect(metrics).toMatch(/webhook_signature_failures_total\{reason="missing",scheme="unknown"\} [1-9]/);
    expect(metrics).toMatch(/webhook_signature_failures_total\{reason="mismatch",scheme="hmac-sha256"\} [1-9]/);
  });

  it('refuses everything HMAC-signed when no secret is configured', async () => {
    const noSecret = await startIngest({ WEBHOOK_SECRET: '', RATE_LIMIT_PER_IP: '0' });
    try {
      const text = body();
      expect((await noSecret.post(null, { raw: text, headers: { 'X-GHL-Signature': createHmac('sha256', '').update(text).digest('hex') }, scheme: 'none' })).status).toBe(401);
    } finally {
      await noSecret.close();
    }
  });
});

describe('SIGNATURE_SCHEMES', () => {
  it('an HMAC-only deployment refuses GHL’s public-key schemes and still takes HMAC', async () => {
    const hmacOnly = await startIngest({ SIGNATURE_SCHEMES: 'hmac', GHL_LOCATION_ID: '', RATE_LIMIT_PER_IP: '0' });
    try {
      const text = JSON.stringify(ghlInboundMessage());
      const signed: Record<string, string>[] = [{ 'X-GHL-Signature': ed25519Base64(text) }, { 'X-WH-Signature': rsaBase64(text) }];
      for (const headers of signed) {
        const res = await hmacOnly.post(null, { raw: text, scheme: 'none', headers });
        expect(res.status).toBe(401);
        expect(res.body!.error).toMatchObject({ code: 'UNAUTHORIZED', details: { reason: 'disabled' } });
      }
      expect((await hmacOnly.post(null, { raw: text, scheme: 'hmac' })).status).toBe(202);
      expect(await hmacOnly.scrape()).toMatch(/webhook_signature_failures_total\{reason="disabled",scheme="ed25519"\} 1/);
    } finally {
      await hmacOnly.close();
    }
  });

  it('with a public-key scheme on, the ingest needs GHL_LOCATION_ID (the keys do not tell accounts apart)', async () => {
    await expect(startIngest({ GHL_LOCATION_ID: '' })).rejects.toThrow(ConfigError);
    await expect(startIngest({ GHL_LOCATION_ID: '', SIGNATURE_SCHEMES: 'hmac,rsa' })).rejects.toThrow(/GHL_LOCATION_ID: required by the ingest when SIGNATURE_SCHEMES includes ed25519 or rsa/);
  });
});

describe('keys', () => {
  it('embeds GHL’s published keys as defaults', () => {
    expect(parsePublicKeys(GHL_ED25519_PUBLIC_KEY, 'x')[0].asymmetricKeyType).toBe('ed25519');
    const [rsa] = parsePublicKeys(GHL_RSA_PUBLIC_KEY, 'x');
    expect(rsa.asymmetricKeyDetails?.modulusLength).toBe(4096);
  });

  it('reads several keys from one setting (rotation), also with \\n escapes', () => {
    const two = `${GHL_ED25519_PUBLIC_KEY}\n${GHL_ED25519_PUBLIC_KEY}`.replace(/\n/g, '\\n');
    expect(parsePublicKeys(two, 'GHL_WEBHOOK_PUBLIC_KEY')).toHaveLength(2);
    expect(() => parsePublicKeys('not a key', 'GHL_WEBHOOK_PUBLIC_KEY')).toThrow(/GHL_WEBHOOK_PUBLIC_KEY/);
  });
});
