import { createServer, type Server } from 'node:http';
import type { RedisConnection } from '@wab/shared';
import type { Registry } from 'prom-client';

/**
 * The worker's own small HTTP server: liveness, readiness (503 until Redis answers, and while draining)
 * and Prometheus metrics.
 */
export function createWorkerServer(deps: { redis: RedisConnection; registry: Registry; isDraining: () => boolean }): Server {
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const redisUp = () =>
    deps.redis
      .ping()
      .then((r) => r === 'PONG')
      .catch(() => false);

  return createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return json(res, 405, { error: 'method not allowed' });
    if (path === '/livez') return json(res, 200, { status: 'alive' });
    if (path === '/readyz' || path === '/health') {
      if (deps.isDraining()) return json(res, 503, { status: 'draining' });
      const up = await redisUp();
      return json(res, up ? 200 : 503, { status: up ? 'ready' : 'redis_unavailable', dependencies: { database: up ? 'connected' : 'disconnected' } });
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': deps.registry.contentType });
      return res.end(await deps.registry.metrics());
    }
    json(res, 404, { error: 'not found' });
  });
}
