import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { createSandboxApp } from './app';
import { isValidTimeZone } from './time';

export { createSandboxApp, type SandboxOptions } from './app';
export { FaultInjector, ENDPOINTS, type FaultRule, type FaultResponse, type EndpointName } from './faults';

const clock = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'must be HH:MM');
const timeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone');

/** SANDBOX_LOCATIONS: a JSON list of locations, each with its own calendar (and zone). */
const locationsSetting = z.preprocess(
  emptyAsUnset,
  z
    .string()
    .transform((text, check) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        check.addIssue({ code: 'custom', message: 'must be JSON: [{"id": "...", "calendarId": "...", "timeZone"?: "...", "name"?: "...", "token"?: "..."}]' });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .array(z.object({ id: z.string().min(1), calendarId: z.string().min(1), timeZone: timeZone.optional(), name: z.string().max(100).optional(), token: z.string().min(1).optional() }).strict())
        .min(1)
        .max(100)
        .refine((list) => new Set(list.map((l) => l.id)).size === list.length, 'location ids must be unique')
        .refine((list) => new Set(list.map((l) => l.calendarId)).size === list.length, 'calendar ids must be unique'),
    )
    .optional(),
);

/** An Ed25519 private key in PKCS#8 PEM (env files often carry `\n` escapes). */
const ed25519PrivateKey = z.preprocess(
  emptyAsUnset,
  z
    .string()
    .transform((s) => s.replace(/\\n/g, '\n'))
    .refine((pem) => {
      try {
        return createPrivateKey(pem).asymmetricKeyType === 'ed25519';
      } catch {
        return false;
      }
    }, 'must be an Ed25519 private key in PKCS#8 PEM')
    .optional(),
);

/** The sandbox's settings; names are environment variables. */
const envSchema = z.object({
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(8100),
  /**
   * Loopback by default: the sandbox has test controls that anyone who can reach it may call. Blank counts
   * as unset (Node would take an empty host as every interface).
   */
  SANDBOX_HOST: z.preprocess(emptyAsUnset, z.string().default('127.0.0.1')),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().regex(/^[^:\s]+$/).default('bull'),
  /** When set, API calls need this bearer token; when not, any token (or none) is accepted. */
  SANDBOX_TOKEN: z.string().optional(),
  SANDBOX_TIMEZONE: z.string().refine(isValidTimeZone, 'must be an IANA time zone').optional(),
  BUSINESS_TIMEZONE: z.string().refine(isValidTimeZone, 'must be an IANA time zone').optional(),
  SANDBOX_OPEN: clock.default('09:00'),
  SANDBOX_CLOSE: clock.default('17:00'),
  /** Open days, 1 = Monday .. 7 = Sunday. */
  SANDBOX_DAYS: z
    .string()
    .default('1,2,3,4,5')
    .transform((s) => s.split(',').map((d) => Number(d.trim())))
    .pipe(z.array(z.number().int().min(1).max(7)).min(1)),
  SANDBOX_SLOT_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(30),
  GHL_LOCATION_ID: z.string().min(1).default('loc_sandbox'),
  GHL_CALENDAR_ID: z.string().min(1).default('cal_sandbox'),
  /** The ingest the chat page's messages are delivered to (`${INGEST_URL}/webhook`); the chat is off without it. */
  INGEST_URL: z.preprocess(emptyAsUnset, z.string().url().optional()),
  /** Several locations (JSON); replaces GHL_LOCATION_ID and GHL_CALENDAR_ID. */
  SANDBOX_LOCATIONS: locationsSetting,
  /** The Marketplace app the sandbox plays GHL for: both or neither. */
  SANDBOX_OAUTH_CLIENT_ID: z.preprocess(emptyAsUnset, z.string().min(1).optional()),
  SANDBOX_OAUTH_CLIENT_SECRET: z.preprocess(emptyAsUnset, z.string().min(1).optional()),
  SANDBOX_ACCESS_TOKEN_TTL_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(365 * 86400).optional()),
  /** Signs INSTALL / UNINSTALL webhooks; a fresh key is made at start when unset (nothing secret is committed). */
  SANDBOX_WEBHOOK_PRIVATE_KEY: ed25519PrivateKey,
  /** The ingest's HMAC secrets, comma-separated as the ingest reads them; the chat signs with the first. */
  WEBHOOK_SECRET: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).find(Boolean))
      .optional(),
  ),
});

