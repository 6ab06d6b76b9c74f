import { join } from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { SandboxContext } from '../context';
import { caseSensitiveRouter, GhlHttpError, parseInput } from '../http';
import type { SandboxLocation } from '../locations';
import { holdsSlot, type SandboxAppointment } from '../store/appointments';
import type { SandboxContact } from '../store/contacts';
import type { SandboxMessage } from '../store/conversations';
import { addDays, formatLocalDate, isoWeekday, isoWithOffset, wallTime, zonedToUtc, type LocalDate } from '../time';
import { deliverWebhook, describe, ingestPath, readBody, type ReferenceMessageWebhook } from '../webhook';

/**
 * The chat page (GET /sandbox) and what it calls (/_sandbox/chat/...). The visitor writes as a customer;
 * the sandbox, playing GHL, records the message in the contact's conversation and delivers the API
 * reference's signed `message` webhook to the ingest. The bot's answers come back through the GHL API the
 * worker calls, into the same conversation, and reach the page as Server-Sent Events.
 *
 * - GET  /_sandbox/chat/config                    `{enabled, reason?, ingestUrl, locationId, calendarId, timeZone, businessPhone,
 *                                    locations: [{id, name, calendarId, timeZone, slotMinutes}]}` (the first fields: the primary location's)
 * - POST /_sandbox/chat/contacts     `{name?, phone, locationId?}` -> 200 `{contact}` (found by phone in the location, else made)
 * - POST /_sandbox/chat/messages     `{name?, phone, body, locationId?}` -> 201 `{contact, sent, webhook: {status, body}}` (`webhook` is the
 *                                    ingest's answer, with `workflow_run_id`); 502 with GHL's error fields beside those when
 *                                    the ingest refused it or could not be reached (the message is kept, marked `failed`)
 * - GET  /_sandbox/chat/events?contactId=          text/event-stream: `message` events (both directions, oldest first;
 *                                    resumes after Last-Event-ID), `reset` when the conversation was wiped
 * - GET  /_sandbox/chat/runs/:id                   the ingest's GET /runs/:id, passed through
 * - GET  /_sandbox/chat/status                     the ingest's GET /status, passed through
 * - GET  /_sandbox/chat/calendar?days=5&locationId=&contactId=   the location's next open days' slots: free, booked (with the
 *                                    appointment) or past; with `contactId`, `yours`: that contact's appointments, cancelled ones too
 *
 * Without `locationId` a route acts for the primary location; a customer's messages carry their location's id.
 *
 * Everything that needs the ingest answers 503 until INGEST_URL (and WEBHOOK_SECRET) are set. These routes
 * are not behind SANDBOX_TOKEN: they act as a customer (as anyone who can message the business could) and
 * show the demo's state; the sandbox listens on loopback by default. The webhook secret stays on the server.
 */

/** Where the page's files live: next to package.json, so the same path works from src/ (tests) and dist/. */
export const CHAT_PAGE_DIR = join(__dirname, '..', '..', 'chat');

/** The business's WhatsApp number in the sandbox (555-01xx numbers are reserved for fiction). */
export const SANDBOX_BUSINESS_PHONE = '+15550100100';

const POLL_MS = 300;
const HEARTBEAT_MS = 15_000;
const PROXY_TIMEOUT_MS = 5_000;
const RUN_ID = /^run_[A-Za-z0-9-]{1,64}$/;
/** The ingest's own rule (shared/src/events/phone.ts): "+", 7 to 15 digits, the first not 0. */
const E164 = /^\+[1-9]\d{6,14}$/;

const phone = z.string().trim().regex(E164, 'must be a phone number in E.164 form, e.g. +14155550123');
const name = z.string().trim().max(80).optional();
const locationId = z.string().min(1).max(100).optional();
const contactBody = z.object({ name, phone, locationId });
const messageBody = z.object({
  name,
  phone,
  locationId,
  body: z.string().max(4096).refine((s) => s.trim() !== '', 'must not be empty'),
});

/** What the page needs of a message. */
export interface ChatMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  body: string;
  dateAdded: string;
  status: string;
}

const chatMessage = (m: SandboxMessage): ChatMessage => ({ id: m.id, direction: m.direction, body: m.body, dateAdded: m.dateAdded, status: m.status });
const chatContact = (c: SandboxContact) => ({ id: c.id, name: c.name || null, phone: c.phone, locationId: c.locationId });

/** The page itself: GET /sandbox and its files under /sandbox/. */
export function chatPageRoutes(): Router {
  const router = caseSensitiveRouter();
  const noStore = (res: Response) => {
    res.set({
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      // Everything is local: no CDN, no inline script, nothing from elsewhere.
      'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
    });
  };
  router.get(['/sandbox', '/sandbox/', '/sandbox/index.html'], (_req, res) => {
    noStore(res);
    res.sendFile(join(CHAT_PAGE_DIR, 'index.html'));
  });
  router.use('/sandbox', express.static(CHAT_PAGE_DIR, { index: false, redirect: false, setHeaders: noStore }));
  return router;
}

