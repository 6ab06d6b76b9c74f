import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { CustomerMessageEvent, JobData, RunRecord } from '@wab/shared';
import { TurnLockLostError } from '../effects/turn-guard';
import { isUnknownContact } from '../ghl/errors';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import { textForUnderstanding } from '../understanding/understanding';
import type { BookingGraph } from '../workflow/graph';
import type { ContactDetails, ContactsPort, LearnedDetails } from '../workflow/ports';
import { turnInput, type Conversation, type TurnContact } from '../workflow/state';
import type { InboxMessage } from './contact-inbox';
import type { ContactProfile, ContactProfiles } from './contact-profile';
import type { TimeZoneCheck } from './time-zone-check';
import { windowOpen, type WindowClosedAction } from './whatsapp-window';
import type { FollowUps } from './follow-ups';
import type { Awaiting } from './contact-profile';

/** GHL stopped knowing the contact id we kept (merged or deleted): the next attempt finds it again by phone. */
export class ContactGoneError extends Error {
  override name = 'ContactGoneError';
}

export interface TurnRunnerDeps {
  graph: BookingGraph;
  profiles: ContactProfiles;
  contacts: ContactsPort;
  sendReply(turnKey: string, contactId: string, text: string): Promise<string>;
  checkTimeZone: TimeZoneCheck;
  metrics: WorkerMetrics;
  now: () => Date;
  /** WHATSAPP_WINDOW_HOURS (default 24). */
  whatsappWindowHours?: number;
  /** What to do instead of a reply the window no longer allows (default: nothing). */
  windowClosed?: WindowClosedAction;
  /** Nudges after an unanswered question (none without it). */
  followUps?: FollowUps;
}

/** The GHL contact a turn answers, and what GHL knows of it. */
interface FoundContact {
  contactId: string;
  details: ContactDetails | null;
}

export interface TurnOutcome {
  bookedNow: boolean;
  record: Omit<RunRecord, 'workflow_run_id' | 'execution_time' | 'attempts'>;
}

/**
 * Runs one claimed turn: runs the booking graph over the pending messages (it finds the GHL contact when the
 * turn needs it), sends the reply once, writes back what the customer told us, and keeps the contact's profile.
 */
