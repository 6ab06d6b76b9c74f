import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Config, SignatureSchemeName } from '@wab/shared';

/** Everything a signature may be checked against; several of each are active at once during a rotation. */
export interface SignatureKeys {
  /** SIGNATURE_SCHEMES: a signature in any other scheme is refused whatever its keys say. */
  enabled: ReadonlySet<SignatureSchemeName>;
  hmacSecrets: Buffer[];
  ed25519: KeyObject[];
  rsa: KeyObject[];
}

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;

/** Reads one or more PEM public keys from one setting (env files often carry `\n` escapes). */
export function parsePublicKeys(setting: string, name: string): KeyObject[] {
  const blocks = setting.replace(/\\n/g, '\n').match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error(`${name} holds no PEM public key`);
  return blocks.map((pem) => {
    try {
      return createPublicKey(pem);
    } catch {
      throw new Error(`${name} holds a PEM block that is not a valid public key`);
    }
  });
}

export function loadSignatureKeys(config: Config): SignatureKeys {
  const ed25519 = parsePublicKeys(config.GHL_WEBHOOK_PUBLIC_KEY, 'GHL_WEBHOOK_PUBLIC_KEY');
  const rsa = parsePublicKeys(config.GHL_WEBHOOK_RSA_PUBLIC_KEY, 'GHL_WEBHOOK_RSA_PUBLIC_KEY');
  if (ed25519.some((k) => k.asymmetricKeyType !== 'ed25519')) throw new Error('GHL_WEBHOOK_PUBLIC_KEY must hold Ed25519 keys');
  if (rsa.some((k) => k.asymmetricKeyType !== 'rsa')) throw new Error('GHL_WEBHOOK_RSA_PUBLIC_KEY must hold RSA keys');
  return { enabled: new Set(config.SIGNATURE_SCHEMES), hmacSecrets: config.WEBHOOK_SECRET.map((s) => Buffer.from(s, 'utf8')), ed25519, rsa };
}
