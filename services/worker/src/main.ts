import { tracing } from './tracing'; // first: instrumentations hook modules as they load
import { stopTracing } from '@wab/shared/dist/tracing/sdk';
import { createLogger, createRedis, ensureNoEviction, loadConfig, waitForRedis } from '@wab/shared';
import { createWorkerServer } from './http/worker-server';
import { createWorker } from './worker';

/** The worker's composition root: read config once, connect, start, and own shutdown. */
async function main(): Promise<void> {
  // A signal before the worker runs (still waiting for Redis) has nothing to drain: exit at once.
  let shutdown = async (_signal: string): Promise<void> => process.exit(0);
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const config = loadConfig();
  const logger = createLogger('worker', config.LOG_LEVEL);
  const connection = createRedis(config, 'worker');
  // Commands issued together (many turns at once) go out in one write: autopipelining, never for BullMQ's connection.
  const redis = createRedis(config, 'worker', { enableAutoPipelining: true });
  for (const c of [connection, redis]) c.on('error', () => undefined); // outages show on /readyz and in job failures
  await waitForRedis(redis, (error) => logger.warn({ err: { message: error.message } }, 'waiting for Redis'));
  await ensureNoEviction(redis, config.ALLOW_EVICTING_REDIS, (message) => logger.warn(message));

  const { worker, metrics, runStore } = createWorker({ config, connection, redis, logger });
  const langgraph = (require('@langchain/langgraph/package.json') as { version: string }).version;
  await runStore.reportLanggraphVersion(langgraph).catch(() => undefined);

  let draining = false;
  const server = createWorkerServer({ redis, registry: metrics.registry, isDraining: () => draining });
  server.listen(config.METRICS_PORT, () => logger.info({ port: config.METRICS_PORT, concurrency: config.WORKER_CONCURRENCY }, 'worker started'));

  shutdown = async (signal: string) => {
    if (draining) return;
    draining = true;
    logger.info({ signal }, 'draining: no new jobs, finishing active runs');
    // Active runs get SHUTDOWN_TIMEOUT_MS; what is still running then is handed back (it stalls and is taken again).
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), config.SHUTDOWN_TIMEOUT_MS).unref());
    const outcome = await Promise.race([worker.close().then(() => 'closed' as const), timeout]);
    if (outcome === 'timeout') {
      logger.warn('shutdown timeout: handing unfinished runs back to the queue');
      await worker.close(true).catch(() => undefined);
    }
    server.close();
    connection.disconnect();
    redis.disconnect();
    await stopTracing(tracing);
    logger.info('stopped');
    process.exit(0);
  };
}

main().catch((error: Error) => {
  process.stderr.write(`worker failed to start: ${error.message}\n`);
  process.exit(1);
});
