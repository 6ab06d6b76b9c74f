import { randomUUID } from 'node:crypto';
import type { JobData } from '@wab/shared';
import { ghlInboundMessage } from '../support/ingest-harness';
import { finishedRun, startSystem, type System } from '../support/system';

/**
 * WhatsApp's 24-hour window: a message whose answer would go out 25 hours after the customer wrote (held up by
 * an outage) is never sent free-form. The job waits with no worker running; its receivedAt is then set back 25
 * hours, as if the outage had lasted that long, and a worker starts.
 */
const EVERY_DAY = { timeZone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '17:00' };

async function heldFor25Hours(system: System, text: string) {
  const contactId = `c_${randomUUID().slice(0, 8)}`;
  const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  await system.ghl.seedContact({ id: contactId, phone, name: 'Wendy' });
  const res = await system.ingest.post(ghlInboundMessage({ contactId, from: phone, body: text }));
  expect(res.status).toBe(202);
  const runId = res.body!.workflow_run_id as string;
  const job = (await system.ingest.queue.getJob(runId))!;
  await job.updateData({ ...(job.data as JobData), receivedAt: new Date(Date.now() - 25 * 3600_000).toISOString() });
  return { contactId, runId };
}

const finished = finishedRun;

describe('without a window-closed workflow', () => {
  let system: System;
  beforeAll(async () => {
    system = await startSystem({ workers: 0, ghl: { businessHours: EVERY_DAY } });
  });
  afterAll(() => system.close());

  it('a reply due 25 hours after the customer wrote is not sent; the run says window_closed', async () => {
    const { contactId, runId } = await heldFor25Hours(system, 'I need SEO, budget $3000, tomorrow at 3pm');
    const worker = await system.addWorker();
    const run = await finished(system, runId);
    expect(run).toMatchObject({ final_state: 'completed', reply: null, result: { action: 'window_closed', booking_created: true } });
    expect(await system.ghl.sentMessages(contactId)).toEqual([]);
    expect(await system.ghl.workflowEnrolments(contactId)).toEqual([]);
    expect(await worker.metrics.registry.getSingleMetricAsString('whatsapp_window_closed_total')).toMatch(/instead="none"} 1/);
  });
});

describe('with GHL_WINDOW_CLOSED_WORKFLOW_ID', () => {
  let system: System;
  beforeAll(async () => {
    system = await startSystem({ workers: 0, ghl: { businessHours: EVERY_DAY }, env: { GHL_WINDOW_CLOSED_WORKFLOW_ID: 'wf_template_reply' } });
  });
  afterAll(() => system.close());

  it('the contact is enrolled in the workflow exactly once, even when GHL’s answer is lost; nothing free-form is sent', async () => {
    await system.ghl.injectFaults({ endpoint: 'addContactToWorkflow', responses: ['drop-after-effect'] });
    const { contactId, runId } = await heldFor25Hours(system, 'hola, necesito una web');
    await system.addWorker();
    expect(await finished(system, runId)).toMatchObject({ final_state: 'waiting_for_customer', reply: null, result: { action: 'window_closed' } });
    expect(await system.ghl.workflowEnrolments(contactId)).toEqual([expect.objectContaining({ contactId, workflowId: 'wf_template_reply' })]);
    expect(await system.ghl.sentMessages(contactId)).toEqual([]);
  });

  it('a message inside the window is answered as usual', async () => {
    const contactId = `c_${randomUUID().slice(0, 8)}`;
    const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    await system.ghl.seedContact({ id: contactId, phone, name: 'Walt' });
    const res = await system.ingest.post(ghlInboundMessage({ contactId, from: phone, body: 'Hi, I need marketing help' }), { query: '?wait=20' });
    expect(res.body).toMatchObject({ final_state: 'waiting_for_customer' });
    expect(await system.ghl.sentMessages(contactId)).toHaveLength(1);
    expect(await system.ghl.workflowEnrolments(contactId)).toEqual([]);
  });
});
