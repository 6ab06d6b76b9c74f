import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { INBOUND_QUEUE, LOCATION_REFRESH_MS, LocationDirectory, RunStore, createOAuthConnections, keysFor, loadLocations, type Config, type JobData, type JobResult, type RedisConnection } from '@wab/shared';
import { RedisCheckpointSaver } from './conversation/redis-checkpointer';
import { EffectLedger } from './effects/effect-ledger';
import { oauthCredentials } from './ghl/oauth-credentials';
import { GhlRateBudget } from './ghl/rate-budget';
import { GhlReadCache } from './ghl/read-cache';
import { createWorkerMetrics } from './metrics/worker-metrics';
import { ContactInbox } from './processing/contact-inbox';
import { ContactProfiles } from './processing/contact-profile';
import { LocationAdmission } from './processing/location-admission';
import { FOLLOW_UP_QUEUE, FollowUps, type FollowUpJob } from './processing/follow-ups';
import { createTimeZoneCheck } from './processing/time-zone-check';
import { RETRY_POLICY } from './retry-policy';
import { HeuristicUnderstander } from './understanding/heuristic';
import { OpenAIUnderstander, createOpenAIClient } from './understanding/openai';
import type { Understander } from './understanding/understanding';
import { checkWorkerLocations, createLocationRuntimes } from './locations/location-runtimes';

/**
 * Builds the worker: the BullMQ Worker on the ingest's queue, the booking graph with its checkpointer,
 * the GHL and OpenAI clients. `connection` is for BullMQ (blocking); `redis` for everything else.
 */
