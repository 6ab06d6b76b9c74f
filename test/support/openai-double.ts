import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server standing in for the OpenAI API: `POST /v1/chat/completions` answered in the
 * chat-completions response format, programmable per test.
 *
 *   const double = await startOpenAIDouble();
 *   double.respondWith({ intent: 'provide_info', ... });        // or (requestBody) => ({ ... })
 *   double.failWith(500, 1);                                     // next request(s) fail
 *   double.delayMs = 500;                                        // answer late (client timeouts)
 *   double.garbage();                                            // content that is not JSON
 *   double.refuse('I cannot help with that');                    // a refusal message
 *   new OpenAI({ baseURL: double.url, apiKey: 'test' });
 *   double.requests                                              // parsed request bodies
 *   await double.close();                                        // in afterEach/afterAll
 */

export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: unknown } };
  [key: string]: unknown;
}

type Responder = object | string | ((body: ChatRequestBody) => object | string);

export interface OpenAIDouble {
  /** base URL including /v1, for `new OpenAI({ baseURL })` */
  readonly url: string;
  /** every request body received, in order (failed and delayed ones included) */
  readonly requests: ChatRequestBody[];
  /** wait this long before answering each request */
  delayMs: number;
  /** the assistant message content: an object (sent as its JSON), a raw string, or a function of the request body */
  respondWith(responder: Responder): void;
  /** answer the next `times` requests (default: all) with this HTTP status and an OpenAI error body */
  failWith(status: number, times?: number, options?: { retryAfterMs?: number }): void;
  /** answer with content that is not JSON */
  garbage(): void;
  /** answer with a refusal instead of content */
  refuse(message: string): void;
  /** wait until at least n requests arrived (polls; no fixed sleeps) */
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

type Mode = { kind: 'respond'; responder: Responder } | { kind: 'garbage' } | { kind: 'refuse'; message: string };

const DEFAULT_CONTENT = {
  intent: 'other',
  language: 'en',
  name: null,
  goal: null,
  budget: null,
  email: null,
  preferredTime: null,
  slotChoice: null,
};

export async function startOpenAIDouble(): Promise<OpenAIDouble> {
  const requests: ChatRequestBody[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let mode: Mode = { kind: 'respond', responder: DEFAULT_CONTENT };
  let failure: { status: number; remaining: number; retryAfterMs?: number } | null = null;
  let counter = 0;
  let closed = false;

  const later = (fn: () => void, ms: number) => {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return;
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': `req_double_${counter}`,
      ...headers,
    });
    res.end(payload);
  };

  const completion = (body: ChatRequestBody, message: { content: string | null; refusal: string | null }) => {
    const promptTokens = Math.max(1, Math.ceil(JSON.stringify(body.messages ?? []).length / 4));
    const completionTokens = Math.max(1, Math.ceil((message.content ?? message.refusal ?? '').length / 4));
    return {
      id: `chatcmpl-double-${counter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? 'double',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: message.content, refusal: message.refusal },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      counter++;
      if (req.method !== 'POST' || !req.url || !req.url.startsWith('/v1/chat/completions')) {
        sendJson(res, 404, { error: { message: 'not found', type: 'invalid_request_error', code: null, param: null } });
        return;
      }
      let body: ChatRequestBody;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestBody;
      } catch {
        sendJson(res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error', code: null, param: null } });
        return;
      }
      requests.push(body);

      if (failure && failure.remaining > 0) {
        failure.remaining--;
        const { status, retryAfterMs } = failure;
        const headers: Record<string, string> = retryAfterMs !== undefined ? { 'retry-after-ms': String(retryAfterMs) } : {};
        later(
          () =>
            sendJson(
              res,
              status,
              { error: { message: `double failing with ${status}`, type: 'server_error', code: null, param: null } },
              headers,
            ),
          api.delayMs,
        );
        return;
      }

      let message: { content: string | null; refusal: string | null };
      if (mode.kind === 'garbage') {
        message = { content: 'Sure! Here is what I understood: {name: Ana, budget: lots', refusal: null };
      } else if (mode.kind === 'refuse') {
        message = { content: null, refusal: mode.message };
      } else {
        const value = typeof mode.responder === 'function' ? mode.responder(body) : mode.responder;
        message = { content: typeof value === 'string' ? value : JSON.stringify(value), refusal: null };
      }
      later(() => sendJson(res, 200, completion(body, message)), api.delayMs);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const api: OpenAIDouble = {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    delayMs: 0,
    respondWith(responder) {
      mode = { kind: 'respond', responder };
    },
    failWith(status, times = Number.POSITIVE_INFINITY, options = {}) {
      failure = { status, remaining: times, retryAfterMs: options.retryAfterMs };
    },
    garbage() {
      mode = { kind: 'garbage' };
    },
    refuse(message) {
      mode = { kind: 'refuse', message };
    },
    async waitForRequests(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} requests, got ${requests.length}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
