import { keysFor, type ProductKeys, type RedisConnection } from '@wab/shared';
import type { ContactDetails, LearnedDetails } from '../workflow/ports';
import type { ExpectedField, Language } from '../understanding/understanding';
import type { Booking } from '../workflow/state';

/** The question the bot's last reply asked and no message has answered yet: what a follow-up repeats. */
export interface Awaiting {
  /** The turn that asked; its nudges are keyed by it. */
  turnKey: string;
  field: ExpectedField;
  /** The slots offered, when the question was a choice of them. */
  offeredSlots: string[];
  language: Language;
  goal: string | null;
  askedAt: string;
  /** Nudges sent for it so far. */
  sent: number;
}

/** What is known about a contact outside any one conversation turn; events from GHL change it directly. */
export interface ContactProfile {
  ghlContactId: string | null;
  /** What GHL knew of the contact when the conversation started (name, email, a checked time zone). */
  details: ContactDetails | null;
  /** What the bot last wrote to the GHL contact, so a value is written once, not every turn. */
  learned: LearnedDetails | null;
  optedOut: boolean;
  pausedUntil: string | null;
  booking: Booking | null;
  /** When the customer last wrote (ISO): WhatsApp's free-form window runs from it. */
  lastInboundAt: string | null;
  awaiting: Awaiting | null;
}

export class ContactProfiles {
  private readonly keys: ProductKeys;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly ttlSeconds: number,
  ) {
    this.keys = keysFor(prefix, redis);
  }

  async get(contactKey: string): Promise<ContactProfile> {
    const h = await this.redis.hgetall(this.keys.forContact(contactKey).profile);
    return {
      ghlContactId: h.ghlContactId || null,
      details: h.details ? (JSON.parse(h.details) as ContactDetails) : null,
      learned: h.learned ? (JSON.parse(h.learned) as LearnedDetails) : null,
      optedOut: h.optedOut === '1',
      pausedUntil: h.pausedUntil || null,
      booking: h.booking ? (JSON.parse(h.booking) as Booking) : null,
      lastInboundAt: h.lastInboundAt || null,
      awaiting: h.awaiting ? (JSON.parse(h.awaiting) as Awaiting) : null,
    };
  }

  async update(contactKey: string, change: Partial<ContactProfile>): Promise<void> {
    const fields: Record<string, string> = {};
    if (change.ghlContactId !== undefined) fields.ghlContactId = change.ghlContactId ?? '';
    if (change.details !== undefined) fields.details = change.details ? JSON.stringify(change.details) : '';
    if (change.learned !== undefined) fields.learned = change.learned ? JSON.stringify(change.learned) : '';
    if (change.optedOut !== undefined) fields.optedOut = change.optedOut ? '1' : '0';
    if (change.pausedUntil !== undefined) fields.pausedUntil = change.pausedUntil ?? '';
    if (change.booking !== undefined) fields.booking = change.booking ? JSON.stringify(change.booking) : '';
    if (change.lastInboundAt !== undefined) fields.lastInboundAt = change.lastInboundAt ?? '';
    if (change.awaiting !== undefined) fields.awaiting = change.awaiting ? JSON.stringify(change.awaiting) : '';
    if (Object.keys(fields).length === 0) return;
    const key = this.keys.forContact(contactKey).profile;
    await this.redis.multi().hset(key, fields).expire(key, this.ttlSeconds).exec();
  }
}
