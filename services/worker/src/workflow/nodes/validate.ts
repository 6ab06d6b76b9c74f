import { formatMoney, replies } from '../replies';
import type { WorkflowPorts } from '../ports';
import { serviceLabel } from '../service-labels';
import { offersGoal } from '../service-match';
import type { Conversation, ConversationUpdate } from '../state';

/**
 * Business rules: minimum budget, offered services, and a time that is ahead, with enough notice and not
 * too far out. A refusal is a polite reply that says why and what would work; the failing field is
 * cleared so the next message can supply a new one.
 */
export function validateNode(ports: WorkflowPorts) {
  const { rules } = ports;
  return async (s: Conversation): Promise<ConversationUpdate> => {
    const lang = s.language ?? 'en';
    const reject = (reply: string, cleared: ConversationUpdate): ConversationUpdate => ({ ...cleared, reply: (s.reply ?? '') + reply, outcome: 'rejected', action: 'asked' });

    // Budget and service were settled by the booking; a move is checked for its new time only.
    if (!s.booking && (s.budget ?? 0) < rules.minBudget) {
      return reject(replies.budgetTooLow(formatMoney(rules.minBudget, rules.currency, lang), lang), { budget: null, lastAsked: 'budget' });
    }
    if (!s.booking && rules.services.length > 0 && s.goal && !offersGoal(s.goal, rules.services)) {
      const label = (goal: string) => serviceLabel(goal, lang, rules.serviceLabels);
      return reject(replies.serviceNotOffered(label(s.goal), rules.services.map(label), lang), { goal: null, lastAsked: 'goal' });
    }

    const now = Date.parse(s.now);
    const earliest = now + rules.minNoticeMinutes * 60_000;
    const latest = now + rules.maxDaysAhead * 24 * 3600_000;
    const window = s.chosenSlot
      ? { from: Date.parse(s.chosenSlot), to: Date.parse(s.chosenSlot) + 1 }
      : s.preferredTime
        ? { from: Date.parse(s.preferredTime.from), to: Date.parse(s.preferredTime.to) }
        : null;
    if (window) {
      const cleared = { preferredTime: null, chosenSlot: null, offeredSlots: [], lastAsked: 'time' as const };
      if (window.to <= now) return reject(replies.timeInPast(lang), cleared);
      if (window.to <= earliest) return reject(replies.timeTooSoon(Math.ceil(rules.minNoticeMinutes / 60), lang), cleared);
      if (window.from > latest) return reject(replies.timeTooFar(rules.maxDaysAhead, lang), cleared);
    }
    return {};
  };
}
