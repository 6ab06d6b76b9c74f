import { UnrecoverableError } from 'bullmq';
import { GhlApiError } from './ghl/errors';

/**
 * When the worker tries again, and when it stops, in one place.
 *
 * - A **job** (one message or event) gets `JOB_ATTEMPTS` attempts, exponential backoff from `JOB_BACKOFF_MS`
 *   with jitter (`inboundJobOptions` in shared). It stops early on a permanent error (below). After its last
 *   attempt it ends `failed` in its run record and stays replayable.
 * - A **GHL call** is tried up to `ghlCall.maxAttempts` times within one job attempt: reads and idempotent
 *   writes on 429, 5xx and no answer; creates and sends only on 429 (GHL refused before doing anything),
 *   because GHL has no idempotency keys. A Retry-After longer than `maxRetryAfterMs` goes back to the job.
 * - A **model call** gets `modelCall.maxRetries` retry within `OPENAI_TIMEOUT_MS`, then the heuristic answers.
 * - A message whose contact is **busy** (another run holds its turn) looks again after `busyContactRetryMs`
 *   without spending an attempt.
 * - A message whose **location has its share** of turns running (LOCATION_MAX_ACTIVE_TURNS) looks again
 *   after `fairShareRetryMs` plus as much jitter, without spending an attempt.
 */
export const RETRY_POLICY = {
  ghlCall: { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 },
  modelCall: { maxRetries: 1 },
  busyContactRetryMs: 250,
  fairShareRetryMs: 500,
} as const;

/** Errors that the same job would hit again: GHL's 4xx other than 429, and what we mark unrecoverable. */
export function isPermanent(error: unknown): boolean {
  return (error instanceof GhlApiError && error.permanent) || error instanceof UnrecoverableError;
}
