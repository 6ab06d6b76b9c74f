import { startOpenAIDouble, type OpenAIDouble } from '../support/openai-double';
import { eventually } from '../support/redis';
import { finishedRun, seededCustomer, startSystem, type System } from '../support/system';

const finished = finishedRun;

describe('GHL failures', () => {
  let system: System;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system.close());

  it('GHL answering 429, then 500, then success: exactly one appointment and one confirmation', async () => {
    const c = await seededCustomer(system, 'Rita');
    await system.ghl.injectFaults({ endpoint: 'createAppointment', responses: [{ status: 429, retryAfterSeconds: 1 }, 500] });
    await system.ghl.injectFaults({ endpoint: 'sendMessage', responses: [{ status: 429, retryAfterSeconds: 1 }, 500] });
    const res = await c.post('I need marketing, budget $3000, tomorrow at 10am');
    expect(res.status).toBe(200);
    const run = await finished(system, res.body!.workflow_run_id);
    expect(run).toMatchObject({ final_state: 'completed', result: { booking_created: true } });
    expect(run.attempts).toBeGreaterThan(1);
    expect(await c.appointments()).toHaveLength(1);
    expect(await c.replies()).toHaveLength(1);
  });

  it('a create whose answer was lost is found in GHL, not made twice', async () => {
    const c = await seededCustomer(system, 'Lola');
    await system.ghl.injectFaults({ endpoint: 'createAppointment', responses: ['drop-after-effect'] });
    await system.ghl.injectFaults({ endpoint: 'sendMessage', responses: ['drop-after-effect'] });
    const res = await c.post('I need SEO, budget $3000, tomorrow at 1pm');
    const run = await finished(system, res.body!.workflow_run_id);
    expect(run.final_state).toBe('completed');
    expect(await c.appointments()).toHaveLength(1);
    expect(await c.replies()).toHaveLength(1);
    expect(run.result.appointment_id).toBe((await c.appointments())[0].id);
  });

  it('a permanent GHL error fails the run visibly with GHL_API_ERROR, and it can be replayed', async () => {
    const c = await seededCustomer(system, 'Pia');
    await system.ghl.injectFaults({ endpoint: 'freeSlots', responses: [{ status: 422, message: 'Calendar is misconfigured' }] });
    const res = await c.post('I need branding, budget $3000');
    expect(res.status).toBe(502);
    expect(res.body!.error).toMatchObject({ code: 'GHL_API_ERROR', message: expect.stringMatching(/misconfigured/) });
    const runId = res.body!.error.details.workflow_run_id;
    expect((await system.ingest.get(`/runs/${runId}`)).body).toMatchObject({ final_state: 'failed', error: { code: 'GHL_API_ERROR' } });
    const job = await system.ingest.queue.getJob(runId);
    expect(await job!.getState()).toBe('failed');
    await job!.retry();
    expect(await finished(system, runId).then(async () => eventually(async () => {
      const run = (await system.ingest.get(`/runs/${runId}`)).body;
      if (run.final_state === 'failed') throw new Error('not replayed yet');
      return run.final_state;
    }))).toBe('completed');
    expect(await c.appointments()).toHaveLength(1);
  });
});

describe('bursts', () => {
  let system: System;
  beforeAll(async () => {
    system = await startSystem({ env: { BURST_WINDOW_MS: '400' } });
  });
  afterAll(() => system.close());

  it('two messages 50 ms apart are answered as one coherent turn, with one booking', async () => {
    const c = await seededCustomer(system, 'Bea');
    const first = await c.post('I need help with marketing, budget 2500', '');
    await new Promise((r) => setTimeout(r, 50)); // the customer's own pace, not a wait for the system
    const second = await c.post('tomorrow at 4pm please', '');
    const [a, b] = await Promise.all([finished(system, first.body!.workflow_run_id), finished(system, second.body!.workflow_run_id)]);
    expect(a.final_state).toBe('completed');
    expect(b).toMatchObject({ final_state: 'completed', nodes_executed: a.nodes_executed, result: a.result });
    expect(await c.replies()).toHaveLength(1);
    const appointments = await c.appointments();
    expect(appointments).toHaveLength(1);
    expect(new Date(appointments[0].startTime).getUTCHours()).toBe(16);
  });
});

describe('the model failing', () => {
  let system: System;
  let openai: OpenAIDouble;
  beforeAll(async () => {
    openai = await startOpenAIDouble();
    system = await startSystem({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.url, OPENAI_TIMEOUT_MS: '300' } });
  });
  afterAll(async () => {
    await system.close();
    await openai.close();
  });

  /** A message the heuristic cannot fully read, so the model is asked. */
  const unclear = 'hey so my cousin told me you folks could sort out the online presence of my bakery';

  it.each([
    ['down (500)', () => openai.failWith(500, 2)],
    ['slow (past the timeout)', () => (openai.delayMs = 2000)],
    ['answering garbage', () => openai.garbage()],
  ])('when the model is %s, the customer still gets an answer', async (_name, breakIt) => {
    breakIt();
    const c = await seededCustomer(system, 'Gus');
    const before = openai.requests.length;
    const res = await c.post(unclear);
    expect(res.status).toBe(200);
    expect(openai.requests.length).toBeGreaterThan(before);
    expect(await c.replies()).toHaveLength(1);
    openai.delayMs = 0;
    openai.respondWith({});
  });

  it('uses the model’s reading when it works', async () => {
    openai.respondWith({ intent: 'provide_info', language: 'en', goal: 'website', name: null, budget: null, email: null, preferredTime: null, slotChoice: null });
    const c = await seededCustomer(system, 'Ivy');
    await c.post(unclear);
    expect((await c.replies())[0]).toMatch(/budget do you have in mind for website/);
  });
});
