import express, { type Express } from 'express';
import helmet from 'helmet';
import type { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config, RunStore } from '@wab/shared';
import { adminRouter } from './admin/admin-router';
import { errorHandler, sendError } from './http/send-error';
import { requestId } from './http/request-id';
import { trustProxySetting } from './http/trust-proxy';
import { createIngestMetrics, type IngestMetrics } from './metrics/ingest-metrics';
import { openApiDocument } from './openapi/openapi-document';
import type { InboundQueue } from './queue/inbound-queue';
import { perIpLimit, perPhoneLimit } from './ratelimit/limiters';
import { runsRouter } from './runs/runs-router';
import { loadSignatureKeys } from './signature/keys';
import { statusRouter } from './status/status-router';
import { DeliveryDedupe } from './webhook/dedupe';
import { servedLocations } from './webhook/served-locations';
import { webhookRouter } from './webhook/webhook-router';

export interface IngestDeps {
  config: Config;
  /** A producer connection (fails fast when Redis is away). */
  redis: Redis;
  queue: InboundQueue;
  queueEvents: QueueEvents;
  runStore: RunStore;
  logger: Logger;
  version: string;
  isDraining?: () => boolean;
}

/** Builds the ingest's HTTP app; tests drive it in-process, `main.ts` only listens and shuts down. */
export function createApp(deps: IngestDeps): { app: Express; metrics: IngestMetrics } {
  const { config, logger } = deps;
  const metrics = createIngestMetrics(async () => {
    const [snapshot, workers] = await Promise.all([deps.queue.snapshot(), deps.queue.workers()]);
    return { ...snapshot, workers };
  });
  const limitOptions = {
    redis: deps.redis,
    prefix: config.QUEUE_PREFIX,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    onLimited: (limit: 'ip' | 'phone') => metrics.rateLimited.inc({ limit }),
    logger,
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // answers are per request; hashing every body costs CPU for nothing
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  app.use(helmet());
  app.use(requestId);
  app.use((req, res, next) => {
    const end = metrics.requestDuration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ?? 'unmatched', code: String(res.statusCode) }));
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
      locations: servedLocations(config),
      runStore: deps.runStore,
      metrics,
      logger,
      limits: { perIp: perIpLimit(config.RATE_LIMIT_PER_IP, limitOptions), perPhone: perPhoneLimit(config.RATE_LIMIT_PER_PHONE, limitOptions) },
    }),
  );
  app.use(
    statusRouter({
      redis: deps.redis,
      queue: deps.queue,
      runStore: deps.runStore,
      metrics,
      version: deps.version,
      startedAt: Date.now(),
      isDraining: deps.isDraining ?? (() => false),
    }),
  );
  app.get('/openapi.json', (_req, res) => void res.json(openApiDocument(deps.version)));
  app.use(runsRouter({ runStore: deps.runStore, queue: deps.queue }));
  // Without ADMIN_TOKEN the admin routes do not exist (404), rather than exist and refuse.
  if (config.ADMIN_TOKEN) app.use(adminRouter({ token: config.ADMIN_TOKEN, queue: deps.queue, runStore: deps.runStore, logger }));
  app.use((_req, res) => sendError(res, 'NOT_FOUND', 'No such route'));
  app.use(errorHandler(logger));
  return { app, metrics };
}
