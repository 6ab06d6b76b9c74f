import { HeuristicUnderstander } from '../../../services/worker/src/understanding/heuristic';
import {
  OpenAIUnderstander,
  createOpenAIClient,
  type OpenAICallReport,
} from '../../../services/worker/src/understanding/openai';
import type { Understanding, UnderstandingContext } from '../../../services/worker/src/understanding/understanding';
import { startOpenAIDouble, type OpenAIDouble } from '../../support/openai-double';

/** Thursday 2026-11-26, 09:00 in New York. */
const NOW = new Date('2026-11-26T14:00:00Z');
const SLOTS = ['2026-11-27T14:00:00Z', '2026-11-27T16:00:00Z', '2026-11-30T20:00:00Z'];

function ctx(overrides: Partial<UnderstandingContext> = {}): UnderstandingContext {
  return { now: NOW, timeZone: 'America/New_York', offeredSlots: [], previousLanguage: null, ...overrides };
}

/** A message the heuristic cannot fully read (so the model is asked). */
const VAGUE = "I want to grow my bakery's online presence and reach more families in my area";

function modelAnswer(overrides: Partial<Record<keyof Understanding, unknown>> = {}) {
  return {
    intent: 'provide_info',
    language: 'en',
    name: null,
    goal: null,
    budget: null,
    email: null,
    preferredTime: null,
    slotChoice: null,
    ...overrides,
  };
}

