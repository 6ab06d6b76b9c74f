import { trace } from '@opentelemetry/api';
import { createLogger } from '@wab/shared';
import { startTracing, stopTracing, type Tracing } from '../../shared/src/tracing/sdk';
import { referenceMessage } from '../support/ingest-harness';
import { startOpenAIDouble, type OpenAIDouble } from '../support/openai-double';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { eventually } from '../support/redis';
import { OLD_SECRET, TEST_SECRET } from '../support/signing';
import { startSystem, type System } from '../support/system';

// The SDK is global to this file's module registry: started once here, over the whole in-process system
// (ingest and worker), exporting OTLP/JSON to a receiver on loopback.
let receiver: OtlpReceiver;
let openai: OpenAIDouble;
let tracing: Tracing | null;
let system: System;

const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openai = await startOpenAIDouble();
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50', // export within the test's patience, not the default 5 s
  });
  tracing = startTracing({ serviceName: 'whatsapp-booking-test', instrumentations: [] });
  // Every turn asks GHL for its slots, so each test sees its own GHL spans (no shared free-slot cache).
  system = await startSystem({ env: { OPENAI_API_KEY: 'sk-test-openai-key-not-real', OPENAI_BASE_URL: openai.url, GHL_SLOTS_CACHE_MS: '0' } });
});

afterAll(async () => {
  await system?.close();
  await stopTracing(tracing);
  await openai?.close();
  await receiver?.close();
});

async function finishedRun(runId: string) {
  return eventually(async () => {
    const res = await system.ingest.get(`/runs/${runId}`);
    if (!['completed', 'waiting_for_customer', 'rejected', 'ignored', 'failed'].includes(res.body.final_state)) throw new Error(`still ${res.body.final_state}`);
    return res.body;
  }, 20_000);
}

/** The trace of the webhook that queued `runId`, once its job's span and the reply's span have arrived. */
function traceOfRun(runId: string) {
  return receiver.waitForSpans((spans) => {
    const webhook = spans.find((s) => s.name === 'POST /webhook' && s.attributes['wab.run_id'] === runId);
    if (!webhook) throw new Error(`no webhook span for ${runId} yet`);
    const trace = spans.filter((s) => s.traceId === webhook.traceId);
    const job = trace.find((s) => s.name === 'process inbound' && s.attributes['wab.final_state']);
    if (!job || !trace.some((s) => s.name === 'whatsapp send' && s.parentSpanId === job.spanId)) throw new Error('the job has not ended yet');
    return { webhook, job, trace };
  });
}

const childrenOf = (trace: ReceivedSpan[], parent: ReceivedSpan) => trace.filter((s) => s.parentSpanId === parent.spanId);

it('follows one booking from the webhook through the queue, the graph nodes and GHL to the WhatsApp send, in one trace', async () => {
  await system.ghl.seedContact({ id: 'contact_123', name: 'John Doe', phone: '+1234567890' });
  const res = await system.ingest.post(referenceMessage({ id: 'trace-booking-1' }));
  expect(res.status).toBe(202);
  const runId = res.body!.workflow_run_id as string;
  expect(await finishedRun(runId)).toMatchObject({ final_state: 'completed', result: { booking_created: true } });
  const { webhook, job, trace } = await traceOfRun(runId);

  // The webhook's span is the trace's root, in the ingest; the enqueue is its child.
  expect(webhook).toMatchObject({ parentSpanId: '', kind: SPAN_KIND.server, scope: '@wab/ingest', attributes: { 'wab.webhook.outcome': 'accepted', 'http.response.status_code': 202 } });
  const enqueue = childrenOf(trace, webhook).filter((s) => s.name === 'send inbound');
  expect(enqueue).toHaveLength(1);
  expect(enqueue[0]).toMatchObject({ kind: SPAN_KIND.producer, scope: '@wab/ingest', attributes: { 'messaging.system': 'bullmq' } });

  // The job's span, in the worker, continues the webhook's trace and links to its span.
  expect(job).toMatchObject({ parentSpanId: webhook.spanId, kind: SPAN_KIND.consumer, scope: '@wab/worker', attributes: { 'wab.run_id': runId, 'wab.attempt': 1 } });
  expect(job.links).toEqual([expect.objectContaining({ traceId: webhook.traceId, spanId: webhook.spanId })]);

  // Each graph node under the job, in order, and the reply's send after them.
  const underJob = childrenOf(trace, job).filter((s) => !s.name.startsWith('GHL ')); // the contact look-up comes before the graph
  expect(underJob.map((s) => s.name)).toEqual(['node triage', 'node collect', 'node validate', 'node book', 'whatsapp send']);

  // GHL attempts nest under whatever made them: the booking under `book`, the message under the send.
  const node = (name: string) => underJob.find((s) => s.name === name)!;
  const ghl = trace.filter((s) => s.name.startsWith('GHL '));
  for (const call of ghl) {
    expect(call).toMatchObject({ kind: SPAN_KIND.client, scope: '@wab/worker', attributes: { 'ghl.attempt': 1, 'http.response.status_code': expect.any(Number) } });
    expect(call.attributes['ghl.endpoint']).toBe(call.name.slice('GHL '.length));
    expect([job.spanId, ...underJob.map((s) => s.spanId)]).toContain(call.parentSpanId);
  }
  expect(childrenOf(trace, node('node book')).map((s) => s.name)).toContain('GHL createAppointment');
  expect(childrenOf(trace, node('whatsapp send')).map((s) => s.name)).toEqual(['GHL sendMessage']);
  expect(trace.every((s) => s.service === 'whatsapp-booking-test')).toBe(true);

  // No secret, message text or phone number in any attribute, link or status.
  const exported = JSON.stringify(trace.map((s) => ({ attributes: s.attributes, links: s.links, status: s.status, name: s.name })));
  for (const secret of [system.ghl.token, TEST_SECRET, OLD_SECRET, 'sk-test-openai-key-not-real', 'marketing', 'My budget', '1234567890', 'john@example.com', 'John Doe']) {
    expect(exported).not.toContain(secret);
  }
});

