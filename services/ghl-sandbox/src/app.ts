import { createPrivateKey, createPublicKey } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { SandboxContext } from './context';
import { FaultInjector } from './faults';
import { ghlErrorHandler, markGatePassed, sendGhlError } from './http';
import { identifyCaller } from './auth';
import { Locations, setCaller, type LocationOption } from './locations';
import { GHL_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limit';
import { calendarRoutes } from './routes/calendars';
import { chatPageRoutes, chatRoutes } from './routes/chat';
import { contactRoutes } from './routes/contacts';
import { conversationRoutes } from './routes/conversations';
import { oauthRoutes } from './routes/oauth';
import { sandboxRoutes, webhookKeyRoutes } from './routes/sandbox';
import { DEFAULT_BUSINESS_HOURS, type BusinessHours } from './slots';
import { AppointmentStore } from './store/appointments';
import { ContactStore } from './store/contacts';
import { ConversationStore } from './store/conversations';
import { sandboxKeys } from './store/keys';
import { TokenStore } from './store/tokens';
import type { WebhookTarget } from './webhook';

export type { LocationOption } from './locations';

export interface SandboxOptions {
  redis: Redis;
  /** Every key the sandbox writes starts with `${keyPrefix}:`. */
  keyPrefix: string;
  /**
   * When set, API calls need `Authorization: Bearer <token>` (401 otherwise): a PIT of the primary (first)
   * location. It also guards the /_sandbox controls.
   */
  token?: string;
  /** The calendar's hours; with `locations`, the default of each location that gives none. */
  businessHours?: BusinessHours;
  /** Default 30. Slots start every slotDuration from opening time. */
  slotDurationMinutes?: number;
  /** The one location's id when `locations` is not given. */
  locationId?: string;
  calendarId?: string;
  /**
   * Several locations (sub-accounts), each with its own calendar, slot grid, contacts, appointments,
   * conversations and rate budget; the first is the primary one. Replaces `locationId` and `calendarId`.
   * A location's `token` is a PIT that works on that location only.
   */
  locations?: LocationOption[];
  /** Plays GHL's side of a Marketplace app: /oauth/* (routes/oauth.ts). API calls then need a valid token. */
  oauth?: {
    clientId: string;
    clientSecret: string;
    /** Default 86399, as GHL. */
    accessTokenTtlSeconds?: number;
    /** The agency that installs the app; default `comp_sandbox`. */
    companyId?: string;
  };
  /** Where POST /_sandbox/oauth/install and /uninstall deliver GHL's INSTALL / UNINSTALL webhooks (`${ingestUrl}/webhook`). */
  installWebhooks?: {
    ingestUrl: string;
    /** Ed25519, PKCS#8 PEM: the sandbox signs with it; the ingest must trust its public key (GET /_sandbox/webhook-public-key). */
    privateKeyPem: string;
  };
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
  const keys = sandboxKeys(options.keyPrefix);
  const locations = new Locations(
    options.locations?.length
      ? options.locations
      : [{ id: options.locationId ?? 'loc_sandbox', calendarId: options.calendarId ?? 'cal_sandbox' }],
    { businessHours: options.businessHours ?? DEFAULT_BUSINESS_HOURS, slotDurationMinutes: options.slotDurationMinutes ?? 30 },
  );
  const token = options.token || undefined;
  const pits = new Map<string, string>();
  if (token) pits.set(token, locations.primary.id);
  for (const l of options.locations ?? []) {
    if (!l.token) continue;
    if (pits.has(l.token) && pits.get(l.token) !== l.id) throw new Error(`location ${l.id}: its token is another location's`);
    pits.set(l.token, l.id);
  }
  const oauth = options.oauth;
  if (oauth && (!oauth.clientId || !oauth.clientSecret)) throw new Error('oauth needs a clientId and a clientSecret');
  const ctx: SandboxContext = {
    redis: options.redis,
    keys,
    token,
    pits,
    authRequired: pits.size > 0 || Boolean(oauth),
    locations,
    contacts: new ContactStore(options.redis, keys),
    appointments: new AppointmentStore(options.redis, keys),
    conversations: new ConversationStore(options.redis, keys),
    tokens: new TokenStore(options.redis, keys),
    oauth: oauth && {
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      appId: oauth.clientId.split('-')[0],
      accessTokenTtlSeconds: oauth.accessTokenTtlSeconds ?? 86399,
      companyId: oauth.companyId ?? 'comp_sandbox',
    },
    installWebhooks: options.installWebhooks && signingKey(options.installWebhooks),
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
  app.use(oauthRoutes(ctx)); // before the JSON parser: GHL's token endpoints take forms only
  app.use(express.json({ limit: '1mb' }));
  app.use(chatPageRoutes());
  app.use('/_sandbox/chat', chatRoutes(ctx)); // before the token gate of /_sandbox: see routes/chat.ts
  app.use('/_sandbox', webhookKeyRoutes(ctx)); // a public key is public: no token needed to read it
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
 * The rate budget is the caller's location's (the primary one's when the token says nothing).
 */
function apiGate(ctx: SandboxContext): RequestHandler {
  return async (req, res, next) => {
    const path = req.path.toLowerCase();
    const version = VERSIONS.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`))?.[1];
    if (!version) return next();
    const caller = await identifyCaller(ctx, req);
    const rate = await ctx.rate.count('locationId' in caller ? caller.locationId : ctx.locations.primary.id);
    res.set(rate.headers);
    if ('refused' in caller) return sendGhlError(res, 401, caller.refused);
    setCaller(res, caller);
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

function signingKey(options: { ingestUrl: string; privateKeyPem: string }) {
  const privateKey = createPrivateKey(options.privateKeyPem.replace(/\\n/g, '\n'));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('installWebhooks.privateKeyPem must be an Ed25519 key');
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { ingestUrl: options.ingestUrl, privateKey, publicKeyPem };
}
