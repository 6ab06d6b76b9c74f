import express, { type RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { SandboxContext } from './context';
import { FaultInjector } from './faults';
import { ghlErrorHandler, markGatePassed, sendGhlError } from './http';
import { GHL_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limit';
import { calendarRoutes } from './routes/calendars';
import { chatPageRoutes, chatRoutes } from './routes/chat';
import { contactRoutes } from './routes/contacts';
import { conversationRoutes } from './routes/conversations';
import { sandboxRoutes } from './routes/sandbox';
import { DEFAULT_BUSINESS_HOURS, SlotGrid, type BusinessHours } from './slots';
import { AppointmentStore } from './store/appointments';
import { ContactStore } from './store/contacts';
import { ConversationStore } from './store/conversations';
import { sandboxKeys } from './store/keys';
import { isValidTimeZone } from './time';
import type { WebhookTarget } from './webhook';

export interface SandboxOptions {
  redis: Redis;
  /** Every key the sandbox writes starts with `${keyPrefix}:`. */
  keyPrefix: string;
  /** When set, API calls need `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  businessHours?: BusinessHours;
  /** Default 30. Slots start every slotDuration from opening time. */
  slotDurationMinutes?: number;
  locationId?: string;
  calendarId?: string;
  /** Where planned failures come from; by default rules kept in Redis under keyPrefix (POST /_sandbox/faults). */
  faults?: FaultInjector;
  /** GHL's limits by default (100 per 10 s, enforced with 429s). */
  rateLimit?: Partial<RateLimitOptions>;
  /** How long a `timeout` fault holds a request before cutting it; default 60 s. */
  holdMs?: number;
  /**
   * The chat page (GET /sandbox): where its messages go, as signed webhooks. Without it the page shows that
   * the chat is off and its endpoints answer 503.
   */
  chat?: WebhookTarget;
}

/** The API version each service requires (GHL rejects calls without a `Version` header). */
const VERSIONS: [prefix: string, version: string][] = [
  ['/calendars', '2021-04-15'],
  ['/contacts', '2021-07-28'],
  ['/conversations', '2021-04-15'],
];

/**
 * The part of GHL API v2 the booking worker uses, with its state in Redis (so it survives restarts and
 * several processes can share it), plus test controls under /_sandbox/ (see routes/sandbox.ts) and a chat
 * page at /sandbox to try the whole system in a browser (routes/chat.ts).
 *
 * It answers the way GHL does, quirks included, and has no switch for tidier answers: blank contact fields
 * are "" (not null), a contact's appointments have zone-less times, free slots carry `traceId` beside the
 * dates, statuses are the OpenAPI files' (200 or 201), `message` in errors is a string or a list. A client
 * that passes against the sandbox must cope with what real GHL sends.
 */
export function createSandboxApp(options: SandboxOptions): express.Express {
  const hours = options.businessHours ?? DEFAULT_BUSINESS_HOURS;
  if (!isValidTimeZone(hours.timeZone)) throw new Error(`unknown time zone: ${hours.timeZone}`);
  const keys = sandboxKeys(options.keyPrefix);
  const ctx: SandboxContext = {
    redis: options.redis,
    keys,
    token: options.token || undefined,
    locationId: options.locationId ?? 'loc_sandbox',
    calendarId: options.calendarId ?? 'cal_sandbox',
    grid: new SlotGrid(hours, options.slotDurationMinutes ?? 30),
    contacts: new ContactStore(options.redis, keys),
    appointments: new AppointmentStore(options.redis, keys),
    conversations: new ConversationStore(options.redis, keys),
    faults: options.faults ?? new FaultInjector(options.redis, options.keyPrefix),
    rate: new RateLimiter(options.redis, keys, { ...GHL_RATE_LIMIT, ...options.rateLimit }),
    holdMs: options.holdMs ?? 60_000,
    chat: options.chat,
  };

  const app = express();
  // GHL's paths are lower-case; matching them exactly keeps the token gate and the routes in agreement.
  app.set('case sensitive routing', true);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(apiGate(ctx));
  app.use(express.json({ limit: '1mb' }));
  app.use(chatPageRoutes());
  app.use('/_sandbox/chat', chatRoutes(ctx)); // before the token gate of /_sandbox: see routes/chat.ts
  app.use('/_sandbox', sandboxRoutes(ctx));
  app.use(calendarRoutes(ctx), contactRoutes(ctx), conversationRoutes(ctx));
  app.use((req, res) => sendGhlError(res, 404, `Cannot ${req.method} ${req.path}`));
  app.use(ghlErrorHandler);
  return app;
}

/**
 * Rate-limit headers on every API answer, then auth, the Version header and the rate limit itself, in GHL's
 * order of refusal. The prefix is compared lower-cased, so no spelling of a path (`/Contacts/...`) gets
 * past it; routes match case-sensitively, and endpoint() refuses any GHL route this gate did not pass.
 */
function apiGate(ctx: SandboxContext): RequestHandler {
  return async (req, res, next) => {
    const path = req.path.toLowerCase();
    const version = VERSIONS.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`))?.[1];
    if (!version) return next();
    const rate = await ctx.rate.count(ctx.locationId);
    res.set(rate.headers);
    if (ctx.token && req.get('authorization') !== `Bearer ${ctx.token}`) {
      return sendGhlError(res, 401, 'Invalid token: access token is invalid');
    }
    const sent = req.get('version');
    if (!sent) return sendGhlError(res, 400, 'Version header was not found');
    // Stricter than GHL may be: a wrong Version is refused here so a client's mistake shows in tests.
    if (sent !== version) return sendGhlError(res, 400, `Version ${sent} is not supported by ${req.path.split('/')[1]}; use ${version}`);
    // No Retry-After: GHL's is unconfirmed, so clients must cope without it (faults can add one).
    if (rate.retryAfterMs !== undefined) return sendGhlError(res, 429, 'Too many requests');
    markGatePassed(res);
    next();
  };
}