describe('OpenAIUnderstander against the OpenAI double', () => {
  let double: OpenAIDouble;
  let calls: OpenAICallReport[];
  const heuristic = new HeuristicUnderstander();

  const build = (clientOptions: { timeout?: number; maxRetries?: number } = {}) =>
    new OpenAIUnderstander({
      client: createOpenAIClient({ apiKey: 'test-key', baseURL: double.url, ...clientOptions }),
      model: 'gpt-4o-mini',
      fallback: heuristic,
      onCall: (report) => calls.push(report),
    });

  beforeEach(async () => {
    double = await startOpenAIDouble();
    calls = [];
  });

  afterEach(async () => {
    await double.close();
  });

  it('skips the model entirely when the heuristic is confident', async () => {
    const understander = build();
    const texts = [
      "Hi, I'm Ana. I need help with SEO, my budget is $2,000 and I'm free next Tuesday morning.",
      'STOP',
      'Click here to win free money http://win.example.com',
      'cancel my appointment',
    ];
    for (const text of texts) {
      expect(await understander.understand(text, ctx())).toEqual(await heuristic.understand(text, ctx()));
    }
    expect(await understander.understand('the second one', ctx({ offeredSlots: SLOTS }))).toMatchObject({
      intent: 'choose_slot',
      slotChoice: 1,
    });
    expect(double.requests).toHaveLength(0);
    expect(calls).toHaveLength(0);
  });

  it('lets the model fill a field the heuristic missed, with one call carrying the context', async () => {
    double.respondWith(modelAnswer({ goal: 'grow online presence for a bakery', name: null }));
    const before = await heuristic.understand(VAGUE, ctx());
    expect(before).toMatchObject({ goal: null, intent: 'other', confident: false });

    const u = await build().understand(VAGUE, ctx({ offeredSlots: SLOTS }));

    expect(u).toMatchObject({ intent: 'provide_info', language: 'en', goal: 'grow online presence for a bakery' });
    expect(double.requests).toHaveLength(1);
    const request = double.requests[0];
    expect(request.model).toBe('gpt-4o-mini');
    expect(request.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'understanding', strict: true } });
    const system = String(request.messages.find((m) => m.role === 'system')?.content);
    expect(system).toContain('America/New_York');
    expect(system).toContain('2026-11-26T09:00:00-05:00');
    expect(system).toContain('1: 2026-11-27T11:00:00-05:00');
    expect(system).toMatch(/never write a reply/i);
    expect(request.messages.find((m) => m.role === 'user')?.content).toBe(VAGUE);
    expect(calls).toEqual([{ ok: true, tokens: expect.any(Number) }]);
    expect(calls[0].tokens).toBeGreaterThan(0);
  });

  it('keeps the heuristic value where it found one and fills only the gaps', async () => {
    const text = "My budget is $2,000 but I'm not sure what my bakery really needs, maybe more people walking in";
    const before = await heuristic.understand(text, ctx());
    expect(before).toMatchObject({ budget: { amount: 2000 }, confident: false });
    double.respondWith(
      modelAnswer({
        budget: { amount: 5000, currency: 'USD', text: '5k' },
        goal: 'more foot traffic',
        preferredTime: {
          from: '2026-11-27T15:00:00-05:00',
          to: '2026-11-27T16:00:00-05:00',
          precision: 'exact',
          text: 'tomorrow 3pm',
        },
      }),
    );
    const u = await build().understand(text, ctx());
    expect(u.budget).toEqual({ amount: 2000, currency: 'USD', text: '$2,000' });
    expect(u.goal).toBe('more foot traffic');
    expect(u.preferredTime).toEqual({
      from: '2026-11-27T15:00:00-05:00',
      to: '2026-11-27T16:00:00-05:00',
      precision: 'exact',
      text: 'tomorrow 3pm',
    });
    expect(double.requests).toHaveLength(1);
  });

  it('normalises a valid model time to the business zone offset', async () => {
    double.respondWith(
      modelAnswer({
        preferredTime: { from: '2026-11-27T20:00:00Z', to: '2026-11-27T21:00:00Z', precision: 'exact', text: 'x' },
      }),
    );
    const u = await build().understand(VAGUE, ctx());
    expect(u.preferredTime).toMatchObject({ from: '2026-11-27T15:00:00-05:00', to: '2026-11-27T16:00:00-05:00' });
  });

  it('accepts a model slot choice inside the offered range', async () => {
    double.respondWith(modelAnswer({ intent: 'choose_slot', slotChoice: 2 }));
    const text = 'hmm I guess whichever one is on the day after the weekend would suit my kids schedule';
    expect(await heuristic.understand(text, ctx({ offeredSlots: SLOTS }))).toMatchObject({ confident: false });
    const u = await build().understand(text, ctx({ offeredSlots: SLOTS }));
    expect(u).toMatchObject({ intent: 'choose_slot', slotChoice: 2 });
  });

  it('a model 500 (after the client\'s single retry) gives the heuristic answer', async () => {
    double.failWith(500, Number.POSITIVE_INFINITY, { retryAfterMs: 0 });
    const u = await build().understand(VAGUE, ctx());
    expect(u).toEqual(await heuristic.understand(VAGUE, ctx()));
    expect(double.requests).toHaveLength(2); // one parse() call, maxRetries: 1
    expect(calls).toEqual([{ ok: false, reason: 'http_500' }]);
  });

  it('a single 500 is absorbed by the retry and the model answer is used', async () => {
    double.failWith(503, 1, { retryAfterMs: 0 });
    double.respondWith(modelAnswer({ goal: 'bakery growth' }));
    const u = await build().understand(VAGUE, ctx());
    expect(u.goal).toBe('bakery growth');
    expect(double.requests).toHaveLength(2);
    expect(calls).toEqual([{ ok: true, tokens: expect.any(Number) }]);
  });

  it('makes exactly one HTTP request per understand() without retries', async () => {
    double.failWith(429, Number.POSITIVE_INFINITY);
    const understander = build({ maxRetries: 0 });
    const u = await understander.understand(VAGUE, ctx());
    expect(u).toEqual(await heuristic.understand(VAGUE, ctx()));
    expect(double.requests).toHaveLength(1);
    expect(calls).toEqual([{ ok: false, reason: 'http_429' }]);
  });

  it('a model slower than the client timeout gives the heuristic answer', async () => {
    double.delayMs = 5000;
    double.respondWith(modelAnswer({ goal: 'too late' }));
    const started = Date.now();
    const u = await build({ timeout: 150, maxRetries: 0 }).understand(VAGUE, ctx());
    expect(Date.now() - started).toBeLessThan(4000);
    expect(u).toEqual(await heuristic.understand(VAGUE, ctx()));
    expect(u.goal).toBeNull();
    expect(double.requests).toHaveLength(1);
    expect(calls).toEqual([{ ok: false, reason: 'timeout' }]);
  });

  it('an unreachable API gives the heuristic answer', async () => {
    const url = double.url;
    await double.close();
    const understander = new OpenAIUnderstander({
      client: createOpenAIClient({ apiKey: 'test-key', baseURL: url, maxRetries: 0 }),
      model: 'gpt-4o-mini',
      fallback: heuristic,
      onCall: (report) => calls.push(report),
    });
    expect(await understander.understand(VAGUE, ctx())).toEqual(await heuristic.understand(VAGUE, ctx()));
    expect(calls).toEqual([{ ok: false, reason: 'connection' }]);
  });

  it('garbage content gives the heuristic answer', async () => {
    double.garbage();
    const u = await build().understand(VAGUE, ctx());
    expect(u).toEqual(await heuristic.understand(VAGUE, ctx()));
    expect(double.requests).toHaveLength(1);
    expect(calls).toEqual([{ ok: false, reason: 'unparseable' }]);
  });

  it('off-schema output (an intent that does not exist) gives the heuristic answer', async () => {
    double.respondWith(modelAnswer({ intent: 'buy_now', goal: 'should not be used' }));
    const u = await build().understand(VAGUE, ctx());
    expect(u).toEqual(await heuristic.understand(VAGUE, ctx()));
    expect(calls).toEqual([{ ok: false, reason: 'schema' }]);
  });

  it('a refusal gives the heuristic answer', async () => {
    double.refuse("I'm sorry, I can't help with that.");
    const u = await build().understand(VAGUE, ctx());
    expect(u).toEqual(await heuristic.understand(VAGUE, ctx()));
    expect(calls).toEqual([{ ok: false, reason: 'refusal', tokens: expect.any(Number) }]);
  });

  it('drops invalid model values field by field and keeps the valid ones', async () => {
    double.respondWith(
      modelAnswer({
        goal: 'bakery marketing',
        name: '12345',
        email: 'not-an-email',
        budget: { amount: -50, currency: 'USD', text: 'minus fifty' },
        preferredTime: { from: 'next tuesday', to: 'later', precision: 'exact', text: 'next tuesday' },
        slotChoice: 7,
        intent: 'choose_slot',
      }),
    );
    const u = await build().understand(VAGUE, ctx({ offeredSlots: SLOTS }));
    expect(u).toMatchObject({
      goal: 'bakery marketing',
      name: null,
      email: null,
      budget: null,
      preferredTime: null,
      slotChoice: null,
    });
    expect(u.intent).not.toBe('choose_slot'); // no valid index → not a choice
    expect(calls).toEqual([
      { ok: true, tokens: expect.any(Number), reason: 'rejected:name,budget,email,preferredTime,slotChoice' },
    ]);
  });

  it.each([
    ['a time without offset', { from: '2026-11-27T15:00:00', to: '2026-11-27T16:00:00', precision: 'exact', text: 'x' }],
    ['a time in the past', { from: '2026-11-20T15:00:00-05:00', to: '2026-11-20T16:00:00-05:00', precision: 'exact', text: 'x' }],
    ['an inverted window', { from: '2026-11-27T16:00:00-05:00', to: '2026-11-27T15:00:00-05:00', precision: 'exact', text: 'x' }],
  ])('rejects %s', async (_label, preferredTime) => {
    double.respondWith(modelAnswer({ preferredTime, budget: { amount: 0, currency: 'dollars!', text: '' } }));
    const u = await build().understand(VAGUE, ctx());
    expect(u.preferredTime).toBeNull();
    expect(u.budget).toBeNull();
    expect(calls[0]).toMatchObject({ ok: true, reason: 'rejected:budget,preferredTime' });
  });

  it('never lets the model turn a real message into spam', async () => {
    double.respondWith(modelAnswer({ intent: 'spam' }));
    const u = await build().understand(VAGUE, ctx());
    expect(u.intent).toBe((await heuristic.understand(VAGUE, ctx())).intent);
  });

  it('makes exactly one call per understand(), also concurrently', async () => {
    double.respondWith((body) => modelAnswer({ goal: `goal for: ${String(body.messages.at(-1)?.content).slice(0, 12)}` }));
    const understander = build();
    const texts = [VAGUE, `${VAGUE} soon`, `${VAGUE} please`];
    const results = await Promise.all(texts.map((t) => understander.understand(t, ctx())));
    expect(double.requests).toHaveLength(3);
    expect(results.map((r) => r.goal)).toEqual(texts.map((t) => `goal for: ${t.slice(0, 12)}`));
    expect(calls).toHaveLength(3);
  });
});
