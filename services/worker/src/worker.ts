import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { INBOUND_QUEUE, RunStore, keysFor, type Config, type JobData, type JobResult, type RedisConnection } from '@wab/shared';
import { RedisCheckpointSaver } from './conversation/redis-checkpointer';
import { EffectLedger } from './effects/effect-ledger';
import { GhlClient } from './ghl/client';
import { GhlRateBudget } from './ghl/rate-budget';
import { ghlWorkflowPorts } from './ghl/workflow-ports';
import { createWorkerMetrics } from './metrics/worker-metrics';
import { ContactInbox } from './processing/contact-inbox';
import { ContactProfiles } from './processing/contact-profile';
import { createJobProcessor } from './processing/job-processor';
import { createTimeZoneCheck } from './processing/time-zone-check';
import { RETRY_POLICY } from './retry-policy';
import { HeuristicUnderstander } from './understanding/heuristic';
import { OpenAIUnderstander, createOpenAIClient } from './understanding/openai';
import type { Understander } from './understanding/understanding';
import { buildBookingGraph } from './workflow/graph';

/** Settings the worker cannot run without; named in one line when missing. */
export function requireGhlSettings(config: Config): { token: string; locationId: string; calendarId: string } {
  const missing = (['GHL_API_TOKEN', 'GHL_LOCATION_ID', 'GHL_CALENDAR_ID'] as const).filter((name) => !config[name]);
  if (missing.length) throw new Error(`Invalid configuration: ${missing.join(', ')} must be set for the worker`);
  return { token: config.GHL_API_TOKEN!, locationId: config.GHL_LOCATION_ID!, calendarId: config.GHL_CALENDAR_ID! };
}

/**
 * Builds the worker: the BullMQ Worker on the ingest's queue, the booking graph with its checkpointer,
 * the GHL and OpenAI clients. `connection` is for BullMQ (blocking); `redis` for everything else.
 */
export function createWorker(deps: { config: Config; connection: RedisConnection; redis: RedisConnection; logger: Logger; autorun?: boolean }) {
  const { config, redis, logger } = deps;
  const ghl = requireGhlSettings(config);
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

  const client = new GhlClient({
    baseUrl: config.GHL_API_BASE_URL,
    token: ghl.token,
    locationId: ghl.locationId,
    timeZone: config.BUSINESS_TIMEZONE,
    timeoutMs: config.GHL_TIMEOUT_MS,
    budget: new GhlRateBudget(redis, prefix, {
      limit: config.GHL_RATE_LIMIT_PER_10S,
      windowMs: 10_000,
      onAcquire: ({ waitedMs, acquired }) => metrics.ghlRateBudgetWait.observe({ outcome: acquired ? 'acquired' : 'gave_up' }, waitedMs / 1000),
    }),
    onCall: (call) => {
      metrics.ghlCalls.inc({ endpoint: call.endpoint, status: String(call.status) });
      report('ghl_api', call.status !== 'network' && call.status < 500, `${call.endpoint} ${call.status}`);
    },
  });
  // A claimed effect belongs to its run for longer than its slowest call can take (every attempt timing out).
  const effectLeaseMs = config.GHL_TIMEOUT_MS * RETRY_POLICY.ghlCall.maxAttempts + RETRY_POLICY.ghlCall.maxRetryAfterMs;
  const ledger = new EffectLedger(redis, prefix, { leaseMs: effectLeaseMs });
  const ports = ghlWorkflowPorts({
    client,
    calendarId: ghl.calendarId,
    ledger,
    crmFields: { goalFieldId: config.GHL_CUSTOM_FIELD_GOAL, budgetFieldId: config.GHL_CUSTOM_FIELD_BUDGET },
  });

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
  const graph = buildBookingGraph(
    {
      understander,
      calendar: ports.calendar,
      contacts: ports.contacts,
      rules: {
        minBudget: config.MIN_BUDGET,
        services: config.SERVICES,
        minNoticeMinutes: config.MIN_NOTICE_MINUTES,
        maxDaysAhead: config.MAX_DAYS_AHEAD,
        timeZone: config.BUSINESS_TIMEZONE,
        currency: config.BUDGET_CURRENCY,
      },
    },
    checkpointer,
  );

  const processor = createJobProcessor({
    graph,
    inbox: new ContactInbox(redis, prefix, config.JOB_LOCK_MS, config.DEDUPE_TTL_SECONDS),
    profiles: new ContactProfiles(redis, prefix, config.CONVERSATION_TTL_DAYS * 24 * 3600),
    runStore,
    contacts: ports.contacts,
    sendReply: ports.sendReply,
    pruneConversation: (threadId) => checkpointer.prune(threadId),
    metrics,
    logger,
    checkTimeZone: createTimeZoneCheck({ logger, metrics }),
    burstWindowMs: config.BURST_WINDOW_MS,
    botPauseMinutes: config.BOT_PAUSE_MINUTES,
    timeZone: config.BUSINESS_TIMEZONE,
  });

  const worker = new Worker<JobData, JobResult>(INBOUND_QUEUE, processor, {
    connection: deps.connection,
    prefix: keysFor(prefix, deps.connection).queuePrefix,
    concurrency: config.WORKER_CONCURRENCY,
    autorun: deps.autorun ?? true,
    // A job whose worker died is taken again after its lock expires; effects make the repeat harmless.
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_LOCK_MS,
    maxStalledCount: 2,
  });
  worker.on('error', (error) => logger.warn({ err: { message: error.message } }, 'worker error'));
  worker.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: { message: error.message } }, 'job failed'));

  return { worker, metrics, runStore };
}

export type BookingWorker = ReturnType<typeof createWorker>;
