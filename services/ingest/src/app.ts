import express, { type Express } from 'express';
import helmet from 'helmet';
import type { QueueEvents } from 'bullmq';
import type { Logger } from 'pino';
import { LocationDirectory, createOAuthConnections, loadLocations, type Config, type OAuthConnections, type RedisConnection, type RunStore } from '@wab/shared';
import { adminRouter, requireAdmin } from './admin/admin-router';
import { locationsRouter } from './admin/locations-router';
import { refuseForeignOrigin } from './admin/same-origin';
import { errorHandler, sendError } from './http/send-error';
import { requestId } from './http/request-id';
import { staticHelmet } from './http/static-helmet';
import { trustProxySetting } from './http/trust-proxy';
import { createIngestMetrics, type IngestMetrics } from './metrics/ingest-metrics';
import { oauthRouter } from './oauth/oauth-router';
import { openApiDocument } from './openapi/openapi-document';
import type { InboundQueue } from './queue/inbound-queue';
import { adminAuthFailureLimit, perIpLimit, perPhoneLimit } from './ratelimit/limiters';
import { runsRouter } from './runs/runs-router';
import { loadSignatureKeys } from './signature/keys';
import { statusRouter } from './status/status-router';
import { DeliveryDedupe } from './webhook/dedupe';
import { checkServedLocations } from './webhook/served-locations';
import { webhookRouter } from './webhook/webhook-router';

export interface IngestDeps {
  config: Config;
  /** A producer connection (fails fast when Redis is away). */
  redis: RedisConnection;
  /** The queue's own connection, when it has one (readiness asks both). */
  queueRedis?: RedisConnection;
  queue: InboundQueue;
  queueEvents: QueueEvents;
  runStore: RunStore;
  logger: Logger;
  version: string;
  isDraining?: () => boolean;
  /** The locations served; by default LOCATIONS_FILE's (or the environment's), refreshed from Redis. */
  locations?: LocationDirectory;
}

export interface IngestApps {
  /** PORT: /webhook, /health, /livez, /readyz, /status, /runs/:id, /openapi.json. */
  app: Express;
  /** ADMIN_PORT: /admin/*; null without ADMIN_TOKEN (then nothing listens for admin at all). */
  adminApp: Express | null;
  /** INGEST_METRICS_PORT: /metrics. */
  metricsApp: Express;
  metrics: IngestMetrics;
  locations: LocationDirectory;
}

function baseApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // answers are per request; hashing every body costs CPU for nothing
  return app;
}

/**
 * Builds the ingest's three HTTP apps, one per port, so the public port can be opened to the world while
 * admin and metrics stay private. Tests drive them in-process; `main.ts` only listens and shuts down.
 */
export function createApps(deps: IngestDeps): IngestApps {
  const locations = deps.locations ?? new LocationDirectory(deps.redis, deps.config, loadLocations(deps.config));
  const metrics = createIngestMetrics(
    async () => {
      const [snapshot, workers] = await Promise.all([deps.queue.snapshot(), deps.queue.workers()]);
      return { ...snapshot, workers };
    },
    async () => {
      await locations.refresh();
      return locations.all().map((location) => location.connection);
    },
  );
  checkServedLocations(deps.config, locations);
  const withLocations = { ...deps, locations, connections: createOAuthConnections(deps.config, deps.redis, locations) };
  return {
    app: createPublicApp(withLocations, metrics),
    adminApp: deps.config.ADMIN_TOKEN ? createAdminApp(withLocations, deps.config.ADMIN_TOKEN) : null,
    metricsApp: createMetricsApp(metrics, deps.logger),
    metrics,
    locations,
  };
}

type WiredDeps = IngestDeps & { locations: LocationDirectory; connections: OAuthConnections | null };

