import type { Understander } from '../understanding/understanding';
import type { OpeningHours } from './opening-hours';
import type { ServiceLabels } from './service-labels';

/** Business rules the validate node applies (from configuration). */
export interface BusinessRules {
  minBudget: number;
  /** Services the business offers; empty means any goal is fine. */
  services: string[];
  minNoticeMinutes: number;
  maxDaysAhead: number;
  timeZone: string;
  /** Currency shown in replies about the minimum budget. */
  currency: string;
  /** How services are named to customers, per language, over the built-in labels (workflow/service-labels). */
  serviceLabels?: ServiceLabels;
}

export type BookResult = { ok: true; appointmentId: string; startTime: string } | { ok: false; reason: 'slot_taken' };
export type CancelResult = { ok: true; appointmentId: string };

/** The calendar as the book node needs it; GHL behind it in production, the sandbox in tests. */
export interface CalendarPort {
  slotMinutes(): Promise<number>;
  /** When the business is open (the calendar's open hours), or null when the calendar does not say. */
  openingHours?(): Promise<OpeningHours | null>;
  /** Free slot starts (ISO) between two instants, sorted. */
  freeSlots(fromMs: number, toMs: number, timeZone: string): Promise<string[]>;
  /** The booking an earlier run of this turn made (a retried or resumed turn must not book again). */
  bookedInTurn(turnId: string): Promise<Extract<BookResult, { ok: true }> | null>;
  /** Books at most once per turn: a repeated call for the same turn returns the first booking. */
  book(input: { turnId: string; contactId: string; startTime: string; endTime: string; title: string }): Promise<BookResult>;
  /** The move an earlier run of this turn made, if any. */
  movedInTurn(turnId: string): Promise<Extract<BookResult, { ok: true }> | null>;
  /** Moves the appointment at most once per turn (same appointment id, new start and end). */
  move(input: { turnId: string; contactId: string; appointmentId: string; startTime: string; endTime: string }): Promise<BookResult>;
  /** Cancels the appointment at most once per turn; it stays in GHL with status cancelled. */
  cancel(input: { turnId: string; contactId: string; appointmentId: string }): Promise<CancelResult>;
}

export interface ContactDetails {
  name: string | null;
  email: string | null;
  timezone: string | null;
}

/** What the bot learned in the conversation and writes back to the contact; only changed values are sent. */
export interface LearnedDetails {
  name?: string | null;
  email?: string | null;
  goal?: string | null;
  budget?: number | null;
}

export interface ContactsPort {
  /** What GHL knows of the contact (name, email, time zone), or null when it does not know it. */
  describe(contactId: string): Promise<ContactDetails | null>;
  /** The GHL contact id for this customer, creating the contact when the webhook carried none. */
  ensureContact(input: { contactId: string | null; phone: string | null; name: string | null; email: string | null }): Promise<string>;
  /**
   * Finds the contact by phone (or makes it) and says what GHL knows of it, in one call where the CRM can;
   * without it, ensureContact then describe.
   */
  findOrCreate?(input: { phone: string | null; name: string | null; email: string | null }): Promise<{ contactId: string; details: ContactDetails }>;
  /** Writes what the customer told the bot (name, email, goal and budget where custom fields are set) to the CRM. */
  saveLearned(contactId: string, learned: LearnedDetails): Promise<void>;
  addTags(contactId: string, tags: string[]): Promise<void>;
  removeTags(contactId: string, tags: string[]): Promise<void>;
}

/** Everything with a side effect, handed to the graph at construction. */
export interface WorkflowPorts {
  understander: Understander;
  calendar: CalendarPort;
  contacts: ContactsPort;
  rules: BusinessRules;
}
