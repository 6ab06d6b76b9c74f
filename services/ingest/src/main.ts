import { tracing } from './tracing'; // first: instrumentations hook modules as they load
import { stopTracing } from '@wab/shared/dist/tracing/sdk';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import {
  INBOUND_QUEUE,
  LOCATION_REFRESH_MS,
  LocationDirectory,
  RunStore,
  createLogger,
  createRedis,
  ensureNoEviction,
  inboundJobOptions,
  keysFor,
  loadConfig,
  loadLocations,
  waitForRedis,
} from '@wab/shared';
import type { Server } from 'node:http';
import { createApps } from './app';
import { InboundQueue } from './queue/inbound-queue';
import { createWaitEvents } from './queue/wait-events';

/** How long readiness reports 503 before the listener closes, so load balancers stop sending first. */
const READINESS_GRACE_MS = 2000;

/** The ingest's composition root: read config once, connect, wire, listen, and own shutdown. */
async function main(): Promise<void> {
  // A signal before the server listens (still waiting for Redis) has nothing to drain: exit at once.
  let shutdown = async (_signal: string): Promise<void> => process.exit(0);
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const config = loadConfig();
  const logger = createLogger('ingest', config.LOG_LEVEL);
  const version = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version as string;

  const redis = createRedis(config, 'producer');
  // The queue's own producer connection, not autopipelined. BullMQ defines ~50 scripts on its connection and
  // ioredis copies every defined script onto each autopipeline it builds, so on the shared connection each
  // request's pipelines were ~13 KB of garbage that lived long enough to reach the old space (a third of it).
  const queueRedis = createRedis(config, 'producer', { enableAutoPipelining: false });
  const eventsRedis = createRedis(config, 'worker');
  for (const connection of [redis, queueRedis, eventsRedis]) connection.on('error', () => undefined); // reported by waitForRedis and /health
  await waitForRedis(redis, (error) => logger.warn({ err: { message: error.message } }, 'waiting for Redis'));
  await waitForRedis(queueRedis, (error) => logger.warn({ err: { message: error.message } }, 'waiting for Redis'));
  await ensureNoEviction(redis, config.ALLOW_EVICTING_REDIS, (message) => logger.warn(message));

  const queue = new Queue(INBOUND_QUEUE, { connection: queueRedis, prefix: keysFor(config.QUEUE_PREFIX, redis).queuePrefix });
  const queueEvents = createWaitEvents(eventsRedis, config.QUEUE_PREFIX);
  const runStore = new RunStore(redis, config.QUEUE_PREFIX, config.RUN_RECORD_TTL_DAYS * 24 * 3600);

  // Tenants are named before the first request: the file's, and what the admin API and installs stored.
  const locations = new LocationDirectory(redis, config, loadLocations(config));
  await locations.refresh();
  locations.start(LOCATION_REFRESH_MS, (error) => logger.warn({ err: { message: error.message } }, 'could not refresh locations'));

  let draining = false;
  const { app, adminApp, metricsApp } = createApps({
    locations,
    config,
    redis,
    queueRedis,
    queue: new InboundQueue(queue, inboundJobOptions(config)),
    queueEvents,
    runStore,
    logger,
    version,
    isDraining: () => draining,
  });
  const server = app.listen(config.PORT, () => logger.info({ port: config.PORT }, 'ingest listening'));
  server.keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
  // Private ports: metrics on every interface (Prometheus scrapes from another host; the network policy
  // limits who), admin on loopback unless ADMIN_HOST says otherwise, and only with a token.
  const privateServers: Server[] = [
    metricsApp.listen(config.INGEST_METRICS_PORT, () => logger.info({ port: config.INGEST_METRICS_PORT }, 'ingest metrics listening')),
  ];
  if (adminApp) {
    privateServers.push(adminApp.listen(config.ADMIN_PORT, config.ADMIN_HOST, () => logger.info({ port: config.ADMIN_PORT, host: config.ADMIN_HOST }, 'ingest admin listening')));
  }
  for (const s of [server, ...privateServers]) s.on('error', (error) => shutdownOnListenError(error));

  shutdown = async (signal: string) => {
    if (draining) return;
    draining = true;
    logger.info({ signal }, 'draining');
    await new Promise((r) => setTimeout(r, config.SHUTDOWN_TIMEOUT_MS ? Math.min(READINESS_GRACE_MS, config.SHUTDOWN_TIMEOUT_MS) : 0));
    const forced = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS).unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(forced);
    for (const s of privateServers) s.closeAllConnections();
    await Promise.all(privateServers.map((s) => new Promise((resolve) => s.close(resolve))));
    locations.stop();
    await Promise.allSettled([queueEvents.close(), queue.close()]);
    redis.disconnect();
    queueRedis.disconnect();
    eventsRedis.disconnect();
    await stopTracing(tracing);
    logger.info('stopped');
    process.exit(0);
  };
}

/** A port already taken is a start-up failure: say which and stop, rather than run without it. */
function shutdownOnListenError(error: Error): never {
  process.stderr.write(`ingest failed to start: ${error.message}\n`);
  process.exit(1);
}

main().catch((error: Error) => {
  // One clear line (config errors name the variable); no stack trace with values in it.
  process.stderr.write(`ingest failed to start: ${error.message}\n`);
  process.exit(1);
});