export function createTurnRunner(deps: TurnRunnerDeps) {
  const { profiles, contacts } = deps;

  /** The stored details with their zone checked: an unknown zone is never kept. */
  const checkedDetails = (details: ContactDetails | null): ContactDetails | null =>
    details && { ...details, timezone: deps.checkTimeZone(details.timezone, 'ghl_contact') };

  /**
   * The GHL contact id and what GHL knows of it. A webhook's id GHL does not know (deleted, merged into a
   * duplicate) is not the end of the turn: the contact is found (or made) by the message's phone.
   */
  async function resolveContact(contactKey: string, event: CustomerMessageEvent, profile: ContactProfile): Promise<FoundContact> {
    let contactId = profile.ghlContactId ?? event.contactId;
    let details = checkedDetails(profile.details);
    if (contactId && contactId !== profile.ghlContactId) {
      details = checkedDetails(await contacts.describe(contactId));
      if (!details) contactId = null;
    }
    if (!contactId) {
      const who = { phone: event.phone, name: event.name, email: event.email };
      if (contacts.findOrCreate) {
        const found = await contacts.findOrCreate(who);
        contactId = found.contactId;
        details = checkedDetails(found.details);
      } else {
        contactId = await contacts.ensureContact({ contactId: null, ...who });
        details = checkedDetails(await contacts.describe(contactId));
      }
    }
    if (contactId !== profile.ghlContactId) await profiles.update(contactKey, { ghlContactId: contactId, details });
    return { contactId, details };
  }

  /**
   * The contact as the turn starts (no GHL call: the webhook's, with what GHL told us of it before), and a
   * finder that asks GHL at most once, the first time the turn needs the contact: a turn that is dropped
   * silently (spam, opted out, paused) never does.
   */
  function contactFinder(contactKey: string, event: CustomerMessageEvent, profile: ContactProfile) {
    const webhookZone = deps.checkTimeZone(event.timezone, 'webhook');
    const asTurnContact = ({ contactId, details }: { contactId: string | null; details: ContactDetails | null }): TurnContact => ({
      contactId,
      phone: event.phone,
      name: event.name ?? details?.name ?? null,
      email: event.email ?? details?.email ?? null,
      timezone: webhookZone ?? details?.timezone ?? null,
    });
    const stored: FoundContact | null = profile.ghlContactId ? { contactId: profile.ghlContactId, details: checkedDetails(profile.details) } : null;
    let found: Promise<FoundContact> | null = stored && Promise.resolve(stored);
    const resolved = () => (found ??= resolveContact(contactKey, event, profile));
    return {
      initial: asTurnContact(stored ?? { contactId: event.contactId, details: null }),
      /** For the graph (`configurable.findContact`). */
      find: async () => asTurnContact(await resolved()),
      resolved,
      ifFound: async () => (found ? await found : null),
    };
  }

  /** Writes the values the customer gave that GHL does not have yet; a failure waits for the next turn. */
  async function saveLearned(contactId: string, state: Conversation, profile: ContactProfile, details: ContactDetails | null, event: CustomerMessageEvent, log: Logger) {
    // What GHL has already: its contact as we read it, and as the webhook (GHL's own) described it.
    const known: LearnedDetails = { name: details?.name ?? null, email: details?.email ?? null, ...profile.learned };
    const fromGhl: LearnedDetails = { name: event.name ?? null, email: event.email ?? null };
    const same = (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' ? a.trim().toLowerCase() === b.trim().toLowerCase() : a === b;
    const learned: LearnedDetails = { name: state.name, email: state.email, goal: state.goal, budget: state.budget };
    const changed = Object.fromEntries(
      Object.entries(learned).filter(([key, value]) => {
        const k = key as keyof LearnedDetails;
        return value !== null && value !== undefined && !same(value, known[k]) && !same(value, fromGhl[k]);
      }),
    ) as LearnedDetails;
    if (Object.keys(changed).length === 0) return;
    try {
      await contacts.saveLearned(contactId, changed);
    } catch (error) {
      if (error instanceof TurnLockLostError) throw error; // another run has the contact now: not ours to swallow
      log.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, 'could not write what the customer told us to the GHL contact; next turn tries again');
      return;
    }
    return { ...profile.learned, ...changed };
  }

  return async function runTurn(job: Job<JobData>, event: CustomerMessageEvent, pending: InboxMessage[], turnKey: string, log: Logger, nodes: string[]): Promise<TurnOutcome> {
    const contactKey = job.data.contactKey!;
    const profile = await profiles.get(contactKey);
    // Any message from the customer answers the last question: its pending nudge goes.
    if (profile.awaiting && deps.followUps) await deps.followUps.cancel(contactKey, profile.awaiting);
    const contact = contactFinder(contactKey, event, profile);

    // The record keeps every word; understanding reads a capped, whitespace-collapsed copy (text-limits).
    const message = pending.map((m) => m.body).join('\n');
    const input = turnInput({
      turnId: pending[0].runId,
      message: textForUnderstanding(pending.map((m) => m.body)),
      attachments: pending.reduce((n, m) => n + m.attachments, 0),
      now: deps.now(),
      contact: contact.initial,
      booking: profile.booking,
      optedOut: profile.optedOut,
      pausedUntil: profile.pausedUntil,
    });

    // The window runs from the customer's newest message (this turn's, or an earlier one if it is newer).
    const lastInboundMs = Math.max(...pending.map((m) => m.receivedAt), profile.lastInboundAt ? Date.parse(profile.lastInboundAt) : 0);
    let windowClosed = false;
    let state: Conversation | null = null;
    let found: FoundContact | null = null;
    try {
      // A turn always starts from START, so only its end state is worth saving (`durability: 'exit'`);
      // 'values' chunks carry that state, so no read after the run is needed.
      let last = Date.now();
      const stream = await deps.graph.stream(input, { configurable: { thread_id: contactKey, findContact: contact.find }, streamMode: ['updates', 'values'], durability: 'exit' });
      for await (const [mode, chunk] of stream) {
        if (mode === 'values') {
          state = chunk as Conversation;
          continue;
        }
        for (const node of Object.keys(chunk)) {
          nodes.push(node);
          deps.metrics.nodeDuration.observe({ node }, (Date.now() - last) / 1000);
        }
        last = Date.now();
      }
      if (!state) throw new Error('the conversation graph produced no state');
      // Any turn that is not dropped silently found its contact in the graph; this only makes sure of it.
      found = state.reply || state.outcome !== 'ignored' ? await contact.resolved() : await contact.ifFound();
      if (state.reply && windowOpen(lastInboundMs, deps.now().getTime(), deps.whatsappWindowHours)) {
        await deps.sendReply(turnKey, found!.contactId, state.reply);
      } else if (state.reply) {
        // Held up past the window (an outage, a backlog): never free-form; the location's template workflow, once.
        windowClosed = true;
        const instead = deps.windowClosed ? await deps.windowClosed(found!.contactId, lastInboundMs) : 'none';
        deps.metrics.windowClosed.inc({ instead });
        log.warn({ lastInboundAt: new Date(lastInboundMs).toISOString(), instead }, "the reply is due outside WhatsApp's window: not sent");
      }
    } catch (error) {
      if (isUnknownContact(error)) {
        await profiles.update(contactKey, { ghlContactId: null, details: null });
        throw new ContactGoneError(`GHL no longer knows contact ${found?.contactId ?? contact.initial.contactId}; it will be found again by phone`, { cause: error });
      }
      throw error;
    }

    const learned = found ? await saveLearned(found.contactId, state, profile, found.details, event, log) : undefined;
    // A question the reply asked (goal, budget, name, a time or a choice of slots) gets its follow-ups; never
    // once booked or opted out, nor for a reply the window kept back.
    const asks = state.outcome === 'waiting_for_customer' || state.outcome === 'rejected';
    const awaiting: Awaiting | null =
      deps.followUps && deps.followUps.max > 0 && state.reply && !windowClosed && asks && state.lastAsked && !state.booking && !state.optedOut
        ? { turnKey, field: state.lastAsked, offeredSlots: state.offeredSlots, language: state.language ?? 'en', goal: state.goal, askedAt: deps.now().toISOString(), sent: 0 }
        : null;
    await profiles.update(contactKey, {
      awaiting,
      ...(state.optedOut !== profile.optedOut ? { optedOut: state.optedOut } : {}),
      ...(state.booking?.appointmentId !== profile.booking?.appointmentId || state.booking?.startTime !== profile.booking?.startTime ? { booking: state.booking } : {}),
      ...(learned ? { learned } : {}),
      lastInboundAt: new Date(lastInboundMs).toISOString(),
    });

    if (awaiting && found) await deps.followUps!.schedule({ locationId: job.data.locationId, contactKey, contactId: found.contactId, turnKey, n: 1 });
    const followUpAt = awaiting ? new Date(deps.now().getTime() + deps.followUps!.delayMs).toISOString() : null;

    const bookedNow = Boolean(state.booking && state.booking.appointmentId !== profile.booking?.appointmentId);
    return {
      bookedNow,
      record: {
        final_state: state.outcome ?? 'completed',
        nodes_executed: nodes,
        result: {
          booking_created: bookedNow,
          appointment_id: state.booking?.appointmentId ?? null,
          scheduled_time: state.booking?.startTime ?? null,
          action: windowClosed ? 'window_closed' : state.action,
          appointment_before: profile.booking ? { appointment_id: profile.booking.appointmentId, scheduled_time: profile.booking.startTime } : null,
          follow_up_at: followUpAt,
          customer: {
            name: state.name,
            goal: state.goal,
            budget: state.budget,
            preferred_time: state.preferredTime?.from ?? null,
            language: state.language,
          },
        },
        event_type: job.data.eventType,
        message,
        reply: windowClosed ? null : state.reply,
        error: null,
      },
    };
  };
}
