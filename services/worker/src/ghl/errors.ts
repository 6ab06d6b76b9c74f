/**
 * GHL answered with an error, or (status null) did not answer at all. `retryable` is true for 429, 5xx and
 * no answer; every other 4xx is permanent: repeating the same request would get the same answer.
 */
export class GhlApiError extends Error {
  override name = 'GhlApiError';
  readonly retryable: boolean;
  /** From GHL's Retry-After, when it sent one. */
  readonly retryAfterMs?: number;

  constructor(
    readonly endpoint: string,
    readonly status: number | null,
    /** GHL's own `message` (lists joined with "; "), or what went wrong on the way. */
    readonly ghlMessage: string,
    options: { retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(`GHL ${endpoint}: ${status === null ? 'no answer' : status}: ${ghlMessage}`, { cause: options.cause });
    this.retryable = options.retryable ?? (status === null || status === 429 || status >= 500);
    this.retryAfterMs = options.retryAfterMs;
  }

  get permanent(): boolean {
    return !this.retryable;
  }
}

/**
 * A create or send whose outcome is unknown (timeout, cut connection, 5xx, unreadable answer): GHL may or
 * may not have done it. GHL has no idempotency keys, so never resend blindly: look first (contact
 * appointments, conversation messages), then decide.
 */
export class GhlUncertainError extends Error {
  override name = 'GhlUncertainError';

  constructor(
    readonly endpoint: string,
    /** The HTTP status when there was one (a 5xx), else null. */
    readonly status: number | null,
    cause: unknown,
  ) {
    super(`GHL ${endpoint}: outcome unknown (${status ?? 'no answer'}); check GHL before trying again`, { cause });
  }
}

/** The shared rate budget had no room within the wait allowed; nothing was sent. Try again later. */
export class GhlRateBudgetError extends Error {
  override name = 'GhlRateBudgetError';
  readonly retryable = true;

  constructor(
    readonly locationId: string,
    readonly waitedMs: number,
  ) {
    super(`GHL rate budget for location ${locationId} had no room within ${waitedMs} ms`);
  }
}

/** GHL's answer when the slot was taken (or is outside hours) between listing and booking. */
export const SLOT_UNAVAILABLE_MESSAGE = 'The slot you have selected is no longer available.';

export function isSlotUnavailable(error: unknown): boolean {
  return error instanceof GhlApiError && error.status === 400 && /no longer available/i.test(error.ghlMessage);
}

/** GHL no longer knows the contact (deleted, or merged into a duplicate): its id must be found again by phone. */
export function isUnknownContact(error: unknown): boolean {
  return error instanceof GhlApiError && (error.status === 404 || (error.status === 400 && /contact not found/i.test(error.ghlMessage)));
}