function createPublicApp(deps: WiredDeps, metrics: IngestMetrics): Express {
  const { config, logger } = deps;
  const limitOptions = {
    redis: deps.redis,
    prefix: config.QUEUE_PREFIX,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    onLimited: (limit: 'ip' | 'phone') => metrics.rateLimited.inc({ limit }),
    logger,
  };
  // One per-IP limit for every public route that takes it (the webhook and the OAuth callback).
  const perIp = perIpLimit(config.RATE_LIMIT_PER_IP, limitOptions);

  const app = baseApp();
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  app.use(staticHelmet());
  app.use(requestId);
  // While draining, every answer closes its connection: a keep-alive client moves to another replica instead
  // of feeding this one until the shutdown deadline cuts it off.
  const isDraining = deps.isDraining ?? (() => false);
  app.use((_req, res, next) => {
    if (isDraining()) res.setHeader('Connection', 'close');
    next();
  });
  app.use((req, res, next) => {
    const end = metrics.requestDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = req.route?.path ?? 'unmatched';
      // A `?wait=N` answer lasts as long as the run: kept apart, so the webhook ack latency (and its SLO) is GHL's.
      end({ route: res.locals.wait ? `${route}?wait` : route, code: String(res.statusCode) });
    });
    next();
  });

  // The webhook first: the hot path should not walk the other routers.
  app.use(
    webhookRouter({
      config,
      signatureKeys: loadSignatureKeys(config),
      queue: deps.queue,
      queueEvents: deps.queueEvents,
      dedupe: new DeliveryDedupe(deps.redis, config.QUEUE_PREFIX, config.DEDUPE_TTL_SECONDS),
      locations: deps.locations,
      connections: deps.connections,
      runStore: deps.runStore,
      metrics,
      logger,
      limits: { perIp, perPhone: perPhoneLimit(config.RATE_LIMIT_PER_PHONE, limitOptions) },
    }),
  );
  app.use(
    statusRouter({
      redis: deps.redis,
      queueRedis: deps.queueRedis,
      queue: deps.queue,
      runStore: deps.runStore,
      version: deps.version,
      startedAt: Date.now(),
      isDraining,
      locations: deps.locations,
    }),
  );
  if (deps.connections) {
    app.use(oauthRouter({ connections: deps.connections, locations: deps.locations, logger, perIp }));
  }
  app.get('/openapi.json', (_req, res) => void res.json(openApiDocument(deps.version)));
  app.use(runsRouter({ runStore: deps.runStore, queue: deps.queue }));
  app.use((_req, res) => sendError(res, 'NOT_FOUND', 'No such route'));
  app.use(errorHandler(logger));
  return app;
}

/**
 * The admin API and bull-board. In order: cross-site browser posts are refused (403), failed
 * authentications are counted per address (429 past the limit), then the token is checked (401).
 */
function createAdminApp(deps: WiredDeps, token: string): Express {
  const { config, logger } = deps;
  const app = baseApp();
  // No `trust proxy`: nothing sits in front of the admin port, so the client address is the socket's.
  app.use(helmet());
  app.use(requestId);
  app.use(refuseForeignOrigin);
  app.use(adminAuthFailureLimit(config.ADMIN_AUTH_FAILURE_LIMIT, { redis: deps.redis, prefix: config.QUEUE_PREFIX, windowSeconds: config.ADMIN_AUTH_FAILURE_WINDOW_SECONDS, logger }));
  app.use(requireAdmin(token));
  app.use(adminRouter({ queue: deps.queue, runStore: deps.runStore, logger, bullBoardWrite: config.ADMIN_BULLBOARD_WRITE }));
  app.use(locationsRouter(deps.locations));
  app.use((_req, res) => sendError(res, 'NOT_FOUND', 'No such route'));
  app.use(errorHandler(logger));
  return app;
}

/** Prometheus's scrape target, alone on its port (the queue gauges are read at scrape time). */
function createMetricsApp(metrics: IngestMetrics, logger: Logger): Express {
  const app = baseApp();
  app.use(requestId);
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.use((_req, res) => sendError(res, 'NOT_FOUND', 'No such route'));
  app.use(errorHandler(logger));
  return app;
}
