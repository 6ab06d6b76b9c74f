import { createHmac, timingSafeEqual, verify } from 'node:crypto';
import type { SignatureKeys } from './keys';

export type SignatureScheme = 'hmac-sha256' | 'ed25519' | 'rsa-sha256';
export type SignatureFailure = 'missing' | 'malformed' | 'mismatch' | 'disabled';
export type SignatureResult = { ok: true; scheme: SignatureScheme } | { ok: false; reason: SignatureFailure; scheme?: SignatureScheme };

const HEX_64 = /^[0-9a-fA-F]{64}$/;

/** The SIGNATURE_SCHEMES name of each scheme. */
const SETTING_NAME = { 'hmac-sha256': 'hmac', ed25519: 'ed25519', 'rsa-sha256': 'rsa' } as const;
const disabled = (scheme: SignatureScheme): SignatureResult => ({ ok: false, reason: 'disabled', scheme });
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** GHL's sample code sends `N/A` for "not signed": that is no signature at all. */
const present = (value: string | undefined): value is string => !!value && value.trim() !== '' && value.trim() !== 'N/A';

function decodeBase64(value: string, bytes: number): Buffer | null {
  if (!BASE64.test(value)) return null;
  const decoded = Buffer.from(value, 'base64');
  return decoded.length === bytes || bytes === 0 ? decoded : null;
}

/**
 * Checks a webhook's signature over the raw body bytes, never a re-serialised body. Fails closed:
 * anything missing, malformed or unknown is refused.
 * - `X-GHL-Signature` of 64 hex characters: HMAC-SHA256 with any configured secret (the API reference).
 * - `X-GHL-Signature` in base64: Ed25519 with GHL's public key (GHL's current scheme).
 * - only `X-WH-Signature`: RSA-SHA256 with GHL's legacy public key.
 */
export function verifySignature(
  rawBody: Buffer,
  headers: { ghl?: string; wh?: string },
  keys: SignatureKeys,
): SignatureResult {
  if (present(headers.ghl)) {
    const value = headers.ghl.trim();
    if (HEX_64.test(value)) {
      if (!keys.enabled.has(SETTING_NAME['hmac-sha256'])) return disabled('hmac-sha256');
      const given = Buffer.from(value, 'hex');
      // Every secret is checked, so timing does not tell which one (if any) matched.
      let matched = false;
      for (const secret of keys.hmacSecrets) {
        const expected = createHmac('sha256', secret).update(rawBody).digest();
        matched = timingSafeEqual(expected, given) || matched;
      }
      return matched ? { ok: true, scheme: 'hmac-sha256' } : { ok: false, reason: 'mismatch', scheme: 'hmac-sha256' };
    }
    const signature = decodeBase64(value, 64);
    if (!signature) return { ok: false, reason: 'malformed' };
    if (!keys.enabled.has(SETTING_NAME.ed25519)) return disabled('ed25519');
    const valid = keys.ed25519.some((key) => verify(null, rawBody, key, signature));
    return valid ? { ok: true, scheme: 'ed25519' } : { ok: false, reason: 'mismatch', scheme: 'ed25519' };
  }
  if (present(headers.wh)) {
    const signature = decodeBase64(headers.wh.trim(), 0);
    if (!signature || signature.length < 64) return { ok: false, reason: 'malformed' };
    if (!keys.enabled.has(SETTING_NAME['rsa-sha256'])) return disabled('rsa-sha256');
    const valid = keys.rsa.some((key) => {
      try {
        return verify('sha256', rawBody, key, signature);
      } catch {
        return false;
      }
    });
    return valid ? { ok: true, scheme: 'rsa-sha256' } : { ok: false, reason: 'mismatch', scheme: 'rsa-sha256' };
  }
  return { ok: false, reason: 'missing' };
}
