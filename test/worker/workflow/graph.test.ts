import { MemorySaver } from '@langchain/langgraph';
import { buildBookingGraph } from '../../../services/worker/src/workflow/graph';
import type { BookResult, CalendarPort, ContactsPort, WorkflowPorts } from '../../../services/worker/src/workflow/ports';
import { turnInput, type Conversation, type TurnContact } from '../../../services/worker/src/workflow/state';
import { HeuristicUnderstander } from '../../../services/worker/src/understanding/heuristic';

/** In-memory ports: the graph's own logic under test, with a calendar of half-hour slots 09:00-17:00 UTC. */
function memoryPorts(overrides: Partial<WorkflowPorts['rules']> = {}) {
  const booked: { contactId: string; startTime: string }[] = [];
  const moved: { appointmentId: string; startTime: string }[] = [];
  const cancelled: string[] = [];
  const tags = new Map<string, Set<string>>();
  const taken = new Set<number>();
  /** Slots listed as free but booked by someone else by the time we ask (the race between list and book). */
  const takenMeanwhile = new Set<number>();
  const calendar: CalendarPort = {
    bookedInTurn: async () => null,
    slotMinutes: async () => 30,
    freeSlots: async (fromMs, toMs) => {
      const slots: string[] = [];
      const day = new Date(fromMs);
      day.setUTCHours(0, 0, 0, 0);
      for (let t = day.getTime(); t < toMs; t += 30 * 60_000) {
        const h = new Date(t).getUTCHours();
        const dow = new Date(t).getUTCDay();
        if (t >= fromMs && h >= 9 && h < 17 && dow !== 0 && dow !== 6 && !taken.has(t)) slots.push(new Date(t).toISOString());
      }
      return slots;
    },
    book: async ({ contactId, startTime }): Promise<BookResult> => {
      if (taken.has(Date.parse(startTime)) || takenMeanwhile.has(Date.parse(startTime))) return { ok: false, reason: 'slot_taken' };
      taken.add(Date.parse(startTime));
      booked.push({ contactId, startTime });
      return { ok: true, appointmentId: `apt_${booked.length}`, startTime };
    },
    movedInTurn: async () => null,
    move: async ({ appointmentId, startTime }): Promise<BookResult> => {
      if (taken.has(Date.parse(startTime)) || takenMeanwhile.has(Date.parse(startTime))) return { ok: false, reason: 'slot_taken' };
      taken.add(Date.parse(startTime));
      moved.push({ appointmentId, startTime });
      return { ok: true, appointmentId, startTime };
    },
    cancel: async ({ appointmentId }) => {
      cancelled.push(appointmentId);
      return { ok: true, appointmentId };
    },
  };
  const contacts: ContactsPort = {
    describe: async () => null,
    ensureContact: async (c) => c.contactId ?? `c_${c.phone}`,
    saveLearned: async () => undefined,
    addTags: async (id, t) => void t.forEach((x) => (tags.get(id) ?? tags.set(id, new Set()).get(id)!).add(x)),
    removeTags: async (id, t) => void t.forEach((x) => tags.get(id)?.delete(x)),
  };
  const ports: WorkflowPorts = {
    understander: new HeuristicUnderstander(),
    calendar,
    contacts,
    rules: { minBudget: 500, services: [], minNoticeMinutes: 60, maxDaysAhead: 60, timeZone: 'UTC', currency: 'USD', ...overrides },
  };
  return { ports, booked, moved, cancelled, tags, taken, takenMeanwhile };
}

// A Monday morning, so "tomorrow" is a weekday.
const NOW = new Date('2026-11-30T08:00:00Z');
const contact: TurnContact = { contactId: 'contact_123', phone: '+1234567890', name: null, email: null, timezone: null };

function conversation(ports: WorkflowPorts) {
  const graph = buildBookingGraph(ports, new MemorySaver());
  let turn = 0;
  return async (message: string, extra: Partial<TurnContact> = {}) => {
    const nodes: string[] = [];
    const config = { configurable: { thread_id: 'thread-1' }, streamMode: 'updates' as const };
    for await (const chunk of await graph.stream(turnInput({ turnId: `t${++turn}`, message, now: NOW, contact: { ...contact, ...extra } }), config)) {
      nodes.push(...Object.keys(chunk));
    }
    const state = (await graph.getState({ configurable: { thread_id: 'thread-1' } })).values as Conversation;
    return { nodes, state };
  };
}

