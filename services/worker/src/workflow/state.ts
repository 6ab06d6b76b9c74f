import { Annotation } from '@langchain/langgraph';
import type { FinalState } from '@wab/shared';
import type { ExpectedField, Language, TimePreference, Understanding } from '../understanding/understanding';

const keep = <T>(initial: () => T) => Annotation<T>({ reducer: (_old, update) => update, default: initial });

export interface Booking {
  appointmentId: string;
  startTime: string;
}

/** Who the customer is, as far as the turn knows (from the webhook and GHL). */
export interface TurnContact {
  contactId: string | null;
  phone: string | null;
  name: string | null;
  email: string | null;
  timezone: string | null;
}

/**
 * One conversation's state, saved by the checkpointer at the end of each turn (`durability: 'exit'`). The
 * first group lasts across turns; the second is set afresh by each turn's input.
 */
export const ConversationState = Annotation.Root({
  language: keep<Language | null>(() => null),
  name: keep<string | null>(() => null),
  goal: keep<string | null>(() => null),
  budget: keep<number | null>(() => null),
  email: keep<string | null>(() => null),
  preferredTime: keep<TimePreference | null>(() => null),
  /** Slot starts offered in the last reply, so "the second one" can be understood next turn. */
  offeredSlots: keep<string[]>(() => []),
  /** What the bot's last reply asked for: the next message is read as its answer first. */
  lastAsked: keep<ExpectedField | null>(() => null),
  booking: keep<Booking | null>(() => null),
  /** The bot asked "do you want me to cancel…?": a yes cancels, a no keeps the appointment. */
  pendingCancel: keep<boolean>(() => false),
  optedOut: keep<boolean>(() => false),
  /** A person answered from the GHL app: the bot stays quiet until then. */
  pausedUntil: keep<string | null>(() => null),

  // Per turn
  /** The run id of the turn's oldest message: the graph's effects (the booking) are keyed by it. */
  turnId: keep<string>(() => ''),
  message: keep<string>(() => ''),
  /** Media the turn's messages carried (voice notes, images). */
  attachments: keep<number>(() => 0),
  now: keep<string>(() => new Date(0).toISOString()),
  contact: keep<TurnContact>(() => ({ contactId: null, phone: null, name: null, email: null, timezone: null })),
  understanding: keep<Understanding | null>(() => null),
  /** A slot the customer picked from the offer, to be booked this turn. */
  chosenSlot: keep<string | null>(() => null),
  outcome: keep<FinalState | null>(() => null),
  /** What the turn did, for the run record. */
  action: keep<TurnAction | null>(() => null),
  reply: keep<string | null>(() => null),
});

/** What a turn (or a nudge) did, shown as `result.action` in GET /runs/:id. */
export type TurnAction = 'booked' | 'rescheduled' | 'cancelled' | 'offered' | 'asked' | 'nudged' | 'window_closed';

export type Conversation = typeof ConversationState.State;
export type ConversationUpdate = typeof ConversationState.Update;

/** The input that starts a turn: clears what the last turn decided. */
export function turnInput(input: {
  turnId: string;
  message: string;
  attachments?: number;
  now: Date;
  contact: TurnContact;
  booking?: Booking | null;
  optedOut?: boolean;
  pausedUntil?: string | null;
}): ConversationUpdate {
  return {
    turnId: input.turnId,
    message: input.message,
    attachments: input.attachments ?? 0,
    now: input.now.toISOString(),
    contact: input.contact,
    understanding: null,
    chosenSlot: null,
    outcome: null,
    action: null,
    reply: null,
    ...(input.booking !== undefined ? { booking: input.booking } : {}),
    ...(input.optedOut !== undefined ? { optedOut: input.optedOut } : {}),
    ...(input.pausedUntil !== undefined ? { pausedUntil: input.pausedUntil } : {}),
  };
}
