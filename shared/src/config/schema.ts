import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isValidTimeZone } from '../time/zoned-time';
import { GHL_ED25519_PUBLIC_KEY, GHL_RSA_PUBLIC_KEY } from './ghl-keys';
import { isLocalSandboxUrl } from './local-sandbox';

/**
 * The webhook secret `npm start` (with its sandbox) and the command-line tools use when WEBHOOK_SECRET is
 * unset: published in the README, for local trials only. The services refuse it unless GHL_API_BASE_URL is a
 * local sandbox, and have no default of their own (they refuse HMAC without a secret).
 */
export const LOCAL_DEMO_WEBHOOK_SECRET = 'local-sandbox-demo-secret-not-for-production';

/** Shorter HMAC secrets can be guessed offline from one signed body. */
export const MIN_WEBHOOK_SECRET_LENGTH = 24;

/** Webhook signature schemes: HMAC with WEBHOOK_SECRET, and GHL's public-key schemes. */
export const SIGNATURE_SCHEMES = ['hmac', 'ed25519', 'rsa'] as const;
export type SignatureSchemeName = (typeof SIGNATURE_SCHEMES)[number];

/** A comma-separated list; empty entries are dropped. */
const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const timeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Madrid');

/**
 * A PEM file of the CA(s) that signed Redis's TLS certificate, read once here so a missing or wrong file
 * stops the service at start instead of failing every connection later.
 */
const pemCaFile = z.string().transform((file, ctx) => {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    ctx.addIssue({ code: 'custom', message: 'cannot be read' });
    return z.NEVER;
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    ctx.addIssue({ code: 'custom', message: 'must be a PEM file of CA certificates' });
    return z.NEVER;
  }
  return { file, pem };
});

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Every setting of both services, with its default, in one place. Names are the environment variables;
 * units are in the names where they are not obvious. The README's configuration table mirrors this.
 */
