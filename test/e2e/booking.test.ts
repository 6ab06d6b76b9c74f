import { referenceMessage } from '../support/ingest-harness';
import { eventually } from '../support/redis';
import { startSystem, type System } from '../support/system';

let system: System;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system.close());

async function runOf(runId: string) {
  return eventually(async () => {
    const res = await system.ingest.get(`/runs/${runId}`);
    if (!['completed', 'waiting_for_customer', 'rejected', 'ignored', 'failed'].includes(res.body.final_state)) throw new Error(`still ${res.body.final_state}`);
    return res.body;
  }, 20_000);
}

it('books the API reference example in one turn, inside business hours, and confirms on WhatsApp', async () => {
  await system.ghl.seedContact({ id: 'contact_123', name: 'John Doe', phone: '+1234567890' });
  const res = await system.ingest.post(referenceMessage({ id: 'e2e-ref-1' }));
  expect(res.status).toBe(202);
  const run = await runOf(res.body!.workflow_run_id);
  expect(run).toMatchObject({
    final_state: 'completed',
    nodes_executed: ['triage', 'collect', 'validate', 'book'],
    result: { booking_created: true, customer: { name: 'John Doe', goal: expect.stringMatching(/marketing/i), budget: 2000 } },
  });
  const appointments = await system.ghl.appointments();
  expect(appointments).toHaveLength(1);
  const start = new Date(appointments[0].startTime);
  expect(start.getUTCHours()).toBeGreaterThanOrEqual(9);
  expect(start.getUTCHours()).toBeLessThan(17);
  expect(run.result.appointment_id).toBe(appointments[0].id);

  const sent = await eventually(async () => {
    const messages = await system.ghl.sentMessages('contact_123');
    if (messages.length === 0) throw new Error('no reply yet');
    return messages;
  });
  expect(sent).toHaveLength(1);
  expect(sent[0].body).toMatch(/John Doe/);

  const status = (await system.ingest.get('/status')).body;
  expect(status).toMatchObject({ successful_bookings: 1, processed_messages: 1, queue_length: 0, workers: 1 });
});
