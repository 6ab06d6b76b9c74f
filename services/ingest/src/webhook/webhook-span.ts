import { SpanKind, SpanStatusCode, context, trace, type Context } from '@opentelemetry/api';
import type { RequestHandler, Response } from 'express';

export const tracer = () => trace.getTracer('@wab/ingest');

/**
 * Opens the `POST /webhook` span before any check, so refusals are traced too, and ends it when the answer
 * is sent, with its outcome. An incoming `traceparent` is not followed: anyone can post here, and GHL sends
 * none. The body parser calls on from a socket event, outside this context: `reenterWebhookContext` after it
 * restores the context (binding the request's and answer's emitters did the same at about a third of the
 * ingest's throughput, measured with bench/ingest/tracing.js).
 */
export const webhookSpan: RequestHandler = (req, res, next) => {
  const span = tracer().startSpan('POST /webhook', {
    kind: SpanKind.SERVER,
    root: true,
    attributes: { 'http.request.method': 'POST', 'http.route': '/webhook' },
  });
  const spanContext = trace.setSpan(context.active(), span);
  res.locals.traceContext = spanContext;
  const end = () => {
    if (!span.isRecording()) return;
    span.setAttributes({ 'http.response.status_code': res.statusCode, 'wab.webhook.outcome': webhookOutcome(res) });
    // An error answer's code (UNAUTHORIZED, QUEUE_UNAVAILABLE...), set by sendError.
    if (res.statusCode >= 400 && typeof res.locals.outcome === 'string') span.setAttribute('wab.error.code', res.locals.outcome);
    if (res.locals.runId) span.setAttribute('wab.run_id', String(res.locals.runId));
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  res.once('finish', end);
  res.once('close', end);
  context.with(spanContext, next);
};

/** Back into the webhook span's context after a middleware that calls on from a stream event. */
export const reenterWebhookContext: RequestHandler = (_req, res, next) => {
  const spanContext = res.locals.traceContext as Context | undefined;
  if (spanContext) context.with(spanContext, next);
  else next();
};

/** accepted | processed (answered after ?wait) | duplicate | ignored; refused (4xx) | failed (5xx). */
function webhookOutcome(res: Response): string {
  if (res.statusCode >= 500) return 'failed';
  if (res.statusCode >= 400) return 'refused';
  return typeof res.locals.outcome === 'string' ? res.locals.outcome : 'answered';
}

/** The webhook span's context (for the enqueue span and the job's carried trace context). */
export const webhookContext = (res: Response): Context => (res.locals.traceContext as Context | undefined) ?? context.active();
