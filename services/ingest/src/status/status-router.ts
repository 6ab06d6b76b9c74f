import { Router } from 'express';
import type { LocationDirectory, RedisConnection, RunStore } from '@wab/shared';
import { InboundQueue } from '../queue/inbound-queue';

export interface StatusDeps {
  redis: RedisConnection;
  queueRedis?: RedisConnection;
  queue: InboundQueue;
  runStore: RunStore;
  version: string;
  startedAt: number;
  isDraining: () => boolean;
  locations: LocationDirectory;
}

async function redisUp(...connections: (RedisConnection | undefined)[]): Promise<boolean> {
  try {
    const answers = await Promise.all(connections.filter((c) => c !== undefined).map((c) => c.ping()));
    return answers.every((answer) => answer === 'PONG');
  } catch {
    return false;
  }
}

/** /health, /livez, /readyz, /status: none of them count toward a rate limit. (/metrics has its own port.) */
export function statusRouter(deps: StatusDeps): Router {
  const router = Router();
  const uptime = () => Math.round((Date.now() - deps.startedAt) / 1000);

  router.get('/livez', (_req, res) => {
    res.json({ status: 'alive' });
  });

  router.get('/readyz', async (_req, res) => {
    if (deps.isDraining()) return void res.status(503).json({ status: 'draining' });
    const up = await redisUp(deps.redis, deps.queueRedis);
    res.status(up ? 200 : 503).json({ status: up ? 'ready' : 'redis_unavailable' });
  });

  // The API reference's shape. ghl_api and openai_api are what the workers last saw, not a probe per request.
  router.get('/health', async (_req, res) => {
    const up = await redisUp(deps.redis, deps.queueRedis);
    const seen = up ? await deps.runStore.dependencies().catch(() => null) : null;
    res.status(up ? 200 : 503).json({
      status: up ? 'healthy' : 'unhealthy',
      timestamp: new Date().toISOString(),
      version: deps.version,
      uptime: uptime(),
      dependencies: {
        database: up ? 'connected' : 'disconnected',
        ghl_api: seen?.ghl_api.status ?? 'unknown',
        openai_api: seen?.openai_api.status ?? 'unknown',
      },
    });
  });

  // Cluster-wide: counters written by every worker, queue numbers from BullMQ's own counts.
  router.get('/status', async (_req, res) => {
    try {
      const [counters, snapshot, workers, seen] = await Promise.all([
        deps.runStore.counters(),
        deps.queue.snapshot(),
        deps.queue.workers(),
        deps.runStore.dependencies(),
        // Connections change on any replica (a refresh GHL refused): read them now, not at the next tick.
        deps.locations.refresh(),
      ]);
      const { by_location: byLocation, ...totals } = counters;
      res.json({
        status: 'operational',
        uptime: uptime(),
        ...totals,
        queue_length: InboundQueue.backlog(snapshot.counts),
        active: snapshot.counts.active ?? 0,
        failed: snapshot.counts.failed ?? 0,
        delayed: snapshot.counts.delayed ?? 0,
        oldest_waiting_age_seconds: snapshot.oldestWaitingAgeSeconds,
        workers,
        version: { api: deps.version, langgraph: seen.langgraph_version ?? null, node: process.versions.node },
        // Each location served: how it reaches GHL (needs_reinstall is what on-call acts on) and its counts.
        locations: deps.locations.all().map((location) => ({
          id: location.id,
          connection: location.connection,
          connection_reason: deps.locations.connectionOf(location.id)?.reason ?? null,
          ...(byLocation[location.id] ?? { processed_messages: 0, successful_bookings: 0, failed_bookings: 0 }),
        })),
      });
    } catch {
      res.setHeader('Retry-After', '5');
      res.status(503).json({ status: 'unavailable', uptime: uptime(), queue_length: null, last_error: { code: 'QUEUE_UNAVAILABLE', message: 'Redis is unavailable' } });
    }
  });

  return router;
}
