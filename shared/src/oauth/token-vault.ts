import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const NONCE_BYTES = 12;

/**
 * Seals OAuth tokens for Redis with AES-256-GCM (TOKEN_ENCRYPTION_KEY): a fresh 96-bit nonce each time,
 * and the owner (`location:<id>`) as associated data, so a sealed pair copied under another location's key
 * does not open. A Redis dump or a replica alone gives no usable token.
 */
export class TokenVault {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('TOKEN_ENCRYPTION_KEY must be 32 bytes');
  }

  seal(plaintext: string, owner: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, nonce.toString('base64'), sealed.toString('base64'), cipher.getAuthTag().toString('base64')].join('.');
  }

  /** Throws when the value was altered, sealed for another owner, or with another key. */
  open(value: string, owner: string): string {
    const [version, nonce, sealed, tag] = value.split('.');
    if (version !== VERSION || !nonce || !sealed || !tag) throw new Error('not a sealed token');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64'));
    decipher.setAAD(Buffer.from(owner, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
  }
}
