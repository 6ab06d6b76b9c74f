import type { JobsOptions } from 'bullmq';
import type { Config } from '../config/schema';

/** The one queue between ingest and worker. */
export const INBOUND_QUEUE = 'inbound';

/** Job states that make up `queue_length`: work not yet picked up by a worker. */
export const BACKLOG_STATES = ['waiting', 'delayed', 'prioritized'] as const;

/** Every state reported on /status and /metrics. */
export const QUEUE_STATES = ['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed', 'waiting-children'] as const;

/** Stack traces a failed job keeps: the last attempt's (BullMQ would keep one per attempt). */
export const FAILED_JOB_STACK_TRACES = 1;

/**
 * The largest failed job the ingest can leave in Redis, in bytes, from the limits it enforces:
 * - the job's data is the event normalised from one body of at most MAX_BODY_BYTES; every string in it
 *   comes from that body once, except `contactKey`, which repeats the contact id or the phone: ≤ 2 ×
 *   MAX_BODY_BYTES (JSON.stringify escapes nothing that the body did not already escape);
 * - its stack traces (FAILED_JOB_STACK_TRACES) and failed reason: V8's 10 frames and the message,
 *   estimated at 8 KB each;
 * - ids, timestamps, options, field names and Redis's per-key and sorted-set entries: 4 KB;
 * - all of it times 1.25, as jemalloc rounds large allocations up to its size classes (at most a quarter).
 * With the defaults (256 KB bodies): (2 × 262,144 + 2 × 8,192 + 4,096) × 1.25 = 680,960 bytes.
 */
export function largestFailedJobBytes(config: Pick<Config, 'MAX_BODY_BYTES'>): number {
  const data = 2 * config.MAX_BODY_BYTES;
  const errors = (FAILED_JOB_STACK_TRACES + 1) * 8 * 1024;
  const fixed = 4 * 1024;
  return Math.ceil((data + errors + fixed) * 1.25);
}

/**
 * How many failed jobs are kept: JOB_KEEP_FAILED_COUNT, or fewer when that many of the largest jobs would
 * not fit in JOB_KEEP_FAILED_MB, so a flood of failing jobs cannot fill Redis (and turn webhooks into 503s).
 * With the defaults: 256 MiB / 680,960 bytes = 394 jobs.
 */
export function failedJobsKept(config: Pick<Config, 'MAX_BODY_BYTES' | 'JOB_KEEP_FAILED_MB' | 'JOB_KEEP_FAILED_COUNT'>): number {
  const byBytes = Math.floor((config.JOB_KEEP_FAILED_MB * 1024 * 1024) / largestFailedJobBytes(config));
  return Math.min(config.JOB_KEEP_FAILED_COUNT, byBytes);
}

/** Retries with exponential backoff and jitter; retention by age, count and bytes so Redis cannot grow without bound. */
export function inboundJobOptions(config: Config): JobsOptions {
  return {
    attempts: config.JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.JOB_BACKOFF_MS, jitter: 0.5 },
    stackTraceLimit: FAILED_JOB_STACK_TRACES,
    removeOnComplete: { age: config.JOB_KEEP_COMPLETED_SECONDS, count: config.JOB_KEEP_COMPLETED_COUNT },
    removeOnFail: { age: config.JOB_KEEP_FAILED_SECONDS, count: failedJobsKept(config) },
  };
}
