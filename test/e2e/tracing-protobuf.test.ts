import { startTracing, stopTracing, type Tracing } from '../../shared/src/tracing/sdk';
import { referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { eventually } from '../support/redis';

let receiver: OtlpReceiver;
let tracing: Tracing | null;
let ingest: Ingest;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_SERVICE_NAME: 'protobuf-probe',
    OTEL_BSP_SCHEDULE_DELAY: '50',
  });
  tracing = startTracing({ serviceName: 'whatsapp-booking-test', instrumentations: [] });
  ingest = await startIngest({ RATE_LIMIT_PER_IP: '0' });
});

afterAll(async () => {
  await ingest?.close();
  await stopTracing(tracing);
  await receiver?.close();
});

it('exports OTLP/protobuf to the traces endpoint, under OTEL_SERVICE_NAME', async () => {
  expect(tracing?.settings).toMatchObject({ protocol: 'http/protobuf', serviceName: 'protobuf-probe' });
  expect((await ingest.post(referenceMessage({ id: 'protobuf-1' }))).status).toBe(202);
  // Protobuf strings are their UTF-8 bytes: the span's and the service's names show in the body.
  const request = await eventually(() => {
    const found = receiver.requests.find((r) => r.body.includes('POST /webhook'));
    if (!found) throw new Error('no protobuf export with the webhook span yet');
    return found;
  });
  expect(request.contentType).toBe('application/x-protobuf');
  expect(request.body.includes('protobuf-probe')).toBe(true);
  expect(request.body.includes('marketing')).toBe(false);
});
