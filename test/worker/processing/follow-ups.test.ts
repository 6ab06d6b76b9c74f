/**
 * The nudge processor on its own (real Redis and a real BullMQ queue; the calendar and the send stood in for):
 * the checks a nudge makes at its due time, one by one.
 */
import { DelayedError, Queue, type Job } from 'bullmq';
import { RunStore } from '@wab/shared';
import { createWorkerMetrics } from '../../../services/worker/src/metrics/worker-metrics';
import { ContactInbox } from '../../../services/worker/src/processing/contact-inbox';
import { ContactProfiles, type Awaiting } from '../../../services/worker/src/processing/contact-profile';
import { FOLLOW_UP_QUEUE, FollowUps, createNudgeProcessor, type FollowUpJob } from '../../../services/worker/src/processing/follow-ups';
import type { OpeningHours } from '../../../services/worker/src/workflow/opening-hours';
import type { CalendarPort } from '../../../services/worker/src/workflow/ports';
import { redisUrl, useTestRedis } from '../../support/redis';

const db = useTestRedis('follow-ups');
const { prefix } = db;
let queue: Queue<FollowUpJob>;
beforeAll(() => {
  queue = new Queue<FollowUpJob>(FOLLOW_UP_QUEUE, { connection: { url: redisUrl() }, prefix });
});
afterAll(() => queue.close());

/** Monday 2026-11-30 10:00 UTC. */
const NOW = new Date('2026-11-30T10:00:00Z');
const WEEKDAYS_9_TO_17: OpeningHours = { timeZone: 'UTC', days: { 1: [[540, 1020]], 2: [[540, 1020]], 3: [[540, 1020]], 4: [[540, 1020]], 5: [[540, 1020]] } };

function setup(options: { now?: Date; hours?: OpeningHours | null; workflow?: boolean } = {}) {
  const sent: { key: string; text: string }[] = [];
  const enrolled: number[] = [];
  const metrics = createWorkerMetrics();
  const profiles = new ContactProfiles(db.redis, prefix, 3600);
  const calendar: CalendarPort = {
    slotMinutes: async () => 30,
    openingHours: async () => (options.hours === undefined ? WEEKDAYS_9_TO_17 : options.hours),
    freeSlots: async () => [],
    bookedInTurn: async () => null,
    book: async () => ({ ok: false, reason: 'slot_taken' }),
    movedInTurn: async () => null,
    move: async () => ({ ok: false, reason: 'slot_taken' }),
    cancel: async ({ appointmentId }) => ({ ok: true, appointmentId }),
  };
  const nudge = createNudgeProcessor({
    profiles,
    inbox: new ContactInbox(db.redis, prefix, 5000),
    runStore: new RunStore(db.redis, prefix, 3600),
    metrics,
    followUps: new FollowUps(queue, 1, 60_000),
    calendar,
    sendReply: async (key, _contactId, text) => (sent.push({ key, text }), `msg_${sent.length}`),
    windowClosed: async (_contactId, lastInboundMs) => (options.workflow ? (enrolled.push(lastInboundMs), 'enrolled') : 'none'),
    whatsappWindowHours: 24,
    timeZone: 'UTC',
    now: () => options.now ?? NOW,
  });
  return { nudge, profiles, sent, enrolled, metrics };
}

let seq = 0;
async function waitingContact(profiles: ContactProfiles, lastInboundAt: string, change: Partial<Awaiting> = {}) {
  const contactKey = `ck_${++seq}`;
  const awaiting: Awaiting = { turnKey: `turn_${seq}`, field: 'budget', offeredSlots: [], language: 'en', goal: 'SEO', askedAt: lastInboundAt, sent: 0, ...change };
  await profiles.update(contactKey, { awaiting, lastInboundAt });
  const moved: number[] = [];
  const job = {
    id: `run_nudge-${seq}`,
    data: { locationId: null, contactKey, contactId: `c_${seq}`, turnKey: awaiting.turnKey, n: 1 },
    moveToDelayed: async (at: number) => void moved.push(at),
  } as unknown as Job<FollowUpJob>;
  return { job, moved, contactKey };
}

it('sends the nudge once: the same job again finds it sent', async () => {
  const { nudge, profiles, sent } = setup();
  const { job } = await waitingContact(profiles, new Date(NOW.getTime() - 2 * 3600_000).toISOString());
  expect(await nudge(job)).toEqual({ outcome: 'sent' });
  expect(await nudge(job)).toEqual({ outcome: 'answered' });
  expect(sent).toEqual([{ key: expect.stringMatching(/^nudge:turn_/), text: 'Still interested in SEO? Tell me a rough budget and I\'ll find you a time.' }]);
});

it('outside the 24-hour window sends nothing; with the workflow set, enrols once per silence', async () => {
  const lastInbound = new Date(NOW.getTime() - 25 * 3600_000).toISOString();
  const plain = setup();
  expect(await plain.nudge((await waitingContact(plain.profiles, lastInbound)).job)).toEqual({ outcome: 'window_closed' });
  expect(plain.sent).toEqual([]);
  const withWorkflow = setup({ workflow: true });
  expect(await withWorkflow.nudge((await waitingContact(withWorkflow.profiles, lastInbound)).job)).toEqual({ outcome: 'window_closed' });
  expect(withWorkflow.enrolled).toEqual([Date.parse(lastInbound)]);
  expect(withWorkflow.sent).toEqual([]);
});

it('outside open hours waits for the opening when that is inside the window, else drops the nudge', async () => {
  // Monday 07:00: the business opens at 09:00, 3 hours after the customer wrote.
  const early = setup({ now: new Date('2026-11-30T07:00:00Z') });
  const first = await waitingContact(early.profiles, '2026-11-30T06:00:00Z');
  await expect(early.nudge(first.job)).rejects.toBeInstanceOf(DelayedError);
  expect(first.moved).toEqual([Date.parse('2026-11-30T09:00:00Z')]);
  expect(early.sent).toEqual([]);
  // Saturday 10:00: it opens on Monday, more than 24 hours after the customer wrote.
  const weekend = setup({ now: new Date('2026-12-05T10:00:00Z') });
  const second = await waitingContact(weekend.profiles, '2026-12-05T09:00:00Z');
  expect(await weekend.nudge(second.job)).toEqual({ outcome: 'closed_hours' });
  expect(second.moved).toEqual([]);
  expect(weekend.sent).toEqual([]);
});

it('never after an opt-out, during a takeover or once booked', async () => {
  const { nudge, profiles, sent } = setup();
  const recent = new Date(NOW.getTime() - 3600_000).toISOString();
  const optedOut = await waitingContact(profiles, recent);
  await profiles.update(optedOut.contactKey, { optedOut: true });
  const paused = await waitingContact(profiles, recent);
  await profiles.update(paused.contactKey, { pausedUntil: new Date(NOW.getTime() + 600_000).toISOString() });
  const booked = await waitingContact(profiles, recent);
  await profiles.update(booked.contactKey, { booking: { appointmentId: 'apt_1', startTime: '2026-12-01T10:00:00Z' } });
  expect(await nudge(optedOut.job)).toEqual({ outcome: 'opted_out' });
  expect(await nudge(paused.job)).toEqual({ outcome: 'paused' });
  expect(await nudge(booked.job)).toEqual({ outcome: 'booked' });
  expect(sent).toEqual([]);
});
