import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { CustomerMessageEvent, ErrorCode, JobData, JobResult, RunRecord, RunStore } from '@wab/shared';
import { EffectUncertainError } from '../effects/effect-ledger';
import { GhlApiError, GhlRateBudgetError, GhlUncertainError } from '../ghl/errors';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import type { BookingGraph } from '../workflow/graph';
import type { ContactsPort } from '../workflow/ports';
import { turnInput, type Conversation } from '../workflow/state';
import type { ContactInbox, InboxMessage } from './contact-inbox';
import type { ContactProfiles } from './contact-profile';

export interface ProcessorDeps {
  graph: BookingGraph;
  inbox: ContactInbox;
  profiles: ContactProfiles;
  runStore: RunStore;
  contacts: ContactsPort;
  sendReply(turnId: string, contactId: string, text: string): Promise<string>;
  /** Drops a conversation's older checkpoints once a turn is over (its history is not needed). */
  pruneConversation(threadId: string): Promise<void>;
  metrics: WorkerMetrics;
  logger: Logger;
  burstWindowMs: number;
  botPauseMinutes: number;
  /** How soon a message whose contact is busy looks again. */
  busyRetryMs?: number;
  now?: () => Date;
}

/** Errors that come from GHL (or from not knowing what GHL did) map to GHL_API_ERROR in the run record. */
function errorCode(error: unknown): ErrorCode {
  return error instanceof GhlApiError || error instanceof GhlUncertainError || error instanceof GhlRateBudgetError || error instanceof EffectUncertainError
    ? 'GHL_API_ERROR'
    : 'WORKFLOW_ERROR';
}

const permanent = (error: unknown) => (error instanceof GhlApiError && error.permanent) || error instanceof UnrecoverableError;

