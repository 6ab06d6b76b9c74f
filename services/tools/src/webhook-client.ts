import { createHmac, randomUUID } from 'node:crypto';

/**
 * A typed Node client for the booking webhook, as in the API reference's SDK examples, with one fix: it
 * serialises the payload once and signs exactly the bytes it sends (the reference's example signs one
 * `JSON.stringify` and lets axios make another). No dependencies beyond Node 20 (global fetch).
 */

/** `X-GHL-Signature` for a raw body: hex HMAC-SHA256 with the webhook secret (what `openssl dgst -sha256 -hmac` prints). */
export function signBody(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** The reference's incoming-message payload, as this client writes it. */
export interface MessagePayload {
  type: 'message';
  contactId?: string;
  message: { id: string; body: string; from: string; timestamp: string };
  contact?: { name: string; phone: string };
}

export interface SendOptions {
  /** Seconds the ingest may wait for the run (`?wait=N`): 200 with the booking instead of 202. */
  wait?: number;
}

export interface SendMessageOptions extends SendOptions {
  /** The customer's name, sent as `contact.name`. */
  name?: string;
  /** GHL's contact id; without it the worker finds or creates the contact by phone. */
  contactId?: string;
  /** The message id (the ingest's dedupe key); a fresh one per call unless given. */
  messageId?: string;
}

export interface WebhookResponse {
  status: number;
  /** The parsed JSON answer (the raw text when it is not JSON). */
  body: unknown;
  /** The answer's `X-Request-Id`: the id in the ingest's and worker's logs. */
  requestId: string | null;
}

export interface BookingWebhookClientOptions {
  /** Where the ingest listens, e.g. `http://127.0.0.1:8000` (a path prefix is kept). */
  baseUrl: string;
  /** One of the ingest's `WEBHOOK_SECRET` values. */
  webhookSecret: string;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch;
}

export class BookingWebhookClient {
  private readonly baseUrl: string;
  private readonly webhookSecret: string;
  private readonly fetch: typeof fetch;

  constructor({ baseUrl, webhookSecret, fetch: fetchImpl }: BookingWebhookClientOptions) {
    if (!/^https?:\/\//i.test(baseUrl ?? '')) throw new TypeError(`baseUrl must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
    if (!webhookSecret) throw new TypeError('webhookSecret is required');
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.webhookSecret = webhookSecret;
    this.fetch = fetchImpl ?? fetch;
  }

  /** Sends one customer message in the reference's format, from `phone` (E.164). */
  sendMessage(message: string, phone: string, options: SendMessageOptions = {}): Promise<WebhookResponse> {
    const payload: MessagePayload = {
      type: 'message',
      ...(options.contactId ? { contactId: options.contactId } : {}),
      message: { id: options.messageId ?? `msg_${randomUUID()}`, body: message, from: phone, timestamp: new Date().toISOString() },
      ...(options.name ? { contact: { name: options.name, phone } } : {}),
    };
    return this.send(payload, { wait: options.wait });
  }

  /** Sends any webhook payload: serialised once, signed over exactly those bytes. */
  async send(payload: object, options: SendOptions = {}): Promise<WebhookResponse> {
    const bytes = Buffer.from(JSON.stringify(payload), 'utf8');
    const response = await this.fetch(this.webhookUrl(options.wait), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-GHL-Signature': signBody(bytes, this.webhookSecret) },
      body: bytes,
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (a proxy's error page): keep the text
    }
    return { status: response.status, body, requestId: response.headers.get('x-request-id') };
  }

  private webhookUrl(wait: number | undefined): string {
    if (wait === undefined) return `${this.baseUrl}/webhook`;
    if (!(Number.isFinite(wait) && wait >= 0)) throw new RangeError(`wait must be a number of seconds ≥ 0, got ${wait}`);
    return `${this.baseUrl}/webhook?wait=${wait}`;
  }
}
