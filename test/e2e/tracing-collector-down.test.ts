import { createServer } from 'node:net';
import { trace } from '@opentelemetry/api';
import { startTracing, stopTracing, type Tracing } from '../../shared/src/tracing/sdk';
import { referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';

// Tracing on, exporting (http/protobuf, the default) to a port where nothing listens.
let tracing: Tracing | null;
let ingest: Ingest;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
    OTEL_BSP_SCHEDULE_DELAY: '10',
    OTEL_EXPORTER_OTLP_TIMEOUT: '3000', // each export's attempts and retries end within this
  });
  tracing = startTracing({ serviceName: 'whatsapp-booking-test', instrumentations: [] });
  ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_PHONE: '0' });
});

afterAll(async () => {
  await ingest?.close();
  await stopTracing(tracing);
});

it('answers webhooks at once while the collector is unreachable, and shuts down within the export timeout', async () => {
  expect(tracing?.settings.protocol).toBe('http/protobuf');
  expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(true);
  const slowest = { ms: 0 };
  for (let i = 0; i < 40; i++) {
    const started = performance.now();
    const res = await ingest.post(referenceMessage({ id: `collector-down-${i}`, from: `+1555000${String(i).padStart(4, '0')}` }));
    slowest.ms = Math.max(slowest.ms, performance.now() - started);
    expect(res.status).toBe(202);
  }
  // Exports failed all along (connection refused); no request waited out an export (a loaded machine can
  // stall any request for a second, so the bound is the export timeout itself, not a guess at speed).
  expect(slowest.ms).toBeLessThan(3000);
  const stopping = performance.now();
  // The last flush fails too, and says why; it does not hang.
  await expect(tracing!.shutdown()).rejects.toThrow(/ECONNREFUSED/);
  expect(performance.now() - stopping).toBeLessThan(2 * 3000);
  tracing = null;
});
