/** Error codes of the API reference, plus the ones the product adds, with their HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  WORKFLOW_ERROR: 500,
  GHL_API_ERROR: 502,
  QUEUE_UNAVAILABLE: 503,
  TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details: Record<string, unknown> | null;
    request_id: string;
    timestamp: string;
  };
}

/** A failure with a code the API and run records understand; `retryable` says whether trying again can help. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> | null = null,
    readonly retryable = false,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  details: Record<string, unknown> | null = null,
): ErrorBody {
  return { error: { code, message, details, request_id: requestId, timestamp: new Date().toISOString() } };
}