it('gives a model call its own span (model, tokens) under the node that asked, with no text', async () => {
  const res = await system.ingest.post(referenceMessage({ id: 'trace-model-1', from: '+15550002222', body: 'well, that is something to think about' }));
  expect(res.status).toBe(202);
  const runId = res.body!.workflow_run_id as string;
  await finishedRun(runId);
  const { job, trace } = await traceOfRun(runId);
  const chats = trace.filter((s) => s.name.startsWith('chat '));
  expect(chats.length).toBeGreaterThan(0);
  const nodes = childrenOf(trace, job).filter((s) => s.name.startsWith('node '));
  for (const chat of chats) {
    expect(chat).toMatchObject({ kind: SPAN_KIND.client, attributes: { 'gen_ai.request.model': expect.any(String), 'gen_ai.usage.input_tokens': expect.any(Number), 'gen_ai.usage.output_tokens': expect.any(Number) } });
    expect(nodes.map((s) => s.spanId)).toContain(chat.parentSpanId);
  }
  expect(openai.requests.length).toBeGreaterThan(0);
  expect(JSON.stringify(trace.map((s) => s.attributes))).not.toMatch(/something to think about|5550002222/);
});

it('names each webhook outcome on its span: duplicate, ignored and refused as well as accepted', async () => {
  const message = referenceMessage({ id: 'trace-outcomes-1', from: '+15550003333' });
  const first = await system.ingest.post(message);
  const again = await system.ingest.post(message);
  const ignored = await system.ingest.post({ ...message, type: 'ContactTagUpdate' });
  const refused = await system.ingest.post(message, { scheme: 'none' });
  expect([first.status, again.status, ignored.status, refused.status]).toEqual([202, 200, 200, 401]);
  expect([again.body?.status, ignored.body?.status]).toEqual(['duplicate', 'ignored']);

  const outcomes = await receiver.waitForSpans((spans) => {
    const webhooks = spans.filter((s) => s.name === 'POST /webhook');
    const runs = new Set([first.body!.workflow_run_id]);
    const byRun = webhooks.filter((s) => runs.has(s.attributes['wab.run_id'] as string)).map((s) => s.attributes['wab.webhook.outcome']);
    const statusOf = (outcome: string) =>
      webhooks.filter((s) => s.attributes['wab.webhook.outcome'] === outcome).map((s) => `${s.attributes['http.response.status_code']} ${s.attributes['wab.error.code'] ?? ''}`.trim());
    const found = { byRun: byRun.sort(), ignored: statusOf('ignored'), refused: statusOf('refused') };
    if (found.byRun.length < 2 || !found.ignored.length || !found.refused.length) throw new Error(`not all webhook spans yet: ${JSON.stringify(found)}`);
    return found;
  });
  expect(outcomes.byRun).toEqual(['accepted', 'duplicate']);
  expect(outcomes.ignored).toContain('200');
  expect(outcomes.refused).toContain('401 UNAUTHORIZED');
});

it('gives each GHL attempt its own span: a 500 then a 200 on the free slots are two spans under the node', async () => {
  await system.ghl.seedContact({ id: 'contact_retry', name: 'Rita Retry', phone: '+1234567001' });
  await system.ghl.injectFaults({ endpoint: 'freeSlots', responses: [500] });
  const body = { ...referenceMessage({ id: 'trace-retry-1', from: '+1234567001' }), contactId: 'contact_retry' };
  const res = await system.ingest.post(body);
  const runId = res.body!.workflow_run_id as string;
  expect(await finishedRun(runId)).toMatchObject({ final_state: 'completed' });
  const { trace } = await traceOfRun(runId);
  const book = trace.find((s) => s.name === 'node book')!;
  const attempts = childrenOf(trace, book)
    .filter((s) => s.name === 'GHL freeSlots')
    .map((s) => [s.attributes['ghl.attempt'], s.attributes['http.response.status_code']])
    .sort((a, b) => Number(a[0]) - Number(b[0]));
  expect(attempts).toEqual([
    [1, 500],
    [2, 200],
  ]);
});

it('names the active span in every log line written inside it', () => {
  const lines: string[] = [];
  const logger = createLogger('worker', 'info', { write: (line: string) => void lines.push(line) });
  const ids = trace.getTracer('log-probe').startActiveSpan('log-probe', (span) => {
    logger.info('inside');
    span.end();
    return span.spanContext();
  });
  logger.info('outside');
  expect(JSON.parse(lines[0])).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
  expect(JSON.parse(lines[1])).not.toHaveProperty('trace_id');
});
