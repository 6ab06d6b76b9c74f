import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, errorBody, ERROR_STATUS, type ErrorCode } from '@wab/shared';

export function sendError(res: Response, code: ErrorCode, message: string, details: Record<string, unknown> | null = null): void {
  res.locals.outcome = code;
  res.status(ERROR_STATUS[code]).json(errorBody(code, message, res.locals.requestId ?? 'unknown', details));
}

/** body-parser's error types, mapped to the API's codes: bad input is never a 500. */
const BODY_ERRORS: Record<string, [ErrorCode, string]> = {
  'entity.too.large': ['PAYLOAD_TOO_LARGE', 'Request body is too large'],
  'encoding.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported content encoding'],
  'charset.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported charset'],
  'request.aborted': ['VALIDATION_ERROR', 'Request was aborted'],
  'request.size.invalid': ['VALIDATION_ERROR', 'Request size did not match Content-Length'],
  'entity.verify.failed': ['VALIDATION_ERROR', 'Request body could not be read'],
  'stream.encoding.set': ['VALIDATION_ERROR', 'Request body could not be read'],
};

/** The one place errors become responses; no stack trace or secret ever reaches the client. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return;
    if (error instanceof AppError) return sendError(res, error.code, error.message, error.details);
    const bodyError = typeof error?.type === 'string' ? BODY_ERRORS[error.type] : undefined;
    if (bodyError) return sendError(res, bodyError[0], bodyError[1]);
    if (error?.status >= 400 && error?.status < 500) return sendError(res, 'VALIDATION_ERROR', 'Request could not be read');
    logger.error({ requestId: res.locals.requestId, path: req.path, err: { name: error?.name, message: error?.message } }, 'unhandled error');
    sendError(res, 'WORKFLOW_ERROR', 'Internal error');
  };
}
