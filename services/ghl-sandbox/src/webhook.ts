import { createHmac, sign, type KeyObject } from 'node:crypto';

/** Where the sandbox, playing GHL, delivers webhooks (the chat page's messages). */
export interface WebhookTarget {
  /** The ingest's base URL; deliveries go to `${ingestUrl}/webhook`. */
  ingestUrl: string;
  /** The HMAC secret the ingest verifies with (one of its WEBHOOK_SECRET list). Never leaves the server. */
  webhookSecret: string;
}

export interface Delivery {
  /** The ingest's HTTP status, or null when it could not be reached. */
  status: number | null;
  /** The ingest's answer (JSON when it sent JSON), or the network error. */
  body: unknown;
}

/** The API reference's `X-GHL-Signature`: lowercase hex HMAC-SHA256 of the exact body bytes. */
export function hmacSignature(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** GHL's `X-GHL-Signature` for Marketplace app webhooks: Ed25519 over the exact body bytes, base64. */
export function ed25519Signature(rawBody: string | Buffer, privateKey: KeyObject): string {
  return sign(null, Buffer.from(rawBody), privateKey).toString('base64');
}

/** The API reference's inbound message webhook, field for field. */
export interface ReferenceMessageWebhook {
  type: 'message';
  contactId: string;
  locationId: string;
  conversationId: string;
  message: { id: string; body: string; from: string; to: string; timestamp: string };
  contact: { id: string; name: string | null; phone: string };
}

/** POSTs the body, HMAC-signed, to the ingest's /webhook; never throws (a failure is in the answer). */
export async function deliverWebhook(target: WebhookTarget, payload: unknown, timeoutMs = 10_000): Promise<Delivery> {
  const raw = JSON.stringify(payload);
  return post(target.ingestUrl, raw, hmacSignature(raw, target.webhookSecret), timeoutMs);
}

/** POSTs a Marketplace app webhook (INSTALL, UNINSTALL...) to the ingest's /webhook, signed as GHL signs them. */
export async function deliverAppWebhook(target: { ingestUrl: string; privateKey: KeyObject }, payload: unknown, timeoutMs = 10_000): Promise<Delivery> {
  const raw = JSON.stringify(payload);
  return post(target.ingestUrl, raw, ed25519Signature(raw, target.privateKey), timeoutMs);
}

async function post(ingestUrl: string, raw: string, signature: string, timeoutMs: number): Promise<Delivery> {
  try {
    const res = await fetch(ingestPath(ingestUrl, '/webhook'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ghl-signature': signature },
      body: raw,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await readBody(res) };
  } catch (err) {
    return { status: null, body: { error: `could not reach the ingest at ${ingestUrl}: ${describe(err)}` } };
  }
}

/** A path under the ingest's base URL (which may have a path of its own, behind a proxy). */
export const ingestPath = (ingestUrl: string, path: string) => `${ingestUrl.replace(/\/+$/, '')}${path}`;

export async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // fall through: the text itself
    }
  }
  return text;
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
