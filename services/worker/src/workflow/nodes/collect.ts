import { inBusinessCurrency, type ExpectedField } from '../../understanding/understanding';
import { serviceLabel } from '../service-labels';
import { replies } from '../replies';
import type { WorkflowPorts } from '../ports';
import type { Conversation, ConversationUpdate } from '../state';

/**
 * Merges what this message said into what the conversation already knows, and asks for the first
 * missing field, one short question at a time (goal, then budget, then name). A preferred time is
 * welcome but not required: without one, the book node takes the next free slot.
 */
export function collectNode(ports: Pick<WorkflowPorts, 'rules'>) {
  const { rules } = ports;
  return async (s: Conversation): Promise<ConversationUpdate> => {
    const u = s.understanding!;
    const lang = s.language ?? 'en';
    // A budget in another currency ("€2000" for a USD business, "3 mil pesos") is not compared as if it were ours.
    const budget = u.budget ? inBusinessCurrency(u.budget, rules.currency) : null;
    const foreignBudget = u.budget !== null && budget === null;
    const known = {
      name: u.name ?? s.name ?? s.contact.name,
      goal: u.goal ?? s.goal,
      budget: budget ?? s.budget,
      email: u.email ?? s.email ?? s.contact.email,
    };
    const update: ConversationUpdate = { ...known };
    if (u.preferredTime) {
      update.preferredTime = u.preferredTime;
      update.offeredSlots = [];
    } else if (s.offeredSlots.length > 0 && u.slotChoice !== null && s.offeredSlots[u.slotChoice]) {
      update.chosenSlot = s.offeredSlots[u.slotChoice];
    } else if (s.offeredSlots.length > 0 && u.intent === 'decline') {
      update.offeredSlots = [];
      update.preferredTime = null;
    }

    const prefix = (s.reply ?? '') + (u.intent === 'greeting' && !s.goal ? replies.greeting(known.name, lang) : '');
    // A booked customer changing the time is not asked again for what the booking already settled.
    if (s.booking) return update;
    const ask = (field: ExpectedField, question: string): ConversationUpdate => ({
      ...update,
      lastAsked: field,
      reply: prefix + question,
      outcome: 'waiting_for_customer',
      action: 'asked',
    });
    if (!known.goal) return ask('goal', replies.askGoal(lang));
    if (foreignBudget && known.budget === null) return ask('budget', replies.askBudgetInCurrency(rules.currency, lang));
    if (known.budget === null) return ask('budget', replies.askBudget(serviceLabel(known.goal, lang, rules.serviceLabels), lang));
    if (!known.name) return ask('name', replies.askName(lang));
    return update;
  };
}
