import { trace, type Tracer } from '@opentelemetry/api';

/** The tracer of the worker's own spans: a no-op until a composition root starts the SDK. */
export const workerTracer = (): Tracer => trace.getTracer('@wab/worker');
