import { createHmac } from 'node:crypto';

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

/** The API reference's inbound message webhook, field for field. */
export interface ReferenceMessageWebhook {
  type: 'message';
  contactId: string;
  locationId: string;
  conversationId: string;
  message: { id: string; body: string; from: string; to: string; timestamp: string };
  contact: { id: string; name: string | null; phone: string };
}

/** POSTs the body, signed, to the ingest's /webhook; never throws (a failure is in the answer). */
export async function deliverWebhook(target: WebhookTarget, payload: unknown, timeoutMs = 10_000): Promise<Delivery> {
  const raw = JSON.stringify(payload);
  try {
    const res = await fetch(ingestPath(target.ingestUrl, '/webhook'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ghl-signature': hmacSignature(raw, target.webhookSecret) },
      body: raw,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await readBody(res) };
  } catch (err) {
    return { status: null, body: { error: `could not reach the ingest at ${target.ingestUrl}: ${describe(err)}` } };
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
