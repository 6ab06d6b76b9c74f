import { localParts, zonedTimeToInstant } from '@wab/shared';
import { formatSlot, replies } from '../replies';
import type { WorkflowPorts } from '../ports';
import type { Conversation, ConversationUpdate } from '../state';
import { BOOKED_TAG } from './book';
import { customerZone } from './triage';

/**
 * The booked appointment, as the customer asks to change it. A cancellation is confirmed once first ("do you
 * want me to cancel your appointment on …?"): a yes cancels it in GHL, a no keeps it, anything else moves on.
 * A move with a time goes on to validate and book (which moves the same appointment); a move without one is
 * asked for a time, and "later/earlier that day" becomes a window on the appointment's day.
 */
export function manageNode(ports: WorkflowPorts) {
  return async (s: Conversation): Promise<ConversationUpdate> => {
    const u = s.understanding!;
    const lang = s.language ?? 'en';
    const zone = customerZone(s, ports);
    const prefix = s.reply ?? '';
    const booking = s.booking;

    if (!booking) {
      if (u.intent !== 'cancel') return s.pendingCancel ? { pendingCancel: false } : {};
      return { pendingCancel: false, lastAsked: 'time', reply: prefix + replies.nothingToCancel(lang), outcome: 'completed', action: 'asked' };
    }
    const when = formatSlot(booking.startTime, zone, lang);

    if (s.pendingCancel && (u.intent === 'confirm' || u.intent === 'cancel')) {
      const contactId = await ports.contacts.ensureContact(s.contact);
      await ports.calendar.cancel({ turnId: s.turnId, contactId, appointmentId: booking.appointmentId });
      await ports.contacts.removeTags(contactId, [BOOKED_TAG]);
      return {
        booking: null,
        pendingCancel: false,
        offeredSlots: [],
        preferredTime: null,
        lastAsked: 'time',
        reply: prefix + replies.cancelled(when, lang),
        outcome: 'completed',
        action: 'cancelled',
      };
    }
    if (s.pendingCancel && u.intent === 'decline') {
      return { pendingCancel: false, lastAsked: null, reply: prefix + replies.keptBooking(when, lang), outcome: 'completed' };
    }
    if (u.intent === 'cancel') {
      return { pendingCancel: true, offeredSlots: [], lastAsked: null, reply: prefix + replies.confirmCancel(when, lang), outcome: 'waiting_for_customer', action: 'asked' };
    }
    const cleared: ConversationUpdate = s.pendingCancel ? { pendingCancel: false } : {};

    if (u.intent === 'reschedule' && !u.preferredTime && u.slotChoice === null) {
      if (u.shift) return { ...cleared, understanding: { ...u, preferredTime: sameDayWindow(booking.startTime, u.shift, zone) } };
      return { ...cleared, offeredSlots: [], lastAsked: 'time', reply: prefix + replies.askNewTime(when, lang), outcome: 'waiting_for_customer', action: 'asked' };
    }
    return cleared;
  };
}

/** Later (after the appointment, to the end of its day) or earlier (from the day's start) on the appointment's day. */
function sameDayWindow(startIso: string, shift: 'later' | 'earlier', zone: string) {
  const start = Date.parse(startIso);
  const p = localParts(new Date(start), zone);
  const dayStart = zonedTimeToInstant(p.year, p.month, p.day, 0, 0, zone).getTime();
  const dayEnd = zonedTimeToInstant(p.year, p.month, p.day, 23, 59, zone).getTime() + 60_000;
  const [from, to] = shift === 'later' ? [start + 60_000, dayEnd] : [dayStart, start];
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), precision: 'range' as const, text: shift };
}
