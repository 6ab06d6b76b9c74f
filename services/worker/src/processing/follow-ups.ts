import { createHash } from 'node:crypto';
import { DelayedError, type Job, type Queue } from 'bullmq';
import type { RunStore } from '@wab/shared';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { nextOpening, overlapsOpenHours } from '../workflow/opening-hours';
import type { CalendarPort } from '../workflow/ports';
import { replies } from '../workflow/replies';
import { serviceLabel } from '../workflow/service-labels';
import type { ContactInbox } from './contact-inbox';
import type { Awaiting, ContactProfiles } from './contact-profile';
import { windowOpen, type WindowClosedAction } from './whatsapp-window';

/** The queue of pending follow-ups (delayed jobs): apart from the inbound queue, so they never count as backlog. */
export const FOLLOW_UP_QUEUE = 'follow-ups';

export interface FollowUpJob {
  locationId: string | null;
  contactKey: string;
  contactId: string;
  /** The turn whose question is unanswered. */
  turnKey: string;
  /** Which nudge this is: 1 … FOLLOW_UP_MAX. */
  n: number;
}

export type NudgeOutcome = 'sent' | 'deferred' | 'answered' | 'opted_out' | 'paused' | 'booked' | 'window_closed' | 'closed_hours';

/**
 * The job id of a nudge: the same contact, question and number always give the same id, so however many
 * workers or retries schedule it, BullMQ holds one job (and the effect ledger sends it once). It is also the
 * nudge's run id (GET /runs/:id), so it has a run id's shape.
 */
export function nudgeJobId(contactKey: string, turnKey: string, n: number): string {
  const contact = createHash('sha256').update(contactKey).digest('hex').slice(0, 16);
  return `run_nudge-${contact}-${turnKey.replace(/^turn_/, '')}-${n}`;
}

/** Schedules and cancels nudges. FOLLOW_UP_MAX 0 schedules none. */
export class FollowUps {
  constructor(
    private readonly queue: Queue<FollowUpJob>,
    readonly max: number,
    readonly delayMs: number,
  ) {}

  async schedule(job: FollowUpJob): Promise<void> {
    if (job.n > this.max) return;
    await this.queue.add('nudge', job, {
      jobId: nudgeJobId(job.contactKey, job.turnKey, job.n),
      delay: this.delayMs,
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  /** Any customer message cancels the pending nudge (the nudge also checks, in case it was already running). */
  async cancel(contactKey: string, awaiting: Awaiting): Promise<void> {
    const job = await this.queue.getJob(nudgeJobId(contactKey, awaiting.turnKey, awaiting.sent + 1));
    await job?.remove().catch(() => undefined); // active or gone: the nudge sees the question answered
  }

  /** The nudges not done yet (waiting for their time, or being sent), at most 200. */
  async pending(): Promise<Array<FollowUpJob & { dueAt: string }>> {
    const jobs = await this.queue.getJobs(['delayed', 'waiting', 'active'], 0, 199);
    return jobs
      .filter((j) => j)
      .map((j) => ({ ...j.data, dueAt: new Date(j.timestamp + (j.opts.delay ?? 0)).toISOString() }));
  }
}

export interface NudgeDeps {
  profiles: ContactProfiles;
  inbox: ContactInbox;
  runStore: RunStore;
  metrics: WorkerMetrics;
  followUps: FollowUps;
  calendar: CalendarPort;
  sendReply(key: string, contactId: string, text: string): Promise<string>;
  windowClosed: WindowClosedAction;
  whatsappWindowHours: number;
  /** The location's zone (slots are shown in the contact's when GHL knows it). */
  timeZone: string;
  serviceLabels?: Parameters<typeof serviceLabel>[2];
  now?: () => Date;
}

/**
 * Sends one nudge when it is still due: the question is unanswered, the customer has not opted out, no person
 * has taken over, nothing is booked, the 24-hour window is open and the business is open (else it waits for
 * the opening, if that is still inside the window). A nudge repeats what is needed; offered slots are checked
 * again and only the free ones are listed.
 */
export function createNudgeProcessor(deps: NudgeDeps) {
  const now = deps.now ?? (() => new Date());
  return async function nudge(job: Job<FollowUpJob>, token?: string): Promise<{ outcome: NudgeOutcome }> {
    const { contactKey, contactId, turnKey, n } = job.data;
    const done = async (outcome: NudgeOutcome) => {
      deps.metrics.nudges.inc({ outcome });
      return { outcome };
    };
    const profile = await deps.profiles.get(contactKey);
    const asked = profile.awaiting;
    if (!asked || asked.turnKey !== turnKey || asked.sent >= n) return done('answered');
    if (profile.optedOut) return done('opted_out');
    if (profile.booking) return done('booked');
    const at = now().getTime();
    if (profile.pausedUntil && Date.parse(profile.pausedUntil) > at) return done('paused');
    const lastInboundMs = Date.parse(profile.lastInboundAt ?? asked.askedAt);
    if (!windowOpen(lastInboundMs, at, deps.whatsappWindowHours)) {
      deps.metrics.windowClosed.inc({ instead: await deps.windowClosed(contactId, lastInboundMs) });
      return done('window_closed');
    }
    const hours = deps.calendar.openingHours ? await deps.calendar.openingHours().catch(() => null) : null;
    if (hours && !overlapsOpenHours(hours, at, at + 60_000)) {
      const opens = nextOpening(hours, at);
      if (opens === null || !windowOpen(lastInboundMs, opens, deps.whatsappWindowHours)) return done('closed_hours');
      deps.metrics.nudges.inc({ outcome: 'deferred' });
      await job.moveToDelayed(opens, token);
      throw new DelayedError();
    }

    // A turn answering the customer right now has the question in hand.
    const lock = await deps.inbox.lock(contactKey);
    if (!lock) return done('answered');
    let text: string;
    try {
      const zone = profile.details?.timezone || deps.timeZone;
      text = await nudgeText(asked, zone, at);
      await deps.sendReply(`nudge:${turnKey}:${n}`, contactId, text);
      await deps.profiles.update(contactKey, { awaiting: { ...asked, sent: n } });
    } finally {
      await lock.release();
    }
    await deps.followUps.schedule({ ...job.data, n: n + 1 });
    const runId = String(job.id);
    await deps.runStore.save({
      workflow_run_id: runId,
      final_state: 'waiting_for_customer',
      nodes_executed: [],
      result: { booking_created: false, appointment_id: null, scheduled_time: null, action: 'nudged', appointment_before: null, customer: { name: null, goal: asked.goal, budget: null, language: asked.language } },
      execution_time: 0,
      event_type: 'FollowUp',
      reply: text,
      error: null,
      finished_at: new Date().toISOString(),
    });
    return done('sent');
  };

  async function nudgeText(asked: Awaiting, zone: string, at: number): Promise<string> {
    const lang = asked.language;
    if (asked.field === 'slot' && asked.offeredSlots.length > 0) {
      const starts = asked.offeredSlots.map((s) => Date.parse(s));
      const free = new Set((await deps.calendar.freeSlots(Math.max(at, Math.min(...starts)), Math.max(...starts) + 1, deps.timeZone)).map((s) => Date.parse(s)));
      const still = asked.offeredSlots.map((slot, i) => ({ slot, number: i + 1 })).filter(({ slot }) => free.has(Date.parse(slot)));
      return still.length > 0 ? replies.nudgeSlots(still, zone, lang) : replies.nudge('time', null, lang);
    }
    const field = asked.field === 'slot' ? 'time' : asked.field;
    return replies.nudge(field, asked.goal && serviceLabel(asked.goal, lang, deps.serviceLabels), lang);
  }
}
