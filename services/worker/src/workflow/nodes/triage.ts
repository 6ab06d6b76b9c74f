import type { Intent } from '../../understanding/understanding';
import { formatSlot, replies } from '../replies';
import type { Conversation, ConversationUpdate } from '../state';
import type { WorkflowPorts } from '../ports';

export const OPTED_OUT_TAG = 'opted-out';

/** What a booked customer may say that needs nothing but a friendly word back. */
const SMALL_TALK_AFTER_BOOKING: ReadonlySet<Intent> = new Set(['small_talk', 'confirm', 'no_text']);

/** The zone a customer's words are read and answered in: theirs when GHL knows it, else the business's. */
export const customerZone = (s: Conversation, ports: WorkflowPorts) => s.contact.timezone ?? ports.rules.timeZone;

/**
 * Decides whether the bot answers at all: spam is dropped silently, STOP opts out (and tags the contact)
 * until START, a person replying from the GHL app pauses the bot, media without text gets a request for
 * text, everything else goes on to collect.
 * Understanding happens here, once per turn.
 */
export function triageNode(ports: WorkflowPorts) {
  return async (s: Conversation): Promise<ConversationUpdate> => {
    const understanding = await ports.understander.understand(s.message, {
      now: new Date(s.now),
      timeZone: customerZone(s, ports),
      offeredSlots: s.offeredSlots,
      previousLanguage: s.language,
      expecting: s.lastAsked,
      hasBooking: s.booking !== null,
      known: { goal: s.goal, budget: s.budget, name: s.name ?? s.contact.name, preferredTime: s.preferredTime },
    });
    const language = understanding.language;

    if (understanding.intent === 'opt_in' && s.optedOut) {
      const contactId = await ports.contacts.ensureContact(s.contact);
      await ports.contacts.removeTags(contactId, [OPTED_OUT_TAG]);
      return { understanding, language, optedOut: false, reply: replies.welcomeBack(language) };
    }
    if (s.optedOut) return { understanding, outcome: 'ignored' };
    if (s.pausedUntil && Date.parse(s.pausedUntil) > Date.parse(s.now)) return { understanding, outcome: 'ignored' };
    // Once booked, "thanks, see you then" or a 👍 is small talk: a short friendly answer, not a hand-off.
    if (s.booking && !s.pendingCancel && s.attachments === 0 && SMALL_TALK_AFTER_BOOKING.has(understanding.intent)) {
      const when = formatSlot(s.booking.startTime, customerZone(s, ports), language);
      return { understanding, language, lastAsked: null, outcome: 'completed', reply: replies.smallTalkAfterBooking(when, language) };
    }
    // A voice note, a picture or only emoji: a kind answer asking for text, never silence or a crash.
    if ((s.attachments > 0 && s.message.trim() === '') || understanding.intent === 'no_text') {
      return { understanding, language, outcome: 'waiting_for_customer', reply: replies.askForText(language) };
    }
    if (understanding.intent === 'spam') return { understanding, outcome: 'ignored' };
    if (understanding.intent === 'opt_out') {
      const contactId = await ports.contacts.ensureContact(s.contact);
      await ports.contacts.addTags(contactId, [OPTED_OUT_TAG]);
      return { understanding, language, optedOut: true, offeredSlots: [], lastAsked: null, outcome: 'completed', reply: replies.optedOut(language) };
    }
    return { understanding, language };
  };
}
