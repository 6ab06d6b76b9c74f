import type { JobsOptions } from 'bullmq';
import type { Config } from '../config/schema';

/** The one queue between ingest and worker. */
export const INBOUND_QUEUE = 'inbound';

/** Job states that make up `queue_length`: work not yet picked up by a worker. */
export const BACKLOG_STATES = ['waiting', 'delayed', 'prioritized'] as const;

/** Every state reported on /status and /metrics. */
export const QUEUE_STATES = ['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed', 'waiting-children'] as const;

/** Retries with exponential backoff and jitter; retention by age and count so Redis cannot grow without bound. */
export function inboundJobOptions(config: Config): JobsOptions {
  return {
    attempts: config.JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.JOB_BACKOFF_MS, jitter: 0.5 },
    removeOnComplete: { age: config.JOB_KEEP_COMPLETED_SECONDS, count: config.JOB_KEEP_COMPLETED_COUNT },
    removeOnFail: { age: config.JOB_KEEP_FAILED_SECONDS, count: config.JOB_KEEP_FAILED_COUNT },
  };
}
