import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * The OpenTelemetry SDK of one service, configured only by the standard OTEL_* variables. Nothing here is
 * loaded while tracing is off (no endpoint, or OTEL_SDK_DISABLED): the services then pay only for
 * @opentelemetry/api's no-op calls. Import this file by its own path, before anything that loads express or
 * ioredis, so their instrumentations can hook the modules as they are first required.
 */

export const TRACE_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type TraceProtocol = (typeof TRACE_PROTOCOLS)[number];

/** Auto-instrumentations a service may turn on (OTEL_NODE_ENABLED_INSTRUMENTATIONS, by these names). */
export const INSTRUMENTATIONS = ['http', 'express', 'ioredis'] as const;
export type InstrumentationName = (typeof INSTRUMENTATIONS)[number];

export interface TracingSettings {
  protocol: TraceProtocol;
  /** OTEL_SERVICE_NAME, else the service's default. */
  serviceName: string;
  instrumentations: InstrumentationName[];
}

type Env = Record<string, string | undefined>;
const valueOf = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;

/**
 * Whether and how to trace, from the environment; null means off. A bad value throws one line naming the
 * variable, as the rest of the configuration does.
 */
export function tracingSettings(
  env: Env,
  defaults: { serviceName: string; instrumentations: readonly InstrumentationName[] },
): TracingSettings | null {
  if (valueOf(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  if (!valueOf(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') && !valueOf(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')) return null;
  const protocol = valueOf(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? valueOf(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (!(TRACE_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new Error(`Invalid configuration: OTEL_EXPORTER_OTLP_PROTOCOL must be one of ${TRACE_PROTOCOLS.join(', ')}`);
  }
  const listed = valueOf(env, 'OTEL_NODE_ENABLED_INSTRUMENTATIONS');
  const instrumentations = listed === undefined ? [...defaults.instrumentations] : listed.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = instrumentations.filter((name) => !(INSTRUMENTATIONS as readonly string[]).includes(name));
  if (unknown.length) {
    throw new Error(`Invalid configuration: OTEL_NODE_ENABLED_INSTRUMENTATIONS may list ${INSTRUMENTATIONS.join(', ')}`);
  }
  return { protocol: protocol as TraceProtocol, serviceName: valueOf(env, 'OTEL_SERVICE_NAME') ?? defaults.serviceName, instrumentations: instrumentations as InstrumentationName[] };
}

export interface Tracing {
  settings: TracingSettings;
  /** Exports what is still queued (bounded by the export timeout) and stops. */
  shutdown(): Promise<void>;
}

/** Starts the SDK when the environment asks for tracing; null (and nothing loaded) otherwise. */
export function startTracing(
  defaults: { serviceName: string; instrumentations: readonly InstrumentationName[] },
  env: Env = process.env,
): Tracing | null {
  const settings = tracingSettings(env, defaults);
  if (!settings) return null;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK: Sdk } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  // The exporters read the endpoint, headers and timeout (OTEL_EXPORTER_OTLP_*) themselves.
  const { OTLPTraceExporter } =
    settings.protocol === 'http/json'
      ? (require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http'))
      : (require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto'));
  const sdk: NodeSDK = new Sdk({
    serviceName: settings.serviceName,
    // Spans leave in the background from a bounded queue (OTEL_BSP_*: 2048 spans; a full queue drops, it
    // never waits), so a slow or absent collector costs requests nothing.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
    // Traces only: metrics stay with Prometheus, logs with pino (the SDK would otherwise export both).
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: settings.instrumentations.map(instrumentation),
  });
  sdk.start();
  return { settings, shutdown: () => sdk.shutdown() };
}

function instrumentation(name: InstrumentationName): Instrumentation {
  switch (name) {
    case 'http': {
      const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
      // Health checks and scrapes are not worth a trace each.
      return new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.method !== 'POST' });
    }
    case 'express': {
      const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
      return new ExpressInstrumentation();
    }
    case 'ioredis': {
      const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
      // Only commands made for a traced request or job: not BullMQ's polling. Never the values.
      return new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command });
    }
  }
}

/**
 * A service's composition root starts tracing with this, before it loads anything else: a bad OTEL_* value
 * stops the service with one line, as any other bad setting does.
 */
export function startServiceTracing(defaults: { serviceName: string; instrumentations: readonly InstrumentationName[] }): Tracing | null {
  try {
    return startTracing(defaults);
  } catch (error) {
    process.stderr.write(`${defaults.serviceName} failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

/** Flushes and stops, waiting at most `timeoutMs`: an unreachable collector must not hold up a shutdown. */
export async function stopTracing(tracing: Tracing | null, timeoutMs = 2000): Promise<void> {
  if (!tracing) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs).unref()));
  await Promise.race([tracing.shutdown().catch(() => undefined), late]);
  clearTimeout(timer);
}
