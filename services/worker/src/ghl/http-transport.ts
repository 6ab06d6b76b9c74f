import { request } from 'undici';

/** One HTTP exchange with GHL, as the client needs it. */
export interface GhlHttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** For the whole exchange, the answer's body included. */
  timeoutMs: number;
}

export interface GhlHttpAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  text: string;
}

export type GhlTransport = (exchange: GhlHttpRequest) => Promise<GhlHttpAnswer>;

/**
 * undici's `request`: the engine behind Node's `fetch`, without its web streams, Headers and abort-signal
 * objects, which cost several times the CPU of the exchange itself (bench:worker's profile put ~14% of the
 * worker in them). The timeout covers the body too: a connection that stalls mid-answer is no answer.
 * Connections are kept alive in undici's shared pool, as `fetch` keeps them.
 */
export const undiciTransport: GhlTransport = async ({ method, url, headers, body, timeoutMs }) => {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const res = await request(url, { method, headers, body, signal: abort.signal });
    const text = await res.body.text();
    const answerHeaders: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(res.headers)) answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
    return { status: res.statusCode, headers: answerHeaders, text };
  } finally {
    clearTimeout(timer);
  }
};
