import { Router, type ErrorRequestHandler, type Response } from 'express';
import type { z } from 'zod';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** An answer in GHL's error shape: `{statusCode, message, error?}`; `message` is a string or a list. */
export class GhlHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly ghlMessage: string | string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(Array.isArray(ghlMessage) ? ghlMessage.join('; ') : ghlMessage);
  }
}

/**
 * GHL's error bodies, as its OpenAPI files give them: a plain 400 is BadRequestDTO, `{statusCode, message}`
 * with no `error`; validation failures (class-validator, `message` a list) and the other statuses
 * (UnauthorizedDTO, UnprocessableDTO...) name the reason in `error`.
 */
export function ghlErrorBody(statusCode: number, message: string | string[]) {
  if (statusCode === 400 && !Array.isArray(message)) return { statusCode, message };
  return { statusCode, message, error: REASONS[statusCode] ?? 'Error' };
}

export function sendGhlError(res: Response, statusCode: number, message: string | string[], headers: Record<string, string> = {}) {
  res.set(headers).status(statusCode).json(ghlErrorBody(statusCode, message));
}

/**
 * Validates a body or query the way GHL's DTO validation answers: one message per problem. GHL's contacts
 * service documents 422 for this, the calendars and conversations services 400.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, status: 400 | 422): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const messages = result.error.issues.flatMap((i) => {
    // class-validator's wording for a property the DTO does not list (GHL whitelists its DTOs).
    if (i.code === 'unrecognized_keys') return i.keys.map((key) => `property ${key} should not exist`);
    return [i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message];
  });
  throw new GhlHttpError(status, messages);
}

/** Last handler: every error leaves in GHL's shape (bad JSON included), never as an HTML page. */
export const ghlErrorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof GhlHttpError) return sendGhlError(res, err.statusCode, err.ghlMessage, err.headers);
  const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
  const message = status === 500 ? 'Internal server error' : String(err?.message ?? 'Bad Request');
  if (status === 500) console.error('ghl-sandbox: unhandled error', err);
  sendGhlError(res, status, message);
};

/** Routers match paths case-sensitively, as the app does (see apiGate in app.ts). */
export const caseSensitiveRouter = () => Router({ caseSensitive: true });

/** Set by the API gate once the token, the Version header and the rate limit are checked. */
export function markGatePassed(res: Response): void {
  res.locals.ghlGatePassed = true;
}

export function gatePassed(res: Response): boolean {
  return res.locals.ghlGatePassed === true;
}
