import { createHash } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { INBOUND_QUEUE, inSpan, jobTraceParent, type CustomerMessageEvent, type ErrorCode, type JobData, type JobResult, type RunStore } from '@wab/shared';
import { EffectInFlightError, EffectUncertainError } from '../effects/effect-ledger';
import { TurnLockLostError, runGuarded } from '../effects/turn-guard';
import { GhlApiError, GhlRateBudgetError, GhlUncertainError } from '../ghl/errors';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { workerTracer } from '../tracer';
import { RETRY_POLICY, isPermanent } from '../retry-policy';
import { detectLanguage } from '../understanding/heuristic';
import type { Language } from '../understanding/understanding';
import type { BookingGraph } from '../workflow/graph';
import type { ContactsPort } from '../workflow/ports';
import { replies } from '../workflow/replies';
import type { ContactInbox } from './contact-inbox';
import type { ContactProfiles } from './contact-profile';
import { createContactEvents } from './contact-events';
import { resultOf, createRunRecorder } from './run-recorder';
import type { TimeZoneCheck } from './time-zone-check';
import type { AdmissionSlot } from './location-admission';
import { createTurnClaimer, turnKey } from './turn-claim';
import { windowOpen, type WindowClosedAction } from './whatsapp-window';
import type { FollowUps } from './follow-ups';
import { ContactGoneError, createTurnRunner } from './turn-runner';

export const NEEDS_HUMAN_TAG = 'needs-human';

export interface ProcessorDeps {
  graph: BookingGraph;
  inbox: ContactInbox;
  profiles: ContactProfiles;
  runStore: RunStore;
  contacts: ContactsPort;
  sendReply(turnKey: string, contactId: string, text: string): Promise<string>;
  /** Drops a conversation's older checkpoints once a turn is over (its history is not needed). */
  pruneConversation(threadId: string): Promise<void>;
  checkTimeZone: TimeZoneCheck;
  metrics: WorkerMetrics;
  logger: Logger;
  burstWindowMs: number;
  /** A turn slot of this location (fairness between locations); absent: no cap. */
  admit?: () => Promise<AdmissionSlot | null>;
  botPauseMinutes: number;
  /** The location this processor serves (a metric label). */
  locationId?: string;
  /** The location's zone (GHL's zone-less times are read in it). */
  timeZone: string;
  now?: () => Date;
  /** WHATSAPP_WINDOW_HOURS: no free-form send later than this after the customer's last message (default 24). */
  whatsappWindowHours?: number;
  /** What to do instead of a send the window no longer allows: the location's workflow (default: nothing). */
  windowClosed?: WindowClosedAction;
  /** Nudges after an unanswered question (FOLLOW_UP_MAX, FOLLOW_UP_DELAY_SECONDS); none without it. */
  followUps?: FollowUps;
}

/** Errors that come from GHL (or from not knowing what GHL did) map to GHL_API_ERROR in the run record. */
function errorCode(error: unknown): ErrorCode {
  return error instanceof GhlApiError ||
    error instanceof GhlUncertainError ||
    error instanceof GhlRateBudgetError ||
    error instanceof EffectUncertainError ||
    error instanceof ContactGoneError
    ? 'GHL_API_ERROR'
    : 'WORKFLOW_ERROR';
}

/**
 * A failure of ours, not GHL's, still leaves the customer answered: a bug or data we could not handle
 * (WORKFLOW_ERROR). GHL's refusals and outages are not: a message would likely fail the same way, and
 * the run stays failed and replayable.
 */
const handToTeamOn = (error: unknown) => errorCode(error) === 'WORKFLOW_ERROR';

/**
 * Runs one job. Customer messages are turns (claimed, run, recorded: see turn-claim, turn-runner); other
 * events update the contact's profile (contact-events). After its last attempt every job ends with a
 * `failed` run record that says why, and stays replayable.
 */
