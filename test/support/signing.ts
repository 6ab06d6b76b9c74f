import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** Test signers for the three schemes, with key pairs made for the test run (never GHL's real keys). */
export const TEST_SECRET = 'test-webhook-secret-current';
export const OLD_SECRET = 'test-webhook-secret-previous';

let pairs: { ed: { publicKey: KeyObject; privateKey: KeyObject }; rsa: { publicKey: KeyObject; privateKey: KeyObject } } | null = null;
function keys() {
  pairs ??= {
    ed: generateKeyPairSync('ed25519'),
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  };
  return pairs;
}

export const ed25519PublicPem = () => keys().ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
/** For a sandbox that signs INSTALL / UNINSTALL as GHL would, with the key the test ingest trusts. */
export const ed25519PrivatePem = () => keys().ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const rsaPublicPem = () => keys().rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();

export const hmacHex = (body: string | Buffer, secret = TEST_SECRET) => createHmac('sha256', secret).update(body).digest('hex');
export const ed25519Base64 = (body: string | Buffer) => sign(null, Buffer.from(body), keys().ed.privateKey).toString('base64');
export const rsaBase64 = (body: string | Buffer) => sign('sha256', Buffer.from(body), keys().rsa.privateKey).toString('base64');

export type Scheme = 'hmac' | 'ed25519' | 'rsa' | 'none';

export function signatureHeaders(body: string, scheme: Scheme): Record<string, string> {
  switch (scheme) {
    case 'hmac':
      return { 'X-GHL-Signature': hmacHex(body) };
    case 'ed25519':
      return { 'X-GHL-Signature': ed25519Base64(body) };
    case 'rsa':
      return { 'X-WH-Signature': rsaBase64(body) };
    case 'none':
      return {};
  }
}