export const configSchema = z.object({
  /** The ingest's public port: /webhook, /health, /livez, /readyz, /status, /runs/:id. */
  PORT: int(0, 65535).default(8000),
  /** The worker's HTTP port (/livez, /readyz, /health, /metrics). */
  METRICS_PORT: int(0, 65535).default(9100),
  /** The ingest's /metrics, on a port of its own so the public port never exposes it; not the worker's default. */
  INGEST_METRICS_PORT: int(0, 65535).default(9101),
  /** `redis://` or, over TLS, `rediss://`; credentials in the URL (`rediss://user:pass@host:6380`). */
  REDIS_URL: z
    .string()
    .url()
    .refine((url) => /^rediss?:\/\//i.test(url), 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /** CA certificates (PEM file) for a `rediss://` REDIS_URL whose certificate no public CA signed; verified either way. */
  REDIS_TLS_CA_FILE: pemCaFile.optional(),
  /**
   * Redis Cluster seed nodes, `host:port,host:port,…`: every connection becomes a cluster client (credentials
   * and TLS still come from REDIS_URL and REDIS_TLS_CA_FILE). Unset: the single Redis at REDIS_URL.
   */
  REDIS_CLUSTER_NODES: list
    .pipe(z.array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'each node must be host:port')).min(1, 'must name at least one host:port'))
    .optional(),
  /**
   * Prefix of every Redis key. On a cluster the keys are hash-tagged per queue, contact and location (see
   * docs/operations.md); braces here (`{bull}`) pin every key to one slot, which works but loads one node.
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[^:\s]+$/, 'must be non-empty and contain no ":" or spaces')
    .regex(/^[^{}]*(\{[^{}]+\}[^{}]*)?$/, 'may hold braces only as one hash tag, such as {bull}')
    .default('bull'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  WEBHOOK_SECRET: list
    .pipe(z.array(z.string().min(MIN_WEBHOOK_SECRET_LENGTH, `each secret must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`)))
    .default([]),
  /** Schemes the ingest accepts; an HMAC-only deployment turns GHL's public-key schemes off. */
  SIGNATURE_SCHEMES: list.pipe(z.array(z.enum(SIGNATURE_SCHEMES)).min(1, 'must name at least one scheme')).default([...SIGNATURE_SCHEMES]),
  GHL_WEBHOOK_PUBLIC_KEY: z.string().default(GHL_ED25519_PUBLIC_KEY),
  GHL_WEBHOOK_RSA_PUBLIC_KEY: z.string().default(GHL_RSA_PUBLIC_KEY),
  /** How far a GHL body's `timestamp` may lie in the future (clock skew), in seconds. */
  WEBHOOK_MAX_FUTURE_SKEW_SECONDS: int(0).default(300),
  /** How long a webhookId / message id is remembered; longer than GHL's retry horizon. */
  DEDUPE_TTL_SECONDS: int(60).default(3 * 24 * 3600),
  MAX_BODY_BYTES: int(1024).default(256 * 1024),
  /** Channels the bot answers; messages on others are acknowledged and counted as ignored. */
  ACCEPTED_CHANNELS: list.default(['whatsapp']),
  RATE_LIMIT_PER_IP: int(0).default(30),
  RATE_LIMIT_PER_PHONE: int(0).default(100),
  RATE_LIMIT_WINDOW_SECONDS: int(1).default(60),
  /** Express `trust proxy`: hops or subnets to trust for the client IP (`false`, `1`, `loopback, 10.0.0.0/8`). */
  TRUST_PROXY: z.string().default('false'),
  /** Longest `?wait=N` a caller may ask for, in seconds. */
  MAX_WAIT_SECONDS: int(0, 300).default(30),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The admin API and dashboard listen here (only with ADMIN_TOKEN), never on the public port. */
  ADMIN_PORT: int(0, 65535).default(8001),
  /** Loopback by default: reachable from this host (or `kubectl port-forward`) only. */
  ADMIN_HOST: z.string().default('127.0.0.1'),
  /** Failed admin authentications allowed per client address per window before every admin request gets 429. */
  ADMIN_AUTH_FAILURE_LIMIT: int(1).default(10),
  ADMIN_AUTH_FAILURE_WINDOW_SECONDS: int(1).default(15 * 60),
  /** bull-board may add, retry, promote, clean or remove jobs only when this is true; read-only otherwise. */
  ADMIN_BULLBOARD_WRITE: bool.default(false),

  JOB_ATTEMPTS: int(1, 50).default(5),
  JOB_BACKOFF_MS: int(0).default(2000),
  /** Completed jobs are trimmed by age and count; failed ones stay longer so they can be replayed. */
  JOB_KEEP_COMPLETED_SECONDS: int(0).default(24 * 3600),
  JOB_KEEP_COMPLETED_COUNT: int(0).default(10_000),
  JOB_KEEP_FAILED_SECONDS: int(0).default(14 * 24 * 3600),
  JOB_KEEP_FAILED_COUNT: int(0).default(100_000),
  /** Memory failed jobs may take, in MiB: caps the count kept (shared/src/queue/queue.ts, failedJobsKept). */
  JOB_KEEP_FAILED_MB: int(1).default(256),
  RUN_RECORD_TTL_DAYS: int(1).default(14),

  GHL_API_BASE_URL: z.string().url().default('https://services.leadconnectorhq.com'),
  GHL_API_TOKEN: z.string().optional(),
  GHL_LOCATION_ID: z.string().optional(),
  GHL_CALENDAR_ID: z.string().optional(),
  /**
   * A YAML or JSON file of the locations served, each with its own calendar, zone, rules and credentials
   * (shared/src/locations/locations-file.ts). Without it, GHL_LOCATION_ID and the settings below define one.
   */
  LOCATIONS_FILE: z.string().optional(),
  /** The business's name, as replies may show it. */
  BUSINESS_NAME: z.string().default(''),
  /** The language of replies until the customer's own is known. */
  BUSINESS_LANGUAGE: z.enum(['en', 'es']).default('en'),
  /** Marketplace app (OAuth): the app's client id and secret, and the redirect URL registered with it. */
  GHL_CLIENT_ID: z.string().optional(),
  GHL_CLIENT_SECRET: z.string().optional(),
  GHL_OAUTH_REDIRECT_URL: z.string().url().optional(),
  /** 32 bytes, base64: OAuth tokens are stored in Redis encrypted with it (AES-256-GCM). */
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .transform((value, ctx) => {
      const key = Buffer.from(value, 'base64');
      if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== value.replace(/=+$/, '')) {
        ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, base64 (openssl rand -base64 32)' });
        return z.NEVER;
      }
      return key;
    })
    .optional(),
  /**
   * Static tokens of GHL workflow webhooks (Custom Webhook action, PIT deployments), comma-separated for
   * rotation: `Authorization: Bearer <token>` or `X-Webhook-Token: <token>`.
   */
  WEBHOOK_TOKENS: list
    .pipe(z.array(z.string().min(MIN_WEBHOOK_SECRET_LENGTH, `each token must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`)))
    .default([]),
  /** How long a workflow webhook's delivery (contact, body, timestamp) is remembered as already taken. */
  WORKFLOW_DEDUPE_SECONDS: int(1, 3600).default(120),
  /** Custom field ids the bot writes the customer's goal and budget into (optional; name and email always go to the contact). */
  GHL_CUSTOM_FIELD_GOAL: z.string().optional(),
  GHL_CUSTOM_FIELD_BUDGET: z.string().optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  BUSINESS_TIMEZONE: timeZone.default('UTC'),
  MIN_BUDGET: z.coerce.number().min(0).default(500),
  /** Currency of MIN_BUDGET, as shown in replies. */
  BUDGET_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD').default('USD'),
  /** Services the business offers (comma-separated); empty accepts any goal. */
  SERVICES: list.default([]),
  MIN_NOTICE_MINUTES: int(0).default(60),
  MAX_DAYS_AHEAD: int(1, 365).default(60),
  WORKER_CONCURRENCY: int(1, 1000).default(20),
  /**
   * Turns one location may run at once across every worker (0 = no cap): a lead campaign's burst waits its
   * turn instead of delaying other locations' customers.
   */
  LOCATION_MAX_ACTIVE_TURNS: int(0, 10_000).default(10),
  /** How long a job (and a contact's turn) stays locked to a worker that stopped answering before another takes it. */
  JOB_LOCK_MS: int(1000).default(30_000),
  /** Messages from one contact arriving within this window are answered as one turn. */
  BURST_WINDOW_MS: int(0, 60_000).default(1500),
  /** How long the bot stays quiet after a person answers from the GHL app. */
  BOT_PAUSE_MINUTES: int(0).default(60),
  /** WhatsApp's customer-service window: free-form text only this long after the customer's last message. */
  WHATSAPP_WINDOW_HOURS: int(1, 24 * 30).default(24),
  /** A GHL workflow (sending an approved template) the contact is enrolled in when a reply is due outside the window. */
  GHL_WINDOW_CLOSED_WORKFLOW_ID: z.string().trim().min(1).optional(),
  /** Follow-ups when the customer goes quiet after a question: at most this many (0 = none)… */
  FOLLOW_UP_MAX: int(0, 5).default(1),
  /** …each this long after the last message (sent inside business hours and the window only). */
  FOLLOW_UP_DELAY_SECONDS: int(1).default(7200),
  /** How long a quiet conversation is remembered. */
  CONVERSATION_TTL_DAYS: int(1).default(30),
  GHL_TIMEOUT_MS: int(100).default(10_000),
  /** GHL's burst limit per location, shared by every replica: requests per 10 s. */
  GHL_RATE_LIMIT_PER_10S: int(1).default(100),
  /** How long a location's free slots, read from GHL, are reused by every replica (0 = not at all); a booking drops them. */
  GHL_SLOTS_CACHE_MS: int(0, 60_000).default(10_000),
  /** How long a calendar's settings (slot length, open hours) are reused before GHL is asked again. */
  GHL_CALENDAR_CACHE_SECONDS: int(0, 86_400).default(300),
  OPENAI_TIMEOUT_MS: int(100).default(8_000),
  SHUTDOWN_TIMEOUT_MS: int(0).default(20_000),
  /** Warn instead of refusing to start when Redis could evict queue keys (see docs). */
  ALLOW_EVICTING_REDIS: bool.default(false),
}).superRefine((config, ctx) => {
  if (config.GHL_CLIENT_ID) {
    for (const name of ['GHL_CLIENT_SECRET', 'GHL_OAUTH_REDIRECT_URL', 'TOKEN_ENCRYPTION_KEY'] as const) {
      if (!config[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required with GHL_CLIENT_ID (the Marketplace app)' });
    }
  }
  if (config.REDIS_TLS_CA_FILE && !/^rediss:\/\//i.test(config.REDIS_URL)) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_TLS_CA_FILE'], message: 'needs a rediss:// REDIS_URL (TLS)' });
  }
  // The demo secret is published: anyone could sign with it, so it may only guard a local sandbox.
  if (config.WEBHOOK_SECRET.includes(LOCAL_DEMO_WEBHOOK_SECRET) && !isLocalSandboxUrl(config.GHL_API_BASE_URL)) {
    ctx.addIssue({
      code: 'custom',
      path: ['WEBHOOK_SECRET'],
      message: 'the published demo secret is allowed only with a local sandbox GHL_API_BASE_URL (loopback or ghl-sandbox); set your own',
    });
  }
});

export type Config = z.infer<typeof configSchema>;