const resultOf = (record: RunRecord): JobResult => ({
  final_state: record.final_state as JobResult['final_state'],
  booking_id: record.result?.appointment_id ?? null,
  reply: record.reply ?? null,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one job. Customer messages go through the contact's inbox: one run per contact at a time (on any
 * replica), messages of a burst answered as one turn, and nothing answered twice. Other events update
 * the contact's profile.
 */
export function createJobProcessor(deps: ProcessorDeps) {
  const { runStore, inbox, profiles, metrics, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const busyRetryMs = deps.busyRetryMs ?? 250;

  async function finish(job: Job<JobData>, record: Omit<RunRecord, 'workflow_run_id'>, runIds = [job.data.runId]): Promise<JobResult> {
    const finishedAt = new Date().toISOString();
    await Promise.all(runIds.map((id) => runStore.save({ ...record, workflow_run_id: id, finished_at: finishedAt })));
    metrics.runs.inc({ final_state: record.final_state }, runIds.length);
    return resultOf({ ...record, workflow_run_id: job.data.runId });
  }

  async function customerMessage(job: Job<JobData>, event: CustomerMessageEvent, token?: string): Promise<JobResult> {
    const { runId } = job.data;
    const contactKey = job.data.contactKey!;
    const done = await runStore.get(runId);
    if (done && done.final_state !== 'failed') return resultOf(done);

    const inboxMessage = { runId, body: event.body, receivedAt: Date.parse(job.data.receivedAt) || Date.now() };
    await inbox.add(contactKey, inboxMessage);
    const lock = await inbox.lock(contactKey);
    if (!lock) {
      // Another run is answering this contact; look again shortly, without spending an attempt.
      await job.moveToDelayed(Date.now() + busyRetryMs, token);
      throw new DelayedError();
    }
    const heartbeat = setInterval(() => void lock.renew().catch(() => undefined), lock.ttlMs / 3);
    try {
      let pending = await waitForBurst(contactKey);
      if (!pending.some((m) => m.runId === runId)) {
        // A run that held the lock before us answered this message already.
        const record = await runStore.get(runId);
        if (record && record.final_state !== 'failed') return resultOf(record);
        // A replayed failure: its message left the inbox with the failed turn, so it goes back in.
        await inbox.add(contactKey, inboxMessage);
        pending = await inbox.pending(contactKey);
      }
      return await turn(job, event, pending);
    } finally {
      clearInterval(heartbeat);
      await lock.release().catch(() => undefined);
    }
  }

  /** Waits until the contact has been quiet for the burst window, so a burst is answered once. */
  async function waitForBurst(contactKey: string): Promise<InboxMessage[]> {
    const deadline = Date.now() + deps.burstWindowMs * 3;
    for (;;) {
      const pending = await inbox.pending(contactKey);
      const newest = Math.max(0, ...pending.map((m) => m.receivedAt));
      const quietFor = Date.now() - newest;
      if (quietFor >= deps.burstWindowMs || Date.now() >= deadline) return pending;
      await sleep(Math.min(deps.burstWindowMs - quietFor, deadline - Date.now()));
    }
  }

  async function turn(job: Job<JobData>, event: CustomerMessageEvent, pending: InboxMessage[]): Promise<JobResult> {
    const contactKey = job.data.contactKey!;
    const runIds = pending.map((m) => m.runId);
    const turnId = runIds[0];
    const log = logger.child({ jobId: job.id, runId: job.data.runId, turnId, requestId: job.data.requestId, contact: contactKey });
    const started = Date.now();
    metrics.activeWorkflows.inc();
    const nodes: string[] = [];
    try {
      const profile = await profiles.get(contactKey);
      let details = profile.details;
      const contactId =
        profile.ghlContactId ?? event.contactId ?? (await deps.contacts.ensureContact({ contactId: null, phone: event.phone, name: event.name, email: event.email }));
      if (contactId !== profile.ghlContactId) {
        // First turn with this contact: learn its name and time zone from GHL once.
        details = await deps.contacts.describe(contactId);
        await profiles.update(contactKey, { ghlContactId: contactId, details });
      }

      const config = { configurable: { thread_id: contactKey } };
      const input = turnInput({
        turnId,
        message: pending.map((m) => m.body).join('\n'),
        now: now(),
        contact: {
          contactId,
          phone: event.phone,
          name: event.name ?? details?.name ?? null,
          email: event.email ?? details?.email ?? null,
          timezone: event.timezone ?? details?.timezone ?? null,
        },
        booking: profile.booking,
        optedOut: profile.optedOut,
        pausedUntil: profile.pausedUntil,
      });
      // A turn always starts from START, so only its end state is worth saving (`durability: 'exit'`);
      // 'values' chunks carry that state, so no read after the run is needed.
      let last = Date.now();
      let state: Conversation | null = null;
      const stream = await deps.graph.stream(input, { ...config, streamMode: ['updates', 'values'], durability: 'exit' });
      for await (const [mode, chunk] of stream) {
        if (mode === 'values') {
          state = chunk as Conversation;
          continue;
        }
        for (const node of Object.keys(chunk)) {
          nodes.push(node);
          metrics.nodeDuration.observe({ node }, (Date.now() - last) / 1000);
        }
        last = Date.now();
      }
      if (!state) throw new Error('the conversation graph produced no state');

      if (state.reply) await deps.sendReply(turnId, contactId, state.reply);
      await profiles.update(contactKey, {
        ...(state.optedOut !== profile.optedOut ? { optedOut: state.optedOut } : {}),
        ...(state.booking?.appointmentId !== profile.booking?.appointmentId ? { booking: state.booking } : {}),
      });

      const bookedNow = Boolean(state.booking && state.booking.appointmentId !== profile.booking?.appointmentId);
      const seconds = (Date.now() - started) / 1000;
      const result = await finish(
        job,
        {
          final_state: state.outcome ?? 'completed',
          nodes_executed: nodes,
          result: {
            booking_created: bookedNow,
            appointment_id: state.booking?.appointmentId ?? null,
            scheduled_time: state.booking?.startTime ?? null,
            customer: {
              name: state.name,
              goal: state.goal,
              budget: state.budget,
              preferred_time: state.preferredTime?.from ?? null,
              language: state.language,
            },
          },
          execution_time: seconds,
          event_type: job.data.eventType,
          reply: state.reply,
          attempts: job.attemptsMade + 1,
          error: null,
        },
        runIds,
      );
      await inbox.remove(contactKey, runIds);
      await deps.pruneConversation(contactKey).catch((error: Error) => log.warn({ err: { message: error.message } }, 'could not prune the conversation'));
      await runStore.countProcessed({ seconds, messages: runIds.length, ...(bookedNow ? { booking: 'created' as const } : {}) });
      metrics.bookingDuration.observe(seconds);
      log.info({ finalState: result.final_state, nodes, seconds, merged: runIds.length }, 'turn answered');
      return result;
    } catch (error) {
      const code = errorCode(error);
      const message = (error as Error).message;
      const lastAttempt = permanent(error) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.warn({ err: { name: (error as Error).name, message }, code, lastAttempt }, 'turn failed');
      if (!lastAttempt) {
        metrics.retries.inc();
        throw error;
      }
      await finish(
        job,
        {
          final_state: 'failed',
          nodes_executed: nodes,
          result: null,
          execution_time: (Date.now() - started) / 1000,
          event_type: job.data.eventType,
          attempts: job.attemptsMade + 1,
          error: { code, message },
        },
        runIds,
      );
      await inbox.remove(contactKey, runIds);
      await runStore.countProcessed({ seconds: (Date.now() - started) / 1000, messages: runIds.length, booking: 'failed' });
      await runStore.recordError(code, message);
      throw new UnrecoverableError(message);
    } finally {
      metrics.activeWorkflows.dec();
    }
  }

  /** Events that change what we know about a contact, without a conversation turn. */
  async function contactEvent(job: Job<JobData>): Promise<JobResult> {
    const { event, contactKey } = job.data;
    const started = Date.now();
    switch (event.kind) {
      case 'human_reply':
        await profiles.update(contactKey!, { pausedUntil: new Date(now().getTime() + deps.botPauseMinutes * 60_000).toISOString() });
        break;
      case 'contact_dnd':
        await profiles.update(contactKey!, { optedOut: event.whatsappOptOut });
        break;
      case 'appointment': {
        if (!contactKey) break;
        const profile = await profiles.get(contactKey);
        const cancelled = event.action === 'deleted' || /cancel|invalid|noshow/i.test(event.status ?? '');
        if (cancelled && profile.booking?.appointmentId === event.appointmentId) {
          await profiles.update(contactKey, { booking: null }); // the customer may book again
        } else if (!cancelled && event.startTime) {
          await profiles.update(contactKey, { booking: { appointmentId: event.appointmentId, startTime: event.startTime } });
        }
        break;
      }
      case 'message_status':
        metrics.messageStatuses.inc({ status: event.status.slice(0, 30) });
        break;
      case 'customer_message':
        throw new Error('customer messages are turns');
    }
    const seconds = (Date.now() - started) / 1000;
    await runStore.countProcessed({ seconds });
    return finish(job, { final_state: 'completed', nodes_executed: [], result: null, execution_time: seconds, event_type: job.data.eventType, error: null });
  }

  return async function process(job: Job<JobData>, token?: string): Promise<JobResult> {
    const event = job.data.event;
    if (event.kind === 'customer_message' && job.data.contactKey) return customerMessage(job, event, token);
    return contactEvent(job);
  };
}