export function chatRoutes(ctx: SandboxContext): Router {
  const router = caseSensitiveRouter();
  const locationFor = (id: string | undefined): SandboxLocation => {
    const location = id === undefined ? ctx.locations.primary : ctx.locations.get(id);
    if (!location) throw new GhlHttpError(400, `locationId: the sandbox has no location ${id}`);
    return location;
  };

  const target = () => {
    if (!ctx.chat) {
      throw new GhlHttpError(503, 'The chat is off: the sandbox needs INGEST_URL (the ingest to deliver webhooks to) and WEBHOOK_SECRET. `npm start` sets both.');
    }
    return ctx.chat;
  };

  const ensureContact = async (input: { name?: string; phone: string; locationId?: string }) =>
    (await ctx.contacts.upsert(locationFor(input.locationId).id, { phone: input.phone, ...(input.name ? { name: input.name } : {}) })).contact;

  router.get('/config', (_req, res) => {
    const primary = ctx.locations.primary;
    res.json({
      enabled: Boolean(ctx.chat),
      ...(ctx.chat ? {} : { reason: 'The sandbox was started without INGEST_URL (and WEBHOOK_SECRET): it has nowhere to deliver messages. `npm start` sets both.' }),
      ingestUrl: ctx.chat?.ingestUrl ?? null,
      locationId: primary.id,
      calendarId: primary.calendarId,
      timeZone: primary.grid.hours.timeZone,
      slotMinutes: primary.grid.durationMinutes,
      businessPhone: SANDBOX_BUSINESS_PHONE,
      locations: ctx.locations.all.map((l) => ({ id: l.id, name: l.name, calendarId: l.calendarId, timeZone: l.grid.hours.timeZone, slotMinutes: l.grid.durationMinutes })),
    });
  });

  router.post('/contacts', async (req, res) => {
    target();
    const input = parseInput(contactBody, req.body, 400);
    res.json({ contact: chatContact(await ensureContact(input)) });
  });

  router.post('/messages', async (req, res) => {
    const chat = target();
    const input = parseInput(messageBody, req.body, 400);
    // As at GHL: the contact exists (so the worker's calls for it succeed) and the message is in its
    // conversation before the webhook goes out.
    const contact = await ensureContact(input);
    const message = await ctx.conversations.receive(contact, 'WhatsApp', input.body);
    const payload: ReferenceMessageWebhook = {
      type: 'message',
      contactId: contact.id,
      locationId: contact.locationId,
      conversationId: message.conversationId,
      message: { id: message.id, body: message.body, from: contact.phone || input.phone, to: SANDBOX_BUSINESS_PHONE, timestamp: message.dateAdded },
      // The reference webhook is the product's own format, where an unknown name is null.
      contact: { id: contact.id, name: contact.name || null, phone: contact.phone || input.phone },
    };
    const webhook = await deliverWebhook(chat, payload);
    const answer = { contact: chatContact(contact), sent: chatMessage(message), webhook };
    if (webhook.status !== null && webhook.status >= 200 && webhook.status < 300) return void res.status(201).json(answer);
    await ctx.conversations.setStatus(message.id, 'failed');
    const why = webhook.status === null ? 'could not be reached' : `answered ${webhook.status}`;
    res.status(502).json({
      statusCode: 502,
      error: 'Bad Gateway',
      message: `The ingest at ${chat.ingestUrl} ${why}: the message was not delivered.`,
      ...answer,
      sent: { ...answer.sent, status: 'failed' },
    });
  });

  router.get('/events', (req, res) => {
    target();
    const contactId = typeof req.query.contactId === 'string' ? req.query.contactId : '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(contactId)) throw new GhlHttpError(400, 'contactId: required');
    streamConversation(ctx, req, res, contactId);
  });

  router.get('/runs/:id', async (req, res) => {
    const chat = target();
    const id = String(req.params.id);
    if (!RUN_ID.test(id)) throw new GhlHttpError(400, 'not a workflow run id');
    await proxy(res, ingestPath(chat.ingestUrl, `/runs/${id}`));
  });

  router.get('/status', async (_req, res) => {
    await proxy(res, ingestPath(target().ingestUrl, '/status'));
  });

  router.get('/calendar', async (req, res) => {
    const days = Math.min(14, Math.max(1, Number.parseInt(String(req.query.days ?? '5'), 10) || 5));
    const location = locationFor(typeof req.query.locationId === 'string' ? req.query.locationId : undefined);
    const tz = location.grid.hours.timeZone;
    const slotMs = location.grid.durationMinutes * 60_000;
    const now = Date.now();
    const open: { date: LocalDate; starts: number[] }[] = [];
    let day: LocalDate = wallTime(now, tz);
    for (let i = 0; i < 31 && open.length < days; i++, day = addDays(day, 1)) {
      const starts = location.grid.startsBetween(zonedToUtc(day, 0, tz), zonedToUtc(addDays(day, 1), 0, tz) - 1);
      if (starts.length) open.push({ date: day, starts });
    }
    const all = (await ctx.appointments.all()).filter((a) => a.calendarId === location.calendarId);
    const active = all.filter((a) => holdsSlot(a.appointmentStatus));
    const contactId = typeof req.query.contactId === 'string' ? req.query.contactId : null;
    // Moves keep the appointment (its new time); cancellations keep it with its status: both show here.
    const yours = contactId === null ? undefined : all.filter((a) => a.contactId === contactId).map((a) => ({ id: a.id, startTime: a.startTime, appointmentStatus: a.appointmentStatus, dateUpdated: a.dateUpdated }));
    const names = new Map<string, string | null>();
    for (const a of active) if (!names.has(a.contactId)) names.set(a.contactId, (await ctx.contacts.get(a.contactId))?.name || null);
    const overlapping = (start: number): SandboxAppointment | undefined =>
      active.find((a) => Date.parse(a.startTime) < start + slotMs && Date.parse(a.endTime) > start);
    res.set('Cache-Control', 'no-store').json({
      locationId: location.id,
      timeZone: tz,
      slotMinutes: location.grid.durationMinutes,
      now: new Date(now).toISOString(),
      ...(yours ? { yours } : {}),
      days: open.map(({ date, starts }) => ({
        date: formatLocalDate(date),
        weekday: isoWeekday(date),
        slots: starts.map((start) => {
          const booked = overlapping(start);
          return {
            start: isoWithOffset(start, tz),
            end: isoWithOffset(start + slotMs, tz),
            status: booked ? 'booked' : start < now ? 'past' : 'free',
            ...(booked
              ? { appointment: { id: booked.id, contactId: booked.contactId, contactName: names.get(booked.contactId) ?? null, title: booked.title, startTime: booked.startTime } }
              : {}),
          };
        }),
      })),
    });
  });

  return router;
}