function emptyAsUnset(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

export interface RunningSandbox {
  url: string;
  /** The address the server is bound to, as the operating system reports it. */
  boundAddress: string;
  /** The chat page, or null when it is off (no INGEST_URL). */
  chatUrl: string | null;
  /** What the ingest's GHL_WEBHOOK_PUBLIC_KEY must hold to trust the sandbox's INSTALL webhooks (also at GET /_sandbox/webhook-public-key). */
  webhookPublicKeyPem: string;
  keyPrefix: string;
  close(): Promise<void>;
}

/** Starts the sandbox from environment variables; for `main` below and for a launcher running it in-process. */
export async function startSandbox(env: NodeJS.ProcessEnv = process.env): Promise<RunningSandbox> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`ghl-sandbox: bad configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const cfg = parsed.data;
  if (Boolean(cfg.SANDBOX_OAUTH_CLIENT_ID) !== Boolean(cfg.SANDBOX_OAUTH_CLIENT_SECRET)) {
    throw new Error('ghl-sandbox: bad configuration: SANDBOX_OAUTH_CLIENT_ID and SANDBOX_OAUTH_CLIENT_SECRET go together');
  }
  if (cfg.INGEST_URL && !cfg.WEBHOOK_SECRET) {
    throw new Error('ghl-sandbox: bad configuration: WEBHOOK_SECRET: required with INGEST_URL (the chat page signs its webhooks with it)');
  }
  const keyPrefix = `${cfg.QUEUE_PREFIX}:sandbox`;
  const redis = new Redis(cfg.REDIS_URL, { maxRetriesPerRequest: 2, retryStrategy: (times) => Math.min(100 * times, 2000) });
  redis.on('error', (err) => console.error(`ghl-sandbox: redis: ${err.message}`));
  const hours = { timeZone: cfg.SANDBOX_TIMEZONE ?? cfg.BUSINESS_TIMEZONE ?? 'UTC', days: cfg.SANDBOX_DAYS, open: cfg.SANDBOX_OPEN, close: cfg.SANDBOX_CLOSE };
  const privateKeyPem =
    cfg.SANDBOX_WEBHOOK_PRIVATE_KEY ?? generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const app = createSandboxApp({
    redis,
    keyPrefix,
    token: cfg.SANDBOX_TOKEN,
    businessHours: hours,
    slotDurationMinutes: cfg.SANDBOX_SLOT_MINUTES,
    locationId: cfg.GHL_LOCATION_ID,
    calendarId: cfg.GHL_CALENDAR_ID,
    ...(cfg.SANDBOX_LOCATIONS
      ? { locations: cfg.SANDBOX_LOCATIONS.map(({ timeZone: zone, ...l }) => ({ ...l, businessHours: { ...hours, timeZone: zone ?? hours.timeZone } })) }
      : {}),
    ...(cfg.SANDBOX_OAUTH_CLIENT_ID && cfg.SANDBOX_OAUTH_CLIENT_SECRET
      ? { oauth: { clientId: cfg.SANDBOX_OAUTH_CLIENT_ID, clientSecret: cfg.SANDBOX_OAUTH_CLIENT_SECRET, accessTokenTtlSeconds: cfg.SANDBOX_ACCESS_TOKEN_TTL_SECONDS } }
      : {}),
    ...(cfg.INGEST_URL && cfg.WEBHOOK_SECRET ? { chat: { ingestUrl: cfg.INGEST_URL, webhookSecret: cfg.WEBHOOK_SECRET } } : {}),
    ...(cfg.INGEST_URL ? { installWebhooks: { ingestUrl: cfg.INGEST_URL, privateKeyPem } } : {}),
  });
  const server = app.listen(cfg.SANDBOX_PORT, cfg.SANDBOX_HOST);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port, address: boundAddress } = server.address() as AddressInfo;
  const host = cfg.SANDBOX_HOST.includes(':') ? `[${cfg.SANDBOX_HOST}]` : cfg.SANDBOX_HOST;
  const url = `http://${host}:${port}`;
  return {
    url,
    boundAddress,
    chatUrl: cfg.INGEST_URL ? `${url}/sandbox` : null,
    webhookPublicKeyPem: createPublicKeyPem(privateKeyPem),
    keyPrefix,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // held-open (`timeout` fault) requests would otherwise keep it alive
      });
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function createPublicKeyPem(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();
}

async function main(): Promise<void> {
  const sandbox = await startSandbox();
  console.log(JSON.stringify({ msg: 'ghl-sandbox listening (a stand-in for GHL API v2; test controls under /_sandbox/)', url: sandbox.url, chat: sandbox.chatUrl, keyPrefix: sandbox.keyPrefix }));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ msg: 'ghl-sandbox stopping', signal }));
    sandbox.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