describe('booking graph', () => {
  it('books the reference example in one turn: triage → collect → validate → book', async () => {
    const { ports, booked, tags } = memoryPorts();
    const say = conversation(ports);
    const { nodes, state } = await say('Hi, I need help with marketing. My budget is $2000', { name: 'John Doe' });
    expect(nodes).toEqual(['triage', 'collect', 'validate', 'book']);
    expect(state.outcome).toBe('completed');
    expect(booked).toEqual([{ contactId: 'contact_123', startTime: '2026-11-30T09:00:00.000Z' }]);
    expect(state.reply).toMatch(/John Doe/);
    expect(state.reply).toMatch(/9:00/);
    expect(tags.get('contact_123')).toEqual(new Set(['booked']));
  });

  it('asks only for what is missing, one question at a time, and books within three more messages', async () => {
    const { ports, booked } = memoryPorts();
    const say = conversation(ports);
    let turn = await say('Hi');
    expect(turn.state).toMatchObject({ outcome: 'waiting_for_customer' });
    expect(turn.state.reply).toMatch(/help you with/);
    turn = await say('I need SEO');
    expect(turn.state.reply).toMatch(/budget/i);
    turn = await say('around 3k');
    expect(turn.state.reply).toMatch(/name/i);
    turn = await say("I'm Ana, tomorrow at 3pm please");
    expect(turn.state.outcome).toBe('completed');
    expect(booked).toEqual([{ contactId: 'contact_123', startTime: '2026-12-01T15:00:00.000Z' }]);
  });

  it('asks for the amount in the business currency when the budget is in another one, and compares only that', async () => {
    const { ports, booked } = memoryPorts();
    const say = conversation(ports);
    let turn = await say('I need marketing, my budget is 3 mil pesos', { name: 'Lu' });
    expect(turn.state.outcome).toBe('waiting_for_customer');
    expect(turn.state.reply).toMatch(/USD/);
    expect(turn.state.budget).toBeNull(); // 3,000 pesos is not 3,000 USD
    turn = await say('€2500 then');
    expect(turn.state.reply).toMatch(/USD/);
    turn = await say('ok, 1500 dollars');
    expect(turn.state.outcome).toBe('completed');
    expect(turn.state.budget).toBe(1500);
    expect(booked).toHaveLength(1);
  });

  it('asks for text when a message has none (emoji only)', async () => {
    const { ports, booked } = memoryPorts();
    const { state } = await conversation(ports)('👍🙏');
    expect(state.outcome).toBe('waiting_for_customer');
    expect(state.reply).toMatch(/write it in a text message/);
    expect(booked).toHaveLength(0);
  });

  it('refuses a low budget politely, saying what would work', async () => {
    const { ports, booked } = memoryPorts();
    const { nodes, state } = await conversation(ports)('I need marketing, budget $100', { name: 'Bo' });
    expect(nodes).toEqual(['triage', 'collect', 'validate']);
    expect(state.outcome).toBe('rejected');
    expect(state.reply).toMatch(/\$500/);
    expect(booked).toHaveLength(0);
  });

  it('offers the nearest free slots when the wanted one is taken, and books the one chosen', async () => {
    const { ports, booked, taken } = memoryPorts();
    taken.add(Date.parse('2026-12-01T15:00:00Z'));
    const say = conversation(ports);
    const first = await say('Marketing, budget 2000 USD, tomorrow at 3pm', { name: 'Ana' });
    expect(first.state.outcome).toBe('waiting_for_customer');
    expect(first.state.offeredSlots).toEqual(['2026-12-01T14:00:00.000Z', '2026-12-01T14:30:00.000Z', '2026-12-01T15:30:00.000Z']);
    const second = await say('the second one');
    expect(second.state.outcome).toBe('completed');
    expect(booked.map((b) => b.startTime)).toEqual(['2026-12-01T14:30:00.000Z']);
  });

  it('books the next free slot when the first one is taken between listing and booking (no exact time asked)', async () => {
    const { ports, booked, takenMeanwhile } = memoryPorts();
    takenMeanwhile.add(Date.parse('2026-11-30T09:00:00Z'));
    const { state } = await conversation(ports)('Marketing help, budget $2000', { name: 'Eve' });
    expect(state.outcome).toBe('completed');
    expect(booked.map((b) => b.startTime)).toEqual(['2026-11-30T09:30:00.000Z']);
  });

  it('drops spam silently and stops after STOP until START', async () => {
    const { ports, tags } = memoryPorts();
    const say = conversation(ports);
    expect((await say('YOU WON a free iPhone!!! click here http://bit.ly/x')).state).toMatchObject({ outcome: 'ignored', reply: null });
    const stop = await say('STOP');
    expect(stop.state).toMatchObject({ outcome: 'completed', optedOut: true });
    expect(tags.get('contact_123')).toEqual(new Set(['opted-out']));
    expect((await say('hello?')).state).toMatchObject({ outcome: 'ignored', reply: null });
    const start = await say('START');
    expect(start.state.optedOut).toBe(false);
    expect(start.state.reply).toMatch(/^Welcome back! /);
    expect(tags.get('contact_123')).toEqual(new Set());
  });

  it('talks Spanish to a Spanish speaker', async () => {
    // A business that works in euros: "2000 euros" is then its own currency (in USD it would be asked again).
    const { ports, booked } = memoryPorts({ currency: 'EUR' });
    const say = conversation(ports);
    expect((await say('Hola, necesito ayuda con marketing')).state.reply).toMatch(/presupuesto/);
    expect((await say('unos 2000 euros')).state.reply).toMatch(/llamas/);
    const done = await say('Me llamo Lucía, el martes por la tarde');
    expect(done.state.outcome).toBe('completed');
    expect(done.state.reply).toMatch(/Listo, Lucía/);
    expect(booked[0].startTime).toBe('2026-12-01T12:00:00.000Z');
  });
});

