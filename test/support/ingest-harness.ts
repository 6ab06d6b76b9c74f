import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { Queue } from 'bullmq';
import pino, { type Logger } from 'pino';
import { INBOUND_QUEUE, RunStore, createRedis, inboundJobOptions, keysFor, loadConfig, waitForRedis, type Config } from '@wab/shared';
import { createApps } from '../../services/ingest/src/app';
import { InboundQueue } from '../../services/ingest/src/queue/inbound-queue';
import { createWaitEvents } from '../../services/ingest/src/queue/wait-events';
import { deletePrefix, redisUrl, testPrefix } from './redis';
import { TEST_LOCATION_ID } from './deployment';
import { TEST_SECRET, OLD_SECRET, ed25519PublicPem, rsaPublicPem, signatureHeaders, type Scheme } from './signing';

export interface PostOptions {
  scheme?: Scheme;
  headers?: Record<string, string>;
  query?: string;
  /** Send these bytes instead of JSON.stringify(body). */
  raw?: string;
}

export type Ingest = Awaited<ReturnType<typeof startIngest>>;

const listen = (app: Express): Promise<Server> =>
  new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/**
 * The ingest's apps in-process, each on a free loopback port as main.ts runs them on their own ports
 * (public, metrics, and admin when ADMIN_TOKEN is set), against real Redis, with a key prefix of its own.
 */
export async function startIngest(env: Record<string, string> = {}, options: { prefix?: string; logger?: Logger; isDraining?: () => boolean } = {}) {
  const prefix = options.prefix ?? testPrefix('ingest');
  const config: Config = loadConfig({
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: prefix,
    WEBHOOK_SECRET: `${TEST_SECRET},${OLD_SECRET}`,
    GHL_WEBHOOK_PUBLIC_KEY: ed25519PublicPem(),
    GHL_WEBHOOK_RSA_PUBLIC_KEY: rsaPublicPem(),
    GHL_LOCATION_ID: TEST_LOCATION_ID,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const redis = createRedis(config, 'producer');
  const eventsRedis = createRedis(config, 'worker');
  for (const c of [redis, eventsRedis]) c.on('error', () => undefined);
  await waitForRedis(redis, () => undefined);
  const bullQueue = new Queue(INBOUND_QUEUE, { connection: redis, prefix: keysFor(prefix, redis).queuePrefix });
  const queueEvents = createWaitEvents(eventsRedis, prefix);
  const runStore = new RunStore(redis, prefix);
  let built: ReturnType<typeof createApps>;
  try {
    built = createApps({
      config,
      redis,
      queue: new InboundQueue(bullQueue, inboundJobOptions(config)),
      queueEvents,
      runStore,
      logger: options.logger ?? pino({ level: 'silent' }),
      version: 'test',
      isDraining: options.isDraining,
    });
  } catch (error) {
    // A configuration the ingest refuses: leave no connection open behind the error.
    await Promise.allSettled([queueEvents.close(), bullQueue.close()]);
    redis.disconnect();
    eventsRedis.disconnect();
    throw error;
  }
  const { app, adminApp, metricsApp, metrics, locations } = built;
  await locations.refresh();
  const server = await listen(app);
  const metricsServer = await listen(metricsApp);
  const adminServer = adminApp ? await listen(adminApp) : null;
  const servers = [server, metricsServer, ...(adminServer ? [adminServer] : [])];
  const url = urlOf(server);
  /** Where Prometheus scrapes (INGEST_METRICS_PORT). */
  const metricsUrl = urlOf(metricsServer);
  /** ADMIN_PORT; null when ADMIN_TOKEN is unset and nothing listens. */
  const adminUrl = adminServer ? urlOf(adminServer) : null;

  async function post(body: unknown, opts: PostOptions = {}) {
    const text = opts.raw ?? JSON.stringify(body);
    const response = await fetch(`${url}/webhook${opts.query ?? ''}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signatureHeaders(text, opts.scheme ?? 'hmac'), ...opts.headers },
      body: text,
    });
    const json = (await response.json().catch(() => null)) as Record<string, any> | null;
    return { status: response.status, body: json, headers: response.headers };
  }

  async function get(path: string) {
    const response = await fetch(`${url}${path}`);
    const type = response.headers.get('content-type') ?? '';
    const body = type.includes('json') ? ((await response.json()) as Record<string, any>) : await response.text();
    return { status: response.status, body: body as any, headers: response.headers };
  }

  /** The metrics exposition, as Prometheus reads it from the metrics port. */
  async function scrape(): Promise<string> {
    const response = await fetch(`${metricsUrl}/metrics`);
    if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
    return response.text();
  }

  async function close() {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await queueEvents.close();
    await bullQueue.close();
    await deletePrefix(redis, prefix).catch(() => undefined);
    redis.disconnect();
    eventsRedis.disconnect();
  }

  return { url, metricsUrl, adminUrl, config, prefix, queue: bullQueue, redis, runStore, metrics, locations, post, get, scrape, close };
}

/** The API reference's full example message, for this deployment's location. */
export function referenceMessage(overrides: { id?: string; from?: string; body?: string } = {}) {
  return {
    type: 'message',
    contactId: 'contact_123',
    locationId: TEST_LOCATION_ID,
    conversationId: 'conv_456',
    message: {
      id: overrides.id ?? 'msg_789',
      body: overrides.body ?? 'Hi, I need help with marketing. My budget is $2000',
      from: overrides.from ?? '+1234567890',
      to: '+0987654321',
      timestamp: '2024-01-15T10:30:00Z',
    },
    contact: { id: 'contact_123', name: 'John Doe', phone: overrides.from ?? '+1234567890', email: 'john@example.com' },
  };
}

/** A GHL InboundMessage on WhatsApp, delivered now. */
export function ghlInboundMessage(overrides: Record<string, unknown> = {}) {
  return {
    type: 'InboundMessage',
    locationId: TEST_LOCATION_ID,
    attachments: [],
    body: 'Hola, quiero una cita',
    contactId: 'cI08i1Bls3iTB9bKgFJh',
    contentType: 'text/plain',
    conversationId: 'fcanlLgpbQgQhderivVs',
    dateAdded: new Date().toISOString(),
    direction: 'inbound',
    messageType: 'WhatsApp',
    status: 'delivered',
    messageId: `ghl_msg_${Math.random().toString(36).slice(2)}`,
    from: '+15551234567',
    to: '+15559876543',
    webhookId: `wh_${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    ...overrides,
  };
}

/** A logger at `level` whose JSON lines the test can read. */
export function capturedLogger(level = 'info') {
  const lines: string[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(line) });
  return { logger, lines: () => lines.join('') };
}
