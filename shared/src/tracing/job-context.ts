import { ROOT_CONTEXT, context, propagation, trace, type Context, type Link } from '@opentelemetry/api';
import type { TraceContext } from '../events/inbound-event';

/**
 * W3C trace context carried in job data from the ingest's webhook span to the worker's job span.
 * Both go through the global propagator, which is a no-op while the SDK is off: then nothing is carried.
 */
export function traceContextOf(from: Context = context.active()): TraceContext | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate } : { traceparent: carrier.traceparent };
}

/** The context a job's span starts in (same trace as its webhook) and the link back to the webhook's span. */
export function jobTraceParent(carried: TraceContext | undefined): { parent: Context; links: Link[] } {
  if (!carried) return { parent: ROOT_CONTEXT, links: [] };
  const parent = propagation.extract(ROOT_CONTEXT, { ...carried });
  const remote = trace.getSpanContext(parent);
  return remote ? { parent, links: [{ context: remote, attributes: { 'wab.link': 'webhook' } }] } : { parent: ROOT_CONTEXT, links: [] };
}
