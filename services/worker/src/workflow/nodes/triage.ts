import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { Intent } from '../../understanding/understanding';
import { formatSlot, replies } from '../replies';
import type { Conversation, ConversationUpdate, TurnContact } from '../state';
import type { WorkflowPorts } from '../ports';

export const OPTED_OUT_TAG = 'opted-out';

/** What a booked customer may say that needs nothing but a friendly word back. */
const SMALL_TALK_AFTER_BOOKING: ReadonlySet<Intent> = new Set(['small_talk', 'confirm', 'no_text']);

/** The zone a customer's words are read and answered in: theirs when GHL knows it, else the business's. */
export const customerZone = (s: Pick<Conversation, 'contact'>, ports: WorkflowPorts) => s.contact.timezone ?? ports.rules.timeZone;

/**
 * Finds the turn's contact in GHL (its id, name and zone), once per turn; the worker hands it in per run
 * (`configurable.findContact`). Without it (the graph on its own) the turn's contact is taken as it came.
 */
export type FindContact = () => Promise<TurnContact>;
const findContactOf = (config?: LangGraphRunnableConfig): FindContact | undefined => config?.configurable?.findContact as FindContact | undefined;

/**
 * Decides whether the bot answers at all: spam is dropped silently, STOP opts out (and tags the contact)
 * until START, a person replying from the GHL app pauses the bot, media without text gets a request for
 * text, everything else goes on to collect.
 * Understanding happens here, once per turn (twice only when GHL's zone for a new contact turns out to differ
 * from the one assumed). A turn dropped silently never looks the contact up: spam costs no GHL call.
 */
export function triageNode(ports: WorkflowPorts) {
  const understand = (s: Conversation, contact: TurnContact) =>
    ports.understander.understand(s.message, {
      now: new Date(s.now),
      timeZone: customerZone({ contact }, ports),
      offeredSlots: s.offeredSlots,
      previousLanguage: s.language,
      expecting: s.lastAsked,
      hasBooking: s.booking !== null,
      known: { goal: s.goal, budget: s.budget, name: s.name ?? contact.name, preferredTime: s.preferredTime },
    });

  return async (s: Conversation, config?: LangGraphRunnableConfig): Promise<ConversationUpdate> => {
    let understanding = await understand(s, s.contact);
    const optIn = understanding.intent === 'opt_in' && s.optedOut;
    const asksForText = (s.attachments > 0 && s.message.trim() === '') || understanding.intent === 'no_text';
    if (!optIn) {
      if (s.optedOut) return { understanding, outcome: 'ignored' };
      if (s.pausedUntil && Date.parse(s.pausedUntil) > Date.parse(s.now)) return { understanding, outcome: 'ignored' };
      if (understanding.intent === 'spam' && !asksForText) return { understanding, outcome: 'ignored' };
    }

    // Every other way on answers the customer or writes to the contact: now the contact is worth finding.
    const findContact = findContactOf(config);
    const contact = findContact ? await findContact() : s.contact;
    if (customerZone({ contact }, ports) !== customerZone(s, ports)) understanding = await understand(s, contact);
    const at = { ...s, contact };
    const language = understanding.language;

    if (optIn) {
      const contactId = await ports.contacts.ensureContact(contact);
      await ports.contacts.removeTags(contactId, [OPTED_OUT_TAG]);
      return { contact, understanding, language, optedOut: false, reply: replies.welcomeBack(language) };
    }
    // Once booked, "thanks, see you then" or a 👍 is small talk: a short friendly answer, not a hand-off.
    if (s.booking && !s.pendingCancel && s.attachments === 0 && SMALL_TALK_AFTER_BOOKING.has(understanding.intent)) {
      const when = formatSlot(s.booking.startTime, customerZone(at, ports), language);
      return { contact, understanding, language, lastAsked: null, outcome: 'completed', reply: replies.smallTalkAfterBooking(when, language) };
    }
    // A voice note, a picture or only emoji: a kind answer asking for text, never silence or a crash.
    if (asksForText) {
      return { contact, understanding, language, outcome: 'waiting_for_customer', reply: replies.askForText(language) };
    }
    if (understanding.intent === 'opt_out') {
      const contactId = await ports.contacts.ensureContact(contact);
      await ports.contacts.addTags(contactId, [OPTED_OUT_TAG]);
      return { contact, understanding, language, optedOut: true, offeredSlots: [], lastAsked: null, outcome: 'completed', reply: replies.optedOut(language) };
    }
    return { contact, understanding, language };
  };
}
