'use strict';
/**
 * The loopback doubles for `bench/worker`, in a process of their own (so their CPU is not the worker's):
 * one `node:http` server on 127.0.0.1 answering
 *   - the GHL API v2 calls the worker makes (in memory, stateless: every slot is free, every booking and
 *     message succeeds; no rate-limit headers, no auth check), under GHL_API_BASE_URL = http://127.0.0.1:PORT
 *   - OpenAI's POST /v1/chat/completions (OPENAI_BASE_URL = http://127.0.0.1:PORT/v1), answering MODEL_ANSWER
 *   - /_bench/config (POST {ghlMs, modelMs}: latency added before every answer), /_bench/stats, /_bench/reset
 * Prints one JSON line {"port": N} when listening. Stops on SIGTERM/SIGINT or when its stdin closes (the
 * parent went away), so it never outlives the bench.
 */
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { freeSlots, MODEL_ANSWER } = require('./common');

const latency = { ghlMs: 0, modelMs: 0 };
let stats = {};
const count = (name) => (stats[name] = (stats[name] ?? 0) + 1);
const timers = new Set();
let seq = 0;

function later(ms, fn) {
  if (ms <= 0) return fn();
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  timers.add(t);
}

function send(res, status, body) {
  if (res.destroyed || res.writableEnded) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** GHL: [endpoint name, answer] for a request, or null for a route the worker never calls. */
function ghl(method, url, body) {
  const p = url.pathname;
  let m;
  if (method === 'GET' && (m = /^\/calendars\/([^/]+)\/free-slots$/.exec(p))) {
    const days = {};
    for (const slot of freeSlots(Number(url.searchParams.get('startDate')), Number(url.searchParams.get('endDate')))) {
      (days[slot.slice(0, 10)] ??= { slots: [] }).slots.push(slot);
    }
    return ['freeSlots', 200, { ...days, traceId: randomUUID() }];
  }
  if (method === 'POST' && p === '/calendars/events/appointments') {
    const start = Date.parse(body.startTime);
    return [
      'createAppointment',
      201,
      {
        id: `appt_${++seq}`,
        calendarId: body.calendarId,
        contactId: body.contactId,
        startTime: body.startTime,
        endTime: body.endTime ?? new Date(start + 30 * 60_000).toISOString(),
        appointmentStatus: body.appointmentStatus ?? 'new',
      },
    ];
  }
  if (method === 'GET' && (m = /^\/calendars\/([^/]+)$/.exec(p))) {
    return ['getCalendar', 200, { calendar: { id: m[1], name: 'Bench calendar', slotDuration: 30, slotDurationUnit: 'mins' } }];
  }
  if (method === 'GET' && p === '/contacts/search/duplicate') return ['searchDuplicate', 200, { contact: null }];
  if (method === 'POST' && p === '/contacts/upsert') {
    return ['upsertContact', 200, { new: true, contact: { id: `ct_new_${++seq}`, phone: body.phone, name: body.name ?? null } }];
  }
  if ((m = /^\/contacts\/([^/]+)\/tags$/.exec(p)) && (method === 'POST' || method === 'DELETE')) {
    return [method === 'POST' ? 'addTags' : 'removeTags', 200, { tags: method === 'POST' ? body.tags ?? [] : [] }];
  }
  if (method === 'GET' && (m = /^\/contacts\/([^/]+)\/appointments$/.exec(p))) return ['contactAppointments', 200, { events: [] }];
  if (method === 'GET' && (m = /^\/contacts\/([^/]+)$/.exec(p))) {
    return ['getContact', 200, { contact: { id: decodeURIComponent(m[1]), locationId: 'loc_bench', firstName: 'John', lastName: 'Doe', email: 'john@example.com', tags: [] } }];
  }
  if (method === 'POST' && p === '/conversations/messages') {
    return ['sendMessage', 200, { conversationId: `conv_${body.contactId}`, messageId: `m_${++seq}` }];
  }
  if (method === 'GET' && p === '/conversations/search') return ['searchConversations', 200, { conversations: [] }];
  if (method === 'GET' && /^\/conversations\/([^/]+)\/messages$/.test(p)) return ['conversationMessages', 200, { messages: [], nextPage: false }];
  return null;
}

function completion(body) {
  const content = JSON.stringify(MODEL_ANSWER);
  return {
    id: `chatcmpl-bench-${++seq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? 'bench',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 500, completion_tokens: 60, total_tokens: 560 },
  };
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let body = {};
    if (chunks.length) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, 400, { message: 'invalid JSON' });
      }
    }
    if (url.pathname.startsWith('/_bench/')) {
      if (url.pathname === '/_bench/config' && req.method === 'POST') {
        if (Number.isFinite(body.ghlMs)) latency.ghlMs = body.ghlMs;
        if (Number.isFinite(body.modelMs)) latency.modelMs = body.modelMs;
        return send(res, 200, latency);
      }
      if (url.pathname === '/_bench/stats') return send(res, 200, stats);
      if (url.pathname === '/_bench/reset' && req.method === 'POST') {
        stats = {};
        return send(res, 200, {});
      }
      return send(res, 404, { message: 'unknown control route' });
    }
    if (url.pathname.startsWith('/v1/')) {
      if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') return send(res, 404, { error: { message: 'not found' } });
      count('openai');
      return later(latency.modelMs, () => send(res, 200, completion(body)));
    }
    const answer = ghl(req.method, url, body);
    if (!answer) {
      count(`unknown ${req.method} ${url.pathname}`);
      return send(res, 404, { statusCode: 404, message: `Cannot ${req.method} ${url.pathname}` });
    }
    const [name, status, json] = answer;
    count(name);
    later(latency.ghlMs, () => send(res, status, json));
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const t of timers) clearTimeout(t);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
