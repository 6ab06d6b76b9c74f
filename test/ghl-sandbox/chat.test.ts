import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { normaliseWebhook } from '@wab/shared';
import { startSandbox } from '../../services/ghl-sandbox/src/main';
import { startGhlDouble, type GhlDouble } from '../support/ghl-double';
import { deletePrefix, eventually, redisUrl, testPrefix } from '../support/redis';
import { api, tomorrow } from './helpers';

const SECRET = 'chat-test-secret-0123456789';
const EXAMPLE = 'Hi, I need help with marketing. My budget is $2000';

interface Delivery {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  signatureValid: boolean;
}

/**
 * A loopback stand-in for the ingest: records every request's raw bytes and headers, checks the
 * X-GHL-Signature the way the ingest does (HMAC-SHA256 over the raw bytes), and answers as told.
 */
async function startIngestRecorder(secret: string) {
  const deliveries: Delivery[] = [];
  let webhookAnswer: { status: number; body: unknown } = { status: 202, body: { status: 'accepted', message: 'queued', workflow_run_id: 'run_recorded-1', booking_id: null } };
  const runs = new Map<string, unknown>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const sent = String(req.headers['x-ghl-signature'] ?? '');
      const expected = createHmac('sha256', secret).update(raw).digest('hex');
      const signatureValid = /^[0-9a-f]{64}$/.test(sent) && timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
      deliveries.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, signatureValid });
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && req.url === '/webhook') {
        return signatureValid ? reply(webhookAnswer.status, webhookAnswer.body) : reply(401, { error: { code: 'UNAUTHORIZED', message: 'bad signature' } });
      }
      const run = /^\/runs\/([^/?]+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && run) {
        const record = runs.get(run[1]);
        return record ? reply(200, record) : reply(404, { error: { code: 'NOT_FOUND', message: `No run ${run[1]}` } });
      }
      if (req.method === 'GET' && req.url === '/status') return reply(200, { status: 'operational', queue_length: 3, processed_messages: 7 });
      reply(404, { error: { code: 'NOT_FOUND', message: 'no route' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    webhooks: () => deliveries.filter((d) => d.path === '/webhook'),
    answerWebhooksWith(status: number, body: unknown) {
      webhookAnswer = { status, body };
    },
    runs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Recorder = Awaited<ReturnType<typeof startIngestRecorder>>;

/** Reads a text/event-stream until `done` says so (or the deadline), then aborts it. */
async function readEvents(url: string, done: (events: { id?: string; event?: string; data: string }[]) => boolean, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 8_000);
  const events: { id?: string; event?: string; data: string }[] = [];
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    while (!done(events)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event: { id?: string; event?: string; data: string } = { data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) event.id = line.slice(4);
          else if (line.startsWith('event: ')) event.event = line.slice(7);
          else if (line.startsWith('data: ')) event.data += line.slice(6);
        }
        if (event.event) events.push(event);
      }
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}

const post = (double: { url: string }, path: string, body: unknown) =>
  fetch(`${double.url}/_sandbox/chat${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the chat page, with an ingest to deliver to', () => {
  let ingest: Recorder;
  let ghl: GhlDouble;

  beforeAll(async () => {
    ingest = await startIngestRecorder(SECRET);
    // The double keeps its API token: the chat routes act as a customer and do not need it.
    ghl = await startGhlDouble({ chat: { ingestUrl: ingest.url, webhookSecret: SECRET } });
  });
  afterAll(async () => {
    await ghl.close();
    await ingest.close();
  });
  beforeEach(async () => {
    await ghl.reset();
    ingest.deliveries.length = 0;
    ingest.answerWebhooksWith(202, { status: 'accepted', message: 'queued', workflow_run_id: 'run_recorded-1', booking_id: null });
  });

  it('serves the page and its files from /sandbox, with no secret anywhere the browser can read', async () => {
    const page = await fetch(`${ghl.url}/sandbox`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<label for="phone"');
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN
    for (const [file, type] of [
      ['chat.js', /javascript/],
      ['chat.css', /text\/css/],
    ] as const) {
      const res = await fetch(`${ghl.url}/sandbox/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(type);
      expect(await res.text()).not.toContain(SECRET);
    }
    const config = await (await fetch(`${ghl.url}/_sandbox/chat/config`)).json();
    expect(config).toMatchObject({ enabled: true, ingestUrl: ingest.url, locationId: ghl.locationId, timeZone: 'UTC' });
    expect(JSON.stringify(config)).not.toContain(SECRET);
  });

  it('seeds the contact by phone, then delivers the reference-format webhook, signed over its exact bytes', async () => {
    const res = await post(ghl, '/messages', { name: 'Ana García', phone: '+15550001111', body: EXAMPLE });
    expect(res.status).toBe(201);
    const answer = (await res.json()) as { contact: { id: string }; sent: { id: string; direction: string; status: string }; webhook: { status: number; body: { workflow_run_id: string } } };
    expect(answer.webhook).toEqual({ status: 202, body: expect.objectContaining({ workflow_run_id: 'run_recorded-1' }) });
    expect(answer.sent).toMatchObject({ direction: 'inbound', status: 'delivered' });

    const [delivery] = ingest.webhooks();
    expect(ingest.webhooks()).toHaveLength(1);
    expect(delivery.method).toBe('POST');
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['x-ghl-signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(delivery.signatureValid).toBe(true);

    const body = JSON.parse(delivery.raw.toString('utf8'));
    expect(Object.keys(body)).toEqual(['type', 'contactId', 'locationId', 'conversationId', 'message', 'contact']);
    expect(Object.keys(body.message)).toEqual(['id', 'body', 'from', 'to', 'timestamp']);
    expect(body).toEqual({
      type: 'message',
      contactId: answer.contact.id,
      locationId: ghl.locationId,
      conversationId: expect.any(String),
      message: { id: answer.sent.id, body: EXAMPLE, from: '+15550001111', to: expect.stringMatching(/^\+\d{8,15}$/), timestamp: expect.any(String) },
      contact: { id: answer.contact.id, name: 'Ana García', phone: '+15550001111' },
    });
    expect(new Date(body.message.timestamp).toISOString()).toBe(body.message.timestamp);
    // The ingest's own parser takes it as a WhatsApp customer message from that contact.
    expect(normaliseWebhook(body, { acceptedChannels: ['whatsapp'] })).toMatchObject({
      outcome: 'event',
      format: 'reference',
      event: { kind: 'customer_message', contactId: answer.contact.id, phone: '+15550001111', name: 'Ana García', body: EXAMPLE },
    });

    // The contact exists for the worker's GHL calls, and the message is in its conversation (inbound).
    const contact = await api(ghl, 'GET', `/contacts/${answer.contact.id}`);
    expect(contact.status).toBe(200);
    expect(contact.body.contact).toMatchObject({ name: 'Ana García', phone: '+15550001111' });
    const search = await api(ghl, 'GET', `/conversations/search?locationId=${ghl.locationId}&contactId=${answer.contact.id}`);
    expect(search.body.conversations.map((c: { id: string }) => c.id)).toEqual([body.conversationId]);
    const page = await api(ghl, 'GET', `/conversations/${body.conversationId}/messages`);
    expect(page.body.messages).toEqual([expect.objectContaining({ id: answer.sent.id, direction: 'inbound', body: EXAMPLE, contactId: answer.contact.id })]);
    // Not among the messages the API was asked to send.
    expect(await ghl.sentMessages()).toEqual([]);

    // The same phone again: the same contact and conversation, a new message id.
    const again = (await (await post(ghl, '/messages', { name: 'Ana García', phone: '+15550001111', body: 'tomorrow at 3pm' })).json()) as typeof answer;
    expect(again.contact.id).toBe(answer.contact.id);
    const second = JSON.parse(ingest.webhooks()[1].raw.toString('utf8'));
    expect(second).toMatchObject({ contactId: answer.contact.id, conversationId: body.conversationId });
    expect(second.message.id).not.toBe(body.message.id);
    expect((await ghl.seedContact({ phone: '+15550001111' })).id).toBe(answer.contact.id);
  });

  it('finds an existing contact by phone instead of making another', async () => {
    const seeded = await ghl.seedContact({ id: 'contact_known', name: 'Known Person', phone: '+15550002222' });
    const res = await post(ghl, '/contacts', { name: 'Known Person', phone: '+15550002222' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { contact: { id: string } }).contact.id).toBe(seeded.id);
    await post(ghl, '/messages', { phone: '+15550002222', body: 'hello' });
    expect(JSON.parse(ingest.webhooks()[0].raw.toString('utf8')).contact).toEqual({ id: 'contact_known', name: 'Known Person', phone: '+15550002222' });
  });

  it('refuses a phone not in E.164 form and an empty message, without delivering anything', async () => {
    for (const body of [
      { name: 'A', phone: '555-0001', body: 'hi' },
      { name: 'A', phone: '+0123456789', body: 'hi' },
      { name: 'A', phone: '+15550001111', body: '   ' },
      { name: 'A', phone: '+15550001111' },
    ]) {
      const res = await post(ghl, '/messages', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { statusCode: number }).statusCode).toBe(400);
    }
    expect(ingest.deliveries).toHaveLength(0);
  });

  it('answers 502 when the ingest refuses the webhook or cannot be reached, and marks the message failed', async () => {
    ingest.answerWebhooksWith(429, { error: { code: 'RATE_LIMITED', message: 'slow down' } });
    const refused = await post(ghl, '/messages', { name: 'Ana', phone: '+15550003333', body: 'hi' });
    expect(refused.status).toBe(502);
    const body = (await refused.json()) as { message: string; sent: { id: string; status: string }; webhook: { status: number; body: unknown }; contact: { id: string } };
    expect(body.message).toMatch(/answered 429/);
    expect(body.webhook).toEqual({ status: 429, body: { error: { code: 'RATE_LIMITED', message: 'slow down' } } });
    expect(body.sent.status).toBe('failed');
    const history = await readEvents(`${ghl.url}/_sandbox/chat/events?contactId=${body.contact.id}`, (e) => e.length >= 1);
    expect(JSON.parse(history[0].data)).toMatchObject({ id: body.sent.id, status: 'failed' });

    const nowhere = await startGhlDouble({ chat: { ingestUrl: 'http://127.0.0.1:9', webhookSecret: SECRET } });
    try {
      const res = await post(nowhere, '/messages', { name: 'Ana', phone: '+15550003333', body: 'hi' });
      expect(res.status).toBe(502);
      const answer = (await res.json()) as { message: string; webhook: { status: null } };
      expect(answer.message).toMatch(/could not be reached/);
      expect(answer.webhook.status).toBeNull();
    } finally {
      await nowhere.close();
    }
  });

  it('streams the conversation as Server-Sent Events: history, then the replies as they are sent', async () => {
    const sent = (await (await post(ghl, '/messages', { name: 'Ana', phone: '+15550004444', body: 'first' })).json()) as { contact: { id: string }; sent: { id: string } };
    const contactId = sent.contact.id;
    const url = `${ghl.url}/_sandbox/chat/events?contactId=${contactId}`;
    const reading = readEvents(url, (e) => e.length >= 2);
    // The worker's reply, through the GHL API.
    const reply = await api(ghl, 'POST', '/conversations/messages', { body: { type: 'WhatsApp', contactId, message: 'Hi Ana! What budget do you have in mind?' }, version: '2021-04-15' });
    expect(reply.status).toBe(200);
    const events = await reading;
    expect(events.map((e) => e.event)).toEqual(['message', 'message']);
    const [first, second] = events.map((e) => JSON.parse(e.data) as { id: string; direction: string; body: string });
    expect(first).toMatchObject({ id: sent.sent.id, direction: 'inbound', body: 'first' });
    expect(second).toMatchObject({ id: reply.body.messageId, direction: 'outbound', body: 'Hi Ana! What budget do you have in mind?' });
    expect(events[0].id).toMatch(/^[A-Za-z0-9]+\.1$/);
    expect(events[1].id).toBe(events[0].id!.replace(/1$/, '2'));

    // A browser reconnecting with Last-Event-ID gets only what it has not seen.
    await post(ghl, '/messages', { name: 'Ana', phone: '+15550004444', body: 'third' });
    const resumed = await readEvents(url, (e) => e.length >= 1, { 'last-event-id': events[1].id! });
    expect(resumed.map((e) => JSON.parse(e.data).body)).toEqual(['third']);
    expect(resumed[0].id).toBe(events[0].id!.replace(/1$/, '3'));
  });

  it('needs a contact id for the stream', async () => {
    expect((await fetch(`${ghl.url}/_sandbox/chat/events`)).status).toBe(400);
  });

  it("passes the ingest's run records and /status through", async () => {
    ingest.runs.set('run_abc-1', { workflow_run_id: 'run_abc-1', final_state: 'completed', nodes_executed: ['triage', 'collect', 'validate', 'book'], execution_time: 0.42 });
    const run = await fetch(`${ghl.url}/_sandbox/chat/runs/run_abc-1`);
    expect(run.status).toBe(200);
    expect(await run.json()).toEqual({ workflow_run_id: 'run_abc-1', final_state: 'completed', nodes_executed: ['triage', 'collect', 'validate', 'book'], execution_time: 0.42 });
    const missing = await fetch(`${ghl.url}/_sandbox/chat/runs/run_nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No run run_nope' } });
    expect((await fetch(`${ghl.url}/_sandbox/chat/runs/..%2Fstatus`)).status).toBe(400);
    const status = await fetch(`${ghl.url}/_sandbox/chat/status`);
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ status: 'operational', queue_length: 3, processed_messages: 7 });
    expect(ingest.deliveries.map((d) => `${d.method} ${d.path}`)).toEqual(['GET /runs/run_abc-1', 'GET /runs/run_nope', 'GET /status']);
  });

  it('shows the calendar of the next open days: free slots, and booked ones with their appointment', async () => {
    const contact = await ghl.seedContact({ name: 'Booked Person', phone: '+15550005555' });
    const day = tomorrow();
    const booked = await api(ghl, 'POST', '/calendars/events/appointments', {
      body: { calendarId: ghl.calendarId, locationId: ghl.locationId, contactId: contact.id, startTime: `${day}T10:00:00Z` },
    });
    expect(booked.status).toBe(200);
    const res = await fetch(`${ghl.url}/_sandbox/chat/calendar?days=3`);
    expect(res.status).toBe(200);
    const calendar = (await res.json()) as {
      timeZone: string;
      slotMinutes: number;
      days: { date: string; slots: { start: string; status: string; appointment?: { id: string; contactId: string; contactName: string } }[] }[];
    };
    expect(calendar).toMatchObject({ timeZone: 'UTC', slotMinutes: 30 });
    expect(calendar.days).toHaveLength(3); // the double is open every day
    const tomorrowSlots = calendar.days.find((d) => d.date === day)!.slots;
    expect(tomorrowSlots).toHaveLength(16); // 09:00-17:00, 30 minutes
    expect(tomorrowSlots.find((s) => s.start === `${day}T10:00:00+00:00`)).toEqual({
      start: `${day}T10:00:00+00:00`,
      end: `${day}T10:30:00+00:00`,
      status: 'booked',
      appointment: expect.objectContaining({ id: booked.body.id, contactId: contact.id, contactName: 'Booked Person' }),
    });
    expect(tomorrowSlots.filter((s) => s.status === 'free')).toHaveLength(15);
  });
});

describe('the chat page with several locations', () => {
  let ingest: Recorder;
  let ghl: GhlDouble;
  const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

  beforeAll(async () => {
    ingest = await startIngestRecorder(SECRET);
    ghl = await startGhlDouble({
      locations: [
        { id: 'loc_main', calendarId: 'cal_main', name: 'Main street', businessHours: { timeZone: 'UTC', days: EVERY_DAY, open: '09:00', close: '17:00' } },
        { id: 'loc_tokyo', calendarId: 'cal_tokyo', name: 'Tokyo branch', token: 'pit-tokyo', businessHours: { timeZone: 'Asia/Tokyo', days: EVERY_DAY, open: '17:00', close: '20:00' } },
      ],
      chat: { ingestUrl: ingest.url, webhookSecret: SECRET },
    });
  });
  afterAll(async () => {
    await ghl.close();
    await ingest.close();
  });

  it('lists the locations; a message for the chosen one is delivered with its id, and its calendar shows its own zone and bookings', async () => {
    const config = (await (await fetch(`${ghl.url}/_sandbox/chat/config`)).json()) as { locationId: string; locations: { id: string; name: string; timeZone: string }[] };
    expect(config.locationId).toBe('loc_main');
    expect(config.locations.map((l) => [l.id, l.name, l.timeZone])).toEqual([
      ['loc_main', 'Main street', 'UTC'],
      ['loc_tokyo', 'Tokyo branch', 'Asia/Tokyo'],
    ]);

    const sent = await post(ghl, '/messages', { name: 'Ana', phone: '+14155550271', body: EXAMPLE, locationId: 'loc_tokyo' });
    expect(sent.status).toBe(201);
    const answer = (await sent.json()) as { contact: { id: string; locationId: string } };
    expect(answer.contact.locationId).toBe('loc_tokyo');
    const delivered = JSON.parse(ingest.webhooks()[0].raw.toString('utf8'));
    expect(delivered).toMatchObject({ type: 'message', locationId: 'loc_tokyo', contactId: answer.contact.id });
    // The same phone in the primary location is another contact there.
    const main = (await (await post(ghl, '/contacts', { phone: '+14155550271' })).json()) as { contact: { id: string; locationId: string } };
    expect(main.contact.locationId).toBe('loc_main');
    expect(main.contact.id).not.toBe(answer.contact.id);

    const day = tomorrow();
    const booked = await api(ghl, 'POST', '/calendars/events/appointments', {
      token: 'pit-tokyo',
      body: { calendarId: 'cal_tokyo', locationId: 'loc_tokyo', contactId: answer.contact.id, startTime: `${day}T18:00:00+09:00` },
    });
    expect(booked.status).toBe(200);
    type Calendar = { locationId: string; timeZone: string; days: { slots: { start: string; status: string; appointment?: { id: string } }[] }[] };
    const tokyo = (await (await fetch(`${ghl.url}/_sandbox/chat/calendar?days=3&locationId=loc_tokyo`)).json()) as Calendar;
    expect(tokyo).toMatchObject({ locationId: 'loc_tokyo', timeZone: 'Asia/Tokyo' });
    const tokyoSlots = tokyo.days.flatMap((d) => d.slots);
    expect(tokyoSlots.find((x) => x.start === `${day}T18:00:00+09:00`)).toMatchObject({ status: 'booked', appointment: { id: booked.body.id } });
    const primary = (await (await fetch(`${ghl.url}/_sandbox/chat/calendar?days=3`)).json()) as Calendar;
    expect(primary.timeZone).toBe('UTC');
    expect(primary.days.flatMap((d) => d.slots).some((x) => x.status === 'booked')).toBe(false);

    expect((await post(ghl, '/messages', { phone: '+14155550271', body: 'hi', locationId: 'loc_nowhere' })).status).toBe(400);
    expect((await fetch(`${ghl.url}/_sandbox/chat/calendar?locationId=loc_nowhere`)).status).toBe(400);
  });
});

describe('the chat page without an ingest', () => {
  let ghl: GhlDouble;
  beforeAll(async () => {
    ghl = await startGhlDouble();
  });
  afterAll(() => ghl.close());

  it('still serves the page, says why the chat is off, and answers 503 where it would need the ingest', async () => {
    expect((await fetch(`${ghl.url}/sandbox`)).status).toBe(200);
    expect(await (await fetch(`${ghl.url}/_sandbox/chat/config`)).json()).toMatchObject({ enabled: false, reason: expect.stringMatching(/INGEST_URL/) });
    const requests: [string, string, unknown?][] = [
      ['POST', '/messages', { name: 'Ana', phone: '+15550001111', body: 'hi' }],
      ['POST', '/contacts', { name: 'Ana', phone: '+15550001111' }],
      ['GET', '/events?contactId=abc'],
      ['GET', '/runs/run_abc'],
      ['GET', '/status'],
    ];
    for (const [method, path, body] of requests) {
      const res = await fetch(`${ghl.url}/_sandbox/chat${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/INGEST_URL/) });
    }
    const contacts = await fetch(`${ghl.url}/_sandbox/contacts`, { headers: { authorization: `Bearer ${ghl.token}` } });
    expect(await contacts.json()).toEqual({ contacts: [] }); // nothing was seeded by the refusals
  });
});

