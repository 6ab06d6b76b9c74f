import { randomUUID } from 'node:crypto';
import type { BookingWorker } from '../../services/worker/src/worker';
import { nudgeJobId } from '../../services/worker/src/processing/follow-ups';
import { turnKey } from '../../services/worker/src/processing/turn-claim';
import { ghlInboundMessage } from '../support/ingest-harness';
import { eventually } from '../support/redis';
import { bookAsSomeoneElse, startSystem, type System } from '../support/system';

/** Follow-ups after silence, with the delay set to seconds. */
const ALL_DAY = { timeZone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], open: '00:00', close: '23:59' };
const DELAY_SECONDS = 3;

function customerOf(system: System) {
  return async (name: string) => {
    const contactId = `c_${randomUUID().slice(0, 8)}`;
    const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    await system.ghl.seedContact({ id: contactId, phone, name });
    const say = async (body: string) => {
      const res = await system.ingest.post(ghlInboundMessage({ contactId, from: phone, body }), { query: '?wait=25' });
      expect(res.status).toBe(200);
      return res.body!;
    };
    const replies = async () => (await system.ghl.sentMessages(contactId)).map((m) => m.body);
    /** Nudges not done yet for this contact. */
    const pendingNudges = async () => (await system.worker!.followUps.pending()).filter((j) => j.contactId === contactId);
    return { contactId, phone, say, replies, pendingNudges };
  };
}

/** A counter's value summed over every worker's registry. */
async function counted(workers: BookingWorker[], name: string, labels: string): Promise<number> {
  let total = 0;
  for (const w of workers) {
    const text = await w.metrics.registry.getSingleMetricAsString(name);
    for (const line of text.split('\n')) if (line.startsWith(`${name}{${labels}}`)) total += Number(line.split(' ').pop());
  }
  return total;
}

describe('during business hours, with two workers', () => {
  let system: System;
  let workers: BookingWorker[];
  let customer: ReturnType<typeof customerOf>;
  beforeAll(async () => {
    system = await startSystem({ ghl: { businessHours: ALL_DAY }, env: { FOLLOW_UP_DELAY_SECONDS: String(DELAY_SECONDS), FOLLOW_UP_MAX: '1' } });
    workers = [system.worker!, await system.addWorker()];
    customer = customerOf(system);
  });
  afterAll(() => system.close());

  it('a nudge after silence repeats the question, is sent once and is in GET /runs/:id', async () => {
    const c = await customer('Nia');
    const asked = await c.say('Hi');
    expect((await c.replies())[0]).toMatch(/help you with/);
    const nudge = await eventually(async () => {
      const sent = await c.replies();
      if (sent.length < 2) throw new Error('no nudge yet');
      return sent[1];
    }, 20_000);
    expect(nudge).toMatch(/Still there\? Tell me what we can help you with/);
    // FOLLOW_UP_MAX is 1: nothing else is pending, and nothing else went out.
    await eventually(async () => expect(await c.pendingNudges()).toEqual([]));
    expect(await c.replies()).toHaveLength(2);
    const run = (await system.ingest.get(`/runs/${nudgeJobId(c.contactId, turnKey([asked.workflow_run_id]), 1)}`)).body;
    expect(run).toMatchObject({ result: { action: 'nudged' }, reply: nudge });
  });

  it('an answer cancels the pending nudge: only the new question is nudged', async () => {
    const c = await customer('Ola');
    await c.say('Hi');
    await c.say('I need SEO');
    const sent = await eventually(async () => {
      const all = await c.replies();
      if (all.length < 3) throw new Error('no nudge yet');
      return all;
    }, 20_000);
    expect(sent[1]).toMatch(/budget/);
    expect(sent[2]).toMatch(/Still interested in SEO\?/);
    expect(sent.filter((r) => /Still there\? Tell me what we can help/.test(r))).toEqual([]); // the first question's nudge never went
  });

  it('none after an opt-out or a booking: the nudge is gone with the message', async () => {
    const stop = await customer('Sol');
    await stop.say('Hi');
    expect(await stop.pendingNudges()).toHaveLength(1);
    await stop.say('STOP');
    expect(await stop.pendingNudges()).toEqual([]);

    const booked = await customer('Bea');
    await booked.say('Hi');
    await booked.say('I need SEO, budget $3000, tomorrow at 3pm');
    expect(await booked.pendingNudges()).toEqual([]);
    expect((await booked.replies()).at(-1)).toMatch(/booked/);
  });

  it('none during a human takeover', async () => {
    const c = await customer('Hal');
    const before = await counted(workers, 'follow_up_nudges_total', 'outcome="paused"');
    await c.say('Hi');
    const takeover = await system.ingest.post(
      ghlInboundMessage({ type: 'OutboundMessage', source: 'app', direction: 'outbound', contactId: c.contactId, body: 'Hi Hal, Maria here' }),
      { query: '?wait=20' },
    );
    expect(takeover.status).toBe(200);
    await eventually(async () => expect(await counted(workers, 'follow_up_nudges_total', 'outcome="paused"')).toBe(before + 1), 20_000);
    expect(await c.replies()).toHaveLength(1);
  });

  it('offered slots are checked again: the nudge lists only those still free, under their first numbers', async () => {
    const c = await customer('Ivy');
    const tomorrow = new Date();
    tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
    const at = (h: number, m = 0) => new Date(Date.UTC(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth(), tomorrow.getUTCDate(), h, m)).toISOString();
    await bookAsSomeoneElse(system, at(11));
    await c.say('I need SEO, budget $3000, tomorrow at 11am');
    const offer = (await c.replies())[0];
    // The three free slots nearest 11:00, in time order (the nearer of 10:00 and 12:00 on a tie: the earlier).
    expect(offer).toMatch(/1\. .*10:00 AM.*\n2\. .*10:30 AM.*\n3\. .*11:30 AM/);
    await bookAsSomeoneElse(system, at(10, 30));
    const nudge = await eventually(async () => {
      const all = await c.replies();
      if (all.length < 2) throw new Error('no nudge yet');
      return all[1];
    }, 20_000);
    expect(nudge).toMatch(/still free:\n1\. .*10:00 AM.*\n3\. .*11:30 AM/);
    expect(nudge).not.toMatch(/10:30/);
  });
});

describe('outside business hours', () => {
  let system: System;
  beforeAll(async () => {
    // Open every day but today: now is closed.
    const today = new Date().getUTCDay() || 7;
    const days = [1, 2, 3, 4, 5, 6, 7].filter((d) => d !== today);
    system = await startSystem({ ghl: { businessHours: { timeZone: 'UTC', days, open: '09:00', close: '17:00' } }, env: { FOLLOW_UP_DELAY_SECONDS: '1' } });
  });
  afterAll(() => system.close());

  it('no nudge goes out: it waits for the opening (or is dropped when that is past the window)', async () => {
    const c = await customerOf(system)('Cal');
    await c.say('Hi');
    await eventually(async () => {
      const held = (await counted([system.worker!], 'follow_up_nudges_total', 'outcome="deferred"')) + (await counted([system.worker!], 'follow_up_nudges_total', 'outcome="closed_hours"'));
      expect(held).toBeGreaterThanOrEqual(1);
    }, 20_000);
    expect(await counted([system.worker!], 'follow_up_nudges_total', 'outcome="sent"')).toBe(0);
    expect(await c.replies()).toHaveLength(1);
  });
});