describe('changing the booked appointment', () => {
  it('applies the business rules to the new time: a past or too distant one is refused and nothing moves', async () => {
    const { ports, booked, moved } = memoryPorts({ maxDaysAhead: 30 });
    const say = conversation(ports);
    await say('SEO, budget $2000, tomorrow at 10am', { name: 'Ana' });
    expect(booked.map((b) => b.startTime)).toEqual(['2026-12-01T10:00:00.000Z']);
    const far = await say('can we move it to March 15 at 10am?');
    expect(far.state).toMatchObject({ outcome: 'rejected', booking: { startTime: '2026-12-01T10:00:00.000Z' } });
    expect(far.state.reply).toMatch(/up to 30 days/);
    const past = await say('can we move it to today at 7am?');
    expect(past.state.outcome).toBe('rejected');
    expect(past.state.reply).toMatch(/already passed/);
    expect(moved).toEqual([]);
    const ok = await say('then Thursday at 11');
    expect(ok.state).toMatchObject({ outcome: 'completed', action: 'rescheduled', booking: { appointmentId: 'apt_1', startTime: '2026-12-03T11:00:00.000Z' } });
    expect(moved).toEqual([{ appointmentId: 'apt_1', startTime: '2026-12-03T11:00:00.000Z' }]);
  });

  it('a cancellation asked for and then not confirmed changes nothing; confirmed, it cancels that appointment', async () => {
    const { ports, cancelled, tags } = memoryPorts();
    const say = conversation(ports);
    await say('SEO, budget $2000, tomorrow at 10am', { name: 'Ana' });
    expect((await say('please cancel my booking')).state).toMatchObject({ outcome: 'waiting_for_customer', pendingCancel: true });
    expect((await say('no, keep it')).state).toMatchObject({ pendingCancel: false, booking: { appointmentId: 'apt_1' } });
    expect(cancelled).toEqual([]);
    await say('cancel');
    const yes = await say('yes');
    expect(yes.state).toMatchObject({ action: 'cancelled', booking: null, optedOut: false });
    expect(cancelled).toEqual(['apt_1']);
    expect(tags.get('contact_123')?.has('booked')).toBe(false);
  });
});