export function createJobProcessor(deps: ProcessorDeps) {
  const { runStore, inbox, metrics, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const recordRuns = createRunRecorder({ runStore, metrics, locationId: deps.locationId });
  const claimTurn = createTurnClaimer({ inbox, runStore, burstWindowMs: deps.burstWindowMs, admit: deps.admit });
  const runTurn = createTurnRunner({ ...deps, now });
  const contactEvent = createContactEvents({ ...deps, recordRuns, now });

  const isLastAttempt = (job: Job<JobData>, error: unknown) => isPermanent(error) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

  async function recordFailure(job: Job<JobData>, error: unknown, runIds: string[], nodes: string[], startedAt: number): Promise<void> {
    const code = errorCode(error);
    const message = (error as Error).message;
    const seconds = (Date.now() - startedAt) / 1000;
    await recordRuns(
      job,
      { final_state: 'failed', nodes_executed: nodes, result: null, execution_time: seconds, event_type: job.data.eventType, attempts: job.attemptsMade + 1, error: { code, message } },
      runIds,
    );
    await runStore.countProcessed({ seconds, messages: runIds.length, locationId: job.data.locationId, ...(job.data.event.kind === 'customer_message' ? { booking: 'failed' as const } : {}) });
    await runStore.recordError(code, message);
  }

  /** Tells the customer once that a person will answer, and tags the contact for the team. Never throws. */
  async function handToTeam(turn: string, contactId: string | null, language: Language, lastInboundMs: number, log: Logger): Promise<void> {
    if (!contactId || !windowOpen(lastInboundMs, now().getTime(), deps.whatsappWindowHours)) return;
    try {
      await deps.sendReply(`handoff:${turn}`, contactId, replies.handedToTeam(language));
      await deps.contacts.addTags(contactId, [NEEDS_HUMAN_TAG]);
      metrics.handedToTeam.inc();
    } catch (error) {
      log.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, 'could not hand the failed turn to the team');
    }
  }

  async function customerMessage(job: Job<JobData>, event: CustomerMessageEvent, token?: string): Promise<JobResult> {
    const { runId } = job.data;
    const contactKey = job.data.contactKey!;
    const done = await runStore.get(runId);
    if (done && done.final_state !== 'failed') return resultOf(done);

    const claim = await claimTurn(contactKey, { runId, body: event.body, attachments: event.attachments, receivedAt: Date.parse(job.data.receivedAt) || Date.now() });
    if (claim.kind === 'answered') return resultOf(claim.record);
    if (claim.kind === 'busy') {
      // Another run is answering this contact; look again shortly, without spending an attempt.
      await job.moveToDelayed(Date.now() + RETRY_POLICY.busyContactRetryMs, token);
      throw new DelayedError();
    }
    if (claim.kind === 'deferred') {
      // The location has its share of turns running (a burst): other locations go first; no attempt spent.
      metrics.turnsDeferred.inc();
      await job.moveToDelayed(Date.now() + RETRY_POLICY.fairShareRetryMs + Math.floor(Math.random() * RETRY_POLICY.fairShareRetryMs), token);
      throw new DelayedError();
    }

    const runIds = claim.pending.map((m) => m.runId);
    const turn = turnKey(runIds);
    const log = logger.child({ jobId: job.id, runId, turnId: turn, requestId: job.data.requestId, contact: logKey(contactKey) });
    const started = Date.now();
    const nodes: string[] = [];
    metrics.activeWorkflows.inc();
    try {
      const outcome = await runGuarded(claim.guard, () => runTurn(job, event, claim.pending, turn, log, nodes));
      const seconds = (Date.now() - started) / 1000;
      // Sent together (one round trip's wait, not four); all land before the lock is released in `finally`.
      const [result] = await Promise.all([
        recordRuns(job, { ...outcome.record, execution_time: seconds, attempts: job.attemptsMade + 1 }, runIds),
        inbox.remove(contactKey, runIds),
        deps.pruneConversation(contactKey).catch((error: Error) => log.warn({ err: { message: error.message } }, 'could not prune the conversation')),
        runStore.countProcessed({ seconds, messages: runIds.length, locationId: job.data.locationId, ...(outcome.bookedNow ? { booking: 'created' as const } : {}) }),
      ]);
      metrics.bookingDuration.observe(seconds);
      log.info({ finalState: result.final_state, nodes, seconds, merged: runIds.length }, 'turn answered');
      return result;
    } catch (error) {
      if (error instanceof EffectInFlightError || error instanceof TurnLockLostError) {
        // Another run holds this contact or one of this turn's effects: wait for it, spending no attempt and
        // recording nothing (that run may be answering these very messages).
        const retryAt = error instanceof EffectInFlightError ? error.retryAt : Date.now() + RETRY_POLICY.busyContactRetryMs;
        log.info({ retryAt: new Date(retryAt).toISOString(), reason: error.name }, 'another run has this turn; waiting');
        await job.moveToDelayed(retryAt, token);
        throw new DelayedError();
      }
      const lastAttempt = isLastAttempt(job, error);
      log.warn({ err: { name: (error as Error).name, message: (error as Error).message }, code: errorCode(error), lastAttempt }, 'turn failed');
      if (!lastAttempt) {
        metrics.retries.inc();
        throw error;
      }
      await recordFailure(job, error, runIds, nodes, started);
      await inbox.remove(contactKey, runIds);
      if (handToTeamOn(error)) {
        const profile = await deps.profiles.get(contactKey);
        await handToTeam(turn, profile.ghlContactId ?? event.contactId, detectLanguage(event.body), Math.max(...claim.pending.map((m) => m.receivedAt)), log);
      }
      throw new UnrecoverableError((error as Error).message);
    } finally {
      metrics.activeWorkflows.dec();
      await claim.release();
    }
  }

  /**
   * Each attempt is one span in the webhook's trace (a child of its context, carried in the job data) that
   * also links to the webhook's span. Waiting for another run (DelayedError) is not an error.
   */
  return async function process(job: Job<JobData>, token?: string): Promise<JobResult> {
    const { parent, links } = jobTraceParent(job.data.traceContext);
    const attributes = {
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': INBOUND_QUEUE,
      'messaging.message.id': String(job.id),
      'wab.run_id': job.data.runId,
      'wab.event_type': job.data.eventType,
      'wab.attempt': job.attemptsMade + 1,
    };
    return inSpan(
      workerTracer(),
      `process ${INBOUND_QUEUE}`,
      { kind: SpanKind.CONSUMER, links, attributes, isError: (error) => !(error instanceof DelayedError) },
      async (span) => {
        const result = await processJob(job, token);
        span.setAttribute('wab.final_state', result.final_state);
        return result;
      },
      parent,
    );
  };

  async function processJob(job: Job<JobData>, token?: string): Promise<JobResult> {
    const event = job.data.event;
    if (event.kind === 'customer_message' && job.data.contactKey) return customerMessage(job, event, token);
    const started = Date.now();
    try {
      return await contactEvent(job);
    } catch (error) {
      if (!isLastAttempt(job, error)) throw error;
      await recordFailure(job, error, [job.data.runId], [], started);
      throw new UnrecoverableError((error as Error).message);
    }
  }
}

/** Logs name a contact by a short stable hash, never by its phone number. */
export function logKey(contactKey: string): string {
  return createHash('sha256').update(contactKey).digest('hex').slice(0, 12);
}
