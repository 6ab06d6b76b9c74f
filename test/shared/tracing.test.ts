import { jobDataSchema, createLogger, traceContextOf, jobTraceParent } from '@wab/shared';
import { stopTracing, tracingSettings } from '../../shared/src/tracing/sdk';

const defaults = { serviceName: 'whatsapp-booking-ingest', instrumentations: [] as const };

describe('tracing settings, from the standard OTEL_* variables only', () => {
  it('is off without an endpoint, or when OTEL_SDK_DISABLED says so', () => {
    expect(tracingSettings({}, defaults)).toBeNull();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, defaults)).toBeNull();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, defaults)).toBeNull();
  });

  it('is on with either endpoint, http/protobuf by default, under the service default name', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, defaults)).toEqual({
      protocol: 'http/protobuf',
      serviceName: 'whatsapp-booking-ingest',
      instrumentations: [],
    });
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'booking-eu' }, defaults),
    ).toMatchObject({ protocol: 'http/json', serviceName: 'booking-eu' });
  });

  it('refuses an unsupported protocol or instrumentation by naming the variable, never its value', () => {
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, defaults)).toThrow(
      'Invalid configuration: OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json',
    );
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,pg' }, defaults)).toThrow(
      /^Invalid configuration: OTEL_NODE_ENABLED_INSTRUMENTATIONS may list http, express, ioredis$/,
    );
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http, ioredis' }, defaults)?.instrumentations).toEqual(['http', 'ioredis']);
  });

  it('waits for a hung shutdown no longer than its bound', async () => {
    const started = Date.now();
    await stopTracing({ settings: tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, defaults)!, shutdown: () => new Promise(() => undefined) }, 100);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('trace context in job data', () => {
  const job = {
    runId: 'run_1',
    requestId: 'req_1',
    receivedAt: '2026-01-01T00:00:00.000Z',
    format: 'reference',
    eventType: 'message',
    locationId: null,
    contactKey: null,
    event: { kind: 'message_status', messageId: 'm1', status: 'read', at: null },
  };

  it('keeps jobs queued before tracing valid, and checks a carried traceparent', () => {
    expect(jobDataSchema.safeParse(job).success).toBe(true);
    expect(jobDataSchema.safeParse({ ...job, traceContext: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'a=b' } }).success).toBe(true);
    expect(jobDataSchema.safeParse({ ...job, traceContext: { traceparent: 'not a traceparent' } }).success).toBe(false);
  });

  it('carries nothing while the SDK is off, and a job without context starts at the root', () => {
    expect(traceContextOf()).toBeUndefined();
    expect(jobTraceParent(undefined).links).toEqual([]);
  });
});

it('adds no trace ids to log lines while tracing is off', () => {
  const lines: string[] = [];
  const logger = createLogger('worker', 'info', { write: (line: string) => void lines.push(line) });
  logger.info('hello');
  expect(JSON.parse(lines[0])).not.toHaveProperty('trace_id');
});
