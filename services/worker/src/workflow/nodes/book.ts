import { describeOpeningHours, overlapsOpenHours } from '../opening-hours';
import { formatSlot, replies } from '../replies';
import { serviceLabel } from '../service-labels';
import type { WorkflowPorts } from '../ports';
import type { Conversation, ConversationUpdate } from '../state';
import { customerZone } from './triage';

export const BOOKED_TAG = 'booked';
const DAY_MS = 24 * 3600_000;
/** How far past the preferred time the book node looks for alternatives to offer. */
const OFFER_HORIZON_DAYS = 7;
/** Without a preferred time, the next free slot within this many days is booked. */
const NEXT_FREE_HORIZON_DAYS = 14;
const OFFER_COUNT = 3;
/** How many listed slots a turn tries before it offers others (each try is one GHL create). */
const BOOKING_TRIES = 3;

/** The `count` free slots nearest to `target`, in time order. */
export function nearestSlots(slots: string[], target: number, count = OFFER_COUNT): string[] {
  return [...slots]
    .sort((a, b) => Math.abs(Date.parse(a) - target) - Math.abs(Date.parse(b) - target))
    .slice(0, count)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
}

/**
 * Books (or, with an appointment booked, moves) a real free slot on the business's calendar: the slot the customer picked, their preferred time
 * when it is free, the first free slot of a preferred day or part of day, or (no preference) the next
 * free slot. Otherwise it offers the nearest free slots and waits for the answer. The calendar port
 * makes the booking itself exactly-once.
 */
export function bookNode(ports: WorkflowPorts) {
  const { calendar, contacts, rules } = ports;
  return async (s: Conversation): Promise<ConversationUpdate> => {
    const lang = s.language ?? 'en';
    const zone = customerZone(s, ports);
    const prefix = s.reply ?? '';
    const now = Date.parse(s.now);
    const earliest = now + rules.minNoticeMinutes * 60_000;

    const booking = s.booking;
    // One appointment per customer: with one booked, a time is a move of it; without a time there is nothing to do.
    if (booking && !s.chosenSlot && !s.preferredTime) {
      return {
        preferredTime: null,
        chosenSlot: null,
        offeredSlots: [],
        lastAsked: null,
        reply: prefix + replies.alreadyBooked(formatSlot(booking.startTime, zone, lang), lang),
        outcome: 'completed',
      };
    }
    // The bot chose the time itself (none was asked for): the confirmation says how to change it.
    const automatic = !s.chosenSlot && !s.preferredTime;

    const confirm = async (contactId: string, booked: { appointmentId: string; startTime: string }): Promise<ConversationUpdate> => {
      const when = formatSlot(booked.startTime, zone, lang);
      if (!booking) await contacts.addTags(contactId, [BOOKED_TAG]);
      const text = booking
        ? replies.moved(s.name, when, lang)
        : replies.confirmed(s.name, s.goal && serviceLabel(s.goal, lang, rules.serviceLabels), when, lang) + (automatic ? replies.howToChange(lang) : '');
      return {
        booking: { appointmentId: booked.appointmentId, startTime: booked.startTime },
        offeredSlots: [],
        preferredTime: null,
        chosenSlot: null,
        lastAsked: null,
        reply: prefix + text,
        outcome: 'completed',
        action: booking ? 'rescheduled' : 'booked',
      };
    };

    // A retried or resumed turn finds what its earlier run booked or moved, even though that slot is no longer free.
    const earlier = booking ? await calendar.movedInTurn(s.turnId) : await calendar.bookedInTurn(s.turnId);
    if (earlier) return confirm(await contacts.ensureContact(s.contact), earlier);

    const offer = async (target: number, reason: 'unavailable' | 'taken', exclude: string[] = []): Promise<ConversationUpdate> => {
      const from = Math.max(earliest, target - DAY_MS);
      const free = (await calendar.freeSlots(from, Math.max(from, target) + OFFER_HORIZON_DAYS * DAY_MS, rules.timeZone)).filter(
        (slot) => !exclude.some((x) => Date.parse(x) === Date.parse(slot)),
      );
      if (free.length === 0) {
        return { offeredSlots: [], preferredTime: null, lastAsked: 'time', reply: prefix + replies.noSlots(lang), outcome: 'waiting_for_customer', action: 'asked' };
      }
      const offered = nearestSlots(free, target);
      const closed = reason === 'unavailable' ? await closedAt(s.preferredTime) : null;
      const text = closed ? replies.offer(offered, zone, lang, 'closed', closed) : replies.offer(offered, zone, lang, reason);
      return { offeredSlots: offered, lastAsked: 'slot', reply: prefix + text, outcome: 'waiting_for_customer', action: 'offered' };
    };
    /** The opening hours, said in `lang`, when the wanted window lies wholly outside them; else null. */
    const closedAt = async (wanted: Conversation['preferredTime']): Promise<string | null> => {
      if (!wanted || !calendar.openingHours) return null;
      const hours = await calendar.openingHours();
      if (!hours || overlapsOpenHours(hours, Date.parse(wanted.from), Date.parse(wanted.to))) return null;
      return describeOpeningHours(hours, lang);
    };

    // The slots to try, best first: the one picked or asked for exactly, else the free ones in order.
    let candidates: string[];
    let target: number;
    if (s.chosenSlot) {
      candidates = [s.chosenSlot];
      target = Date.parse(s.chosenSlot);
    } else if (s.preferredTime) {
      target = Date.parse(s.preferredTime.from);
      const free = await calendar.freeSlots(Math.max(target, earliest), Date.parse(s.preferredTime.to), rules.timeZone);
      candidates = s.preferredTime.precision === 'exact' ? free.filter((slot) => Date.parse(slot) === target) : free;
      if (candidates.length === 0) return offer(target, 'unavailable');
    } else {
      target = earliest;
      candidates = await calendar.freeSlots(earliest, earliest + NEXT_FREE_HORIZON_DAYS * DAY_MS, rules.timeZone);
      if (candidates.length === 0) return { lastAsked: 'time', reply: prefix + replies.noSlots(lang), outcome: 'waiting_for_customer', action: 'asked' };
    }

    const contactId = await contacts.ensureContact({ ...s.contact, name: s.name, email: s.email });
    const minutes = await calendar.slotMinutes();
    const title = [s.goal, s.name].filter(Boolean).join(' – ') || 'WhatsApp booking';
    // A slot taken since it was listed: a customer who named no exact time gets the next one instead.
    const taken: string[] = [];
    for (const start of candidates.slice(0, BOOKING_TRIES)) {
      const endTime = new Date(Date.parse(start) + minutes * 60_000).toISOString();
      const result = booking
        ? await calendar.move({ turnId: s.turnId, contactId, appointmentId: booking.appointmentId, startTime: start, endTime })
        : await calendar.book({ turnId: s.turnId, contactId, startTime: start, endTime, title });
      if (result.ok) return confirm(contactId, result);
      taken.push(start);
    }
    return offer(target, 'taken', taken);
  };
}
