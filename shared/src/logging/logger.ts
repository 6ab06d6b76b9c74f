import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * A service's root logger: JSON lines with the service name; headers that carry secrets are redacted.
 * Components take child loggers that add requestId / jobId / contact. A line written inside a span
 * (tracing on) names it, so on-call can go from a log line to its trace.
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    mixin: traceIds,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-ghl-signature"]', 'req.headers["x-wh-signature"]', '*.token', '*.apiKey'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The active span's ids; nothing while tracing is off (no span is ever active then). */
function traceIds(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}