export function createWorker(deps: { config: Config; connection: RedisConnection; redis: RedisConnection; logger: Logger; autorun?: boolean; locations?: LocationDirectory }) {
  const { config, redis, logger } = deps;
  const directory = deps.locations ?? new LocationDirectory(redis, config, loadLocations(config));
  checkWorkerLocations(config, directory.all());
  const prefix = config.QUEUE_PREFIX;
  const metrics = createWorkerMetrics();
  const runStore = new RunStore(redis, prefix, config.RUN_RECORD_TTL_DAYS * 24 * 3600);

  // What the workers see of GHL and OpenAI is shared through Redis for the ingest's /health; at most every few seconds.
  const lastReport = new Map<string, number>();
  const report = (name: 'ghl_api' | 'openai_api', ok: boolean, detail?: string) => {
    const key = `${name}:${ok}`;
    if (Date.now() - (lastReport.get(key) ?? 0) < 5000) return;
    lastReport.set(key, Date.now());
    runStore.reportDependency(name, ok ? 'connected' : 'error', detail).catch(() => undefined);
  };

  // A claimed effect belongs to its run for longer than its slowest call can take (every attempt timing out).
  const effectLeaseMs = config.GHL_TIMEOUT_MS * RETRY_POLICY.ghlCall.maxAttempts + RETRY_POLICY.ghlCall.maxRetryAfterMs;
  const ledger = new EffectLedger(redis, prefix, { leaseMs: effectLeaseMs });
  const heuristic = new HeuristicUnderstander();
  let understander: Understander = heuristic;
  if (config.OPENAI_API_KEY) {
    understander = new OpenAIUnderstander({
      client: createOpenAIClient({
        apiKey: config.OPENAI_API_KEY,
        baseURL: config.OPENAI_BASE_URL,
        timeout: config.OPENAI_TIMEOUT_MS,
        maxRetries: RETRY_POLICY.modelCall.maxRetries,
      }),
      model: config.OPENAI_MODEL,
      fallback: heuristic,
      onCall: ({ ok, tokens, reason }) => {
        metrics.llmCalls.inc({ outcome: ok ? 'ok' : (reason ?? 'error').split(':')[0] });
        if (tokens) metrics.llmTokens.inc(tokens);
        report('openai_api', ok, reason);
      },
    });
  } else {
    runStore.reportDependency('openai_api', 'not_configured').catch(() => undefined);
  }

  const checkpointer = new RedisCheckpointSaver(redis, { prefix, ttlSeconds: config.CONVERSATION_TTL_DAYS * 24 * 3600 });
  const connections = createOAuthConnections(config, redis, directory, (owner, outcome) => metrics.oauthRenewals.inc({ owner, outcome }));
  // Follow-ups are delayed jobs on a queue of their own (never backlog for the autoscaler).
  const queuePrefix = keysFor(prefix, deps.connection).queuePrefix;
  const followUpQueue = new Queue<FollowUpJob>(FOLLOW_UP_QUEUE, { connection: deps.connection, prefix: queuePrefix });
  const followUps = new FollowUps(followUpQueue, config.FOLLOW_UP_MAX, config.FOLLOW_UP_DELAY_SECONDS * 1000);
  const runtimes = createLocationRuntimes({
    oauthCredentials: connections ? (locationId) => oauthCredentials(connections, locationId) : undefined,
    // A slot lasts as long as the slowest turn may (every GHL attempt timing out); a crashed worker's frees itself.
    admission: new LocationAdmission(redis, prefix, config.LOCATION_MAX_ACTIVE_TURNS, effectLeaseMs + config.JOB_LOCK_MS, () => directory.size),
    config,
    directory,
    understander,
    checkpointer,
    ledger,
    crmFields: { goalFieldId: config.GHL_CUSTOM_FIELD_GOAL, budgetFieldId: config.GHL_CUSTOM_FIELD_BUDGET },
    ghlCache: new GhlReadCache(redis, prefix, { slotsTtlMs: config.GHL_SLOTS_CACHE_MS, calendarTtlMs: config.GHL_CALENDAR_CACHE_SECONDS * 1000 }),
    client: {
      baseUrl: config.GHL_API_BASE_URL,
      timeoutMs: config.GHL_TIMEOUT_MS,
      budget: new GhlRateBudget(redis, prefix, {
        limit: config.GHL_RATE_LIMIT_PER_10S,
        windowMs: 10_000,
        onAcquire: ({ waitedMs, acquired }) => metrics.ghlRateBudgetWait.observe({ outcome: acquired ? 'acquired' : 'gave_up' }, waitedMs / 1000),
      }),
      onCall: (call) => {
        metrics.ghlCalls.inc({ endpoint: call.endpoint, status: String(call.status), location: call.locationId });
        report('ghl_api', call.status !== 'network' && call.status < 500, `${call.endpoint} ${call.status}`);
      },
    },
    processor: {
      inbox: new ContactInbox(redis, prefix, config.JOB_LOCK_MS, config.DEDUPE_TTL_SECONDS),
      profiles: new ContactProfiles(redis, prefix, config.CONVERSATION_TTL_DAYS * 24 * 3600),
      runStore,
      pruneConversation: (threadId) => checkpointer.prune(threadId),
      metrics,
      logger,
      checkTimeZone: createTimeZoneCheck({ logger, metrics }),
      burstWindowMs: config.BURST_WINDOW_MS,
      botPauseMinutes: config.BOT_PAUSE_MINUTES,
      whatsappWindowHours: config.WHATSAPP_WINDOW_HOURS,
      followUps,
    },
  });
  // Jobs wait for the first read of the admin API's settings and the installs; then a refresh every few seconds.
  const ready = directory.refresh().catch((error: Error) => logger.warn({ err: { message: error.message } }, 'could not read locations from Redis'));
  directory.start(LOCATION_REFRESH_MS, (error) => logger.warn({ err: { message: error.message } }, 'could not refresh locations'));
  const processor = async (job: Job<JobData, JobResult>) => {
    await ready;
    return runtimes.process(job);
  };

  const worker = new Worker<JobData, JobResult>(INBOUND_QUEUE, processor, {
    connection: deps.connection,
    prefix: queuePrefix,
    concurrency: config.WORKER_CONCURRENCY,
    autorun: deps.autorun ?? true,
    // A job whose worker died is taken again after its lock expires; effects make the repeat harmless.
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_LOCK_MS,
    maxStalledCount: 2,
  });
  worker.on('error', (error) => logger.warn({ err: { message: error.message } }, 'worker error'));
  worker.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: { message: error.message } }, 'job failed'));

  worker.on('closed', () => directory.stop());

  const followUpWorker = new Worker<FollowUpJob>(
    FOLLOW_UP_QUEUE,
    async (job, token) => {
      await ready;
      return runtimes.nudge(job, token);
    },
    { connection: deps.connection, prefix: queuePrefix, concurrency: 5, autorun: deps.autorun ?? true, lockDuration: config.JOB_LOCK_MS },
  );
  followUpWorker.on('error', (error) => logger.warn({ err: { message: error.message } }, 'follow-up worker error'));
  followUpWorker.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: { message: error.message } }, 'follow-up failed'));
  // The follow-ups live and stop with the inbound worker: whoever closes it (shutdown, tests) closes both.
  const closeInbound = worker.close.bind(worker);
  worker.close = async (force?: boolean) => {
    await Promise.all([closeInbound(force), followUpWorker.close(force)]);
    await followUpQueue.close();
  };

  return { worker, metrics, runStore, locations: directory, followUps };
}

export type BookingWorker = ReturnType<typeof createWorker>;