/** Passes an ingest answer through (status and body), so the page needs no CORS. */
async function proxy(res: Response, url: string): Promise<void> {
  let upstream: globalThis.Response;
  try {
    upstream = await fetch(url, { signal: AbortSignal.timeout(PROXY_TIMEOUT_MS) });
  } catch (err) {
    throw new GhlHttpError(502, `The ingest could not be reached: ${describe(err)}`);
  }
  const body = await readBody(upstream);
  res.status(upstream.status).set('Cache-Control', 'no-store');
  if (typeof body === 'string') res.type('text/plain').send(body);
  else res.json(body);
}

/**
 * Server-Sent Events of the contact's conversation, read from the sandbox's store every POLL_MS, so a
 * reply sent by any worker through any sandbox process shows up. Event ids are `<conversationId>.<n>`:
 * a browser reconnecting with Last-Event-ID gets only what it has not seen.
 */
function streamConversation(ctx: SandboxContext, req: Request, res: Response, contactId: string): void {
  const resume = /^([A-Za-z0-9]+)\.(\d+)$/.exec(req.get('last-event-id') ?? '');
  let conversationId: string | null = resume ? resume[1] : null;
  let next = resume ? Number(resume[2]) : 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let lastWrite = Date.now();

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');

  const write = (text: string) => {
    lastWrite = Date.now();
    res.write(text);
  };

  const tick = async () => {
    let found = await ctx.conversations.history(contactId, next);
    if (found.conversationId !== conversationId) {
      // A first conversation, or a reset (the old one is gone): start over from its first message.
      if (conversationId !== null) write('event: reset\ndata: {}\n\n');
      conversationId = found.conversationId;
      if (next !== 0) {
        next = 0;
        found = await ctx.conversations.history(contactId, 0);
        if (found.conversationId !== conversationId) return; // changed again: next tick
      }
    }
    if (closed || !conversationId) return;
    found.messages.forEach((m, i) => {
      write(`id: ${conversationId}.${next + i + 1}\nevent: message\ndata: ${JSON.stringify(chatMessage(m))}\n\n`);
    });
    next = found.next;
    if (Date.now() - lastWrite >= HEARTBEAT_MS) write(': keep-alive\n\n');
  };

  const loop = () => {
    tick()
      .catch(() => undefined) // Redis hiccup: try again next time
      .finally(() => {
        if (!closed) {
          timer = setTimeout(loop, POLL_MS);
          timer.unref();
        }
      });
  };

  res.on('close', () => {
    closed = true;
    clearTimeout(timer);
  });
  loop();
}