describe('the sandbox process with INGEST_URL', () => {
  it('delivers with the first of the comma-separated WEBHOOK_SECRET list, and needs one', async () => {
    const ingest = await startIngestRecorder('first-secret-0123456789abcdef');
    const queuePrefix = testPrefix('sbchat');
    const env = { SANDBOX_PORT: '0', REDIS_URL: redisUrl(), QUEUE_PREFIX: queuePrefix, INGEST_URL: ingest.url };
    await expect(startSandbox(env)).rejects.toThrow(/WEBHOOK_SECRET/);
    const sandbox = await startSandbox({ ...env, WEBHOOK_SECRET: ' first-secret-0123456789abcdef , older-secret-0123456789abcdef' });
    const redis = new Redis(redisUrl());
    try {
      expect(sandbox.chatUrl).toBe(`${sandbox.url}/sandbox`);
      const res = await post(sandbox, '/messages', { name: 'Ana', phone: '+15550006666', body: 'hi' });
      expect(res.status).toBe(201);
      await eventually(() => expect(ingest.webhooks()).toHaveLength(1));
      expect(ingest.webhooks()[0].signatureValid).toBe(true);
      const off = await startSandbox({ SANDBOX_PORT: '0', REDIS_URL: redisUrl(), QUEUE_PREFIX: queuePrefix, INGEST_URL: '' });
      expect(off.chatUrl).toBeNull();
      await off.close();
    } finally {
      await sandbox.close();
      await ingest.close();
      await deletePrefix(redis, queuePrefix);
      await redis.quit();
    }
  });
});
