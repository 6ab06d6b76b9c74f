/**
 * Deterministic, offline understanding of one WhatsApp message (English or Spanish).
 *
 * Every extractor works on a "folded" copy of the text (lower case, accents stripped, curly
 * apostrophes straightened) that has exactly the same length as the original, so a match in the
 * folded text can be cut out of the original by index. Each extractor marks the characters it
 * used; whatever meaningful words are left unmarked at the end decide `confident`.
 *
 * Documented rules (tests pin each one):
 *  - Budget ranges ("$1000-2000", "between 1k and 2k", "de 1000 a 2000") yield the LOWER bound.
 *    Conservative on purpose: the minimum-budget business rule must not pass on the optimistic end.
 *  - A bare number is a budget only with a currency sign/word, a multiplier ("2k", "3 mil") or the
 *    word budget/presupuesto/invest nearby; clock times, dates, phone numbers never are.
 *  - Amounts in words count like digits: "dos mil", "two thousand five hundred", "un millón".
 *  - "$" means USD, "€" EUR, "£" GBP; "pesos" stays currency null (too many countries use it) and
 *    is marked `ambiguousCurrency: 'peso'` so it is never taken for the business's currency.
 *  - Time windows, in the zone the turn is read in (the customer's when GHL knows it, else the business's), `to` exclusive:
 *      exact       "tomorrow at 3pm"  → [15:00, 16:00)  (one hour from the named time)
 *      range       "between 2 and 4pm" → [14:00, 16:00) (any start inside it; see the qualifiers below)
 *      part_of_day morning [09:00, 12:00), afternoon [12:00, 17:00), evening [17:00, 20:00)
 *      day         "Friday"           → [00:00, next day 00:00) (business hours are applied elsewhere)
 *    "next week" / "la semana que viene" is a day-precision window Monday 00:00 → the Monday after.
 *    An hour 1-7 without am/pm ("a las 3", "at 3") is read as the afternoon (15:00): nobody books
 *    a 3 a.m. appointment. A time without a day is today if still ahead, otherwise tomorrow.
 *  - Slot answers only apply when slots were offered. "yes"/"ok"/"sí" picks slot 0 when exactly
 *    one slot was offered; with several it is intent 'confirm' with slotChoice null.
 *  - Bare "CANCEL" is a carrier-standard opt-out keyword (like STOP) for a customer with no appointment;
 *    with one booked (context.hasBooking) it means the appointment: intent 'cancel'. "cancel my appointment"
 *    is always 'cancel'; "I can't cancel my gym" or "cancel my gym membership" never is (./heuristic/appointment-change).
 *  - "reschedule", "can we move it", "another day", "something later that day", "¿podemos cambiarla…?" are
 *    intent 'reschedule' (with the new time when one is named, and `shift` for a bare later/earlier).
 *  - Spam by repeated characters: a run of 8+ identical non-digit characters that makes up at
 *    least half the message, or any run of 20+; emoji never count. Empty text is spam; text with
 *    no letter or digit (emoji only, "?") is intent 'no_text'.
 *  - Typos in the words that matter (services, budget, weekdays, opting out) are corrected before
 *    anything reads the message (./heuristic/typos: 1 edit for 5-6 letters, 2 from 7, none up to 4).
 *  - The answer to the bot's last question (context.expecting) is read as that answer first: a bare
 *    number is the budget ("1200", "maybe 700 a month?") unless it is a clock time ("at 3"), a count
 *    ("8 people", "3 locations", "12 years") or taken back ("not 250"); one to three plain words are
 *    the name; a short phrase naming no known service is the goal in the customer's words.
 *  - Qualifiers bound the window ('range', ./heuristic/time-qualifiers): "after 3" [15:00, 24:00),
 *    "before noon" [00:00, 12:00), "between 10 and 12" [10:00, 12:00), "late morning" [10:30, 12:00);
 *    "around 3" is exactly 15:00. Durations and counts ("12 years", "24/7") are never dates.
 *  - Corrections keep what they do not name (./heuristic/correction): a known "Tuesday at 11" and
 *    "oh wait, Thursday" give Thursday at 11; "make it 3 instead of 2" keeps the day.
 *  - Opt-outs in a sentence ("please stop messaging me", "deja de mandarme mensajes") in messages of
 *    up to OPT_OUT_PHRASE_MAX_WORDS words; a negated stop ("don't stop the campaign") never is one.
 *  - Thanks and goodbyes alone ("thanks, see you then") are intent 'small_talk'.
 *  - Only the first UNDERSTANDING_MAX_CHARS characters are read, whitespace runs collapsed
 *    (./text-limits); chrono reads at most CHRONO_MAX_CHARS of what the other extractors left,
 *    with at most CHRONO_MAX_NUMBERS groups of digits and CHRONO_MAX_DURATIONS durations.
 *
 * Each extractor lives in ./heuristic/ (one file each); this file composes them in the order that
 * matters (spam and keywords first, then contact details, slot positions, budget, name, time, goal).
 */
import type { Intent, Understander, Understanding, UnderstandingContext } from './understanding';
import { Analysis, compactFolded, firstWords, words } from './heuristic/analysis';
import { findBudget } from './heuristic/budget';
import { markEmailsLinksPhones } from './heuristic/contact';
import { mergeWithKnownTime } from './heuristic/correction';
import { findBareGoal, findGoal } from './heuristic/goal';
import { findCancel, findReschedule, isBareCancel } from './heuristic/appointment-change';
import { GREETING_RE, QUESTION_START_RE } from './heuristic/intent-cues';
import { detectLanguage } from './heuristic/language';
import { findBareName, findName } from './heuristic/name';
import { OPT_OUT_PHRASE_MAX_WORDS, isOptInKeyword, isOptOutKeyword, isOptOutPhrase } from './heuristic/opt-out';
import { isSmallTalk } from './heuristic/small-talk';
import { SHORT_ANSWER_MAX_WORDS, findSlotIndex, isConfirmation, isDecline, matchSlotByTime } from './heuristic/slot-answer';
import { isSpam, isTextless } from './heuristic/spam';
import { findTime } from './heuristic/time';
import { correctTypos } from './heuristic/typos';
import { FILLER } from './heuristic/word-lists';
import { capText, limitForUnderstanding } from './text-limits';

// The extractors one by one (tests and the OpenAI understander use them directly).
export { fold } from './heuristic/analysis';
export { correctTypos } from './heuristic/typos';
export { isOptOutPhrase } from './heuristic/opt-out';
export { parseBudget } from './heuristic/budget';
export { extractEmail } from './heuristic/contact';
export { extractGoal } from './heuristic/goal';
export { detectLanguage } from './heuristic/language';
export { extractName } from './heuristic/name';
export { isOptIn, isOptOut } from './heuristic/opt-out';
export { isSpam, isTextless } from './heuristic/spam';
export { CHRONO_MAX_CHARS, EXACT_WINDOW_MINUTES, PART_OF_DAY_HOURS, parseTimePreference } from './heuristic/time';
export { UNDERSTANDING_MAX_CHARS, collapseWhitespace, textForUnderstanding } from './text-limits';
// Time-zone arithmetic is shared with the GHL client and the sandbox; re-exported for this module's users.
export { formatInTimeZone, localParts, timeZoneOffsetMinutes, zonedTimeToInstant } from '@wab/shared';

/** "sorry", "I meant", "actually", "en realidad": the message corrects something said before. */
const CORRECTION_CUE_RE = /\b(?:sorry|i meant|i mean|meant|actually|wait|oops|correction|not|instead|rather|typo|en realidad|perdon|perdona|quise decir|quiero decir|mejor|en vez de|me equivoque|corrijo|no son|son)\b/;
/** Smallest bare number read as the budget when the bot has not asked for it yet. */
const IMPLIED_BUDGET_MIN = 100;
/** Longest message read as a bare answer (a name, a goal): longer ones say more than an answer. */
const BARE_ANSWER_MAX_CHARS = 120;

function result(partial: Pick<Understanding, 'intent' | 'language' | 'confident'>): Understanding {
  return {
    intent: partial.intent,
    language: partial.language,
    name: null,
    goal: null,
    budget: null,
    email: null,
    preferredTime: null,
    slotChoice: null,
    confident: partial.confident,
  };
}

/** Deterministic, offline understanding; see the header comment for every rule. */
export class HeuristicUnderstander implements Understander {
  async understand(text: string, context: UnderstandingContext): Promise<Understanding> {
    return understandSync(text, context);
  }
}

/** The heuristic as a plain synchronous function (what HeuristicUnderstander wraps). */
export function understandSync(text: string, context: UnderstandingContext): Understanding {
  // Callers should pass textForUnderstanding(messages); collapsing and capping again here is the
  // defence in depth that keeps every regex and chrono on bounded input whoever the caller is.
  // Typos in the words that matter are corrected first: every extractor, and every quote of the
  // customer's words in a reply, sees them spelled right (a correction may lengthen the text: capped again).
  const body = capText(correctTypos(limitForUnderstanding(text ?? '')));
  const a = new Analysis(body); // folds once for every extractor below
  const language = detectLanguage(body, context.previousLanguage, a.folded);
  if (isSpam(body, a.folded)) return result({ intent: 'spam', language, confident: true });
  if (isTextless(body)) return result({ intent: 'no_text', language, confident: true });
  // Keywords (STOP, alta…) and confirmations/declines are whole messages of a few words: a longer
  // text is neither, and is not compacted (that was three passes over up to the whole cap).
  const leadingWords = firstWords(a.folded, SHORT_ANSWER_MAX_WORDS + 1);
  const compacted = leadingWords.length <= SHORT_ANSWER_MAX_WORDS ? compactFolded(a.folded) : null;
  // WhatsApp has no carrier keywords: with an appointment booked, a bare "cancel" means the appointment.
  if (compacted !== null && context.hasBooking && isBareCancel(compacted)) return result({ intent: 'cancel', language, confident: true });
  if (compacted !== null && isOptOutKeyword(compacted)) return result({ intent: 'opt_out', language, confident: true });
  if (compacted !== null && isOptInKeyword(compacted)) return result({ intent: 'opt_in', language, confident: true });
  // "please stop messaging me", "deja de mandarme mensajes": opt-outs in a sentence, in short messages.
  const phraseWords = firstWords(a.folded, OPT_OUT_PHRASE_MAX_WORDS + 1);
  if (phraseWords.length <= OPT_OUT_PHRASE_MAX_WORDS && isOptOutPhrase(compacted ?? compactFolded(a.folded))) {
    return result({ intent: 'opt_out', language, confident: true });
  }
  const expecting = context.expecting ?? null;
  const known = context.known ?? {};

  const greeting = GREETING_RE.exec(a.folded);
  if (greeting) a.mark(greeting.index, greeting.index + greeting[0].length);
  const email = markEmailsLinksPhones(a);

  // Positional slot answers first: "2" or "option 3" must not become a budget or a time.
  const offered = context.offeredSlots;
  let slotChoice: number | null = offered.length > 0 ? findSlotIndex(a, offered.length) : null;

  // The answer to the bot's question is read as that answer first: "1200" after "what budget?".
  // A correction of a known budget ("sorry, I meant 2500 not 250") is read the same way.
  const correcting = CORRECTION_CUE_RE.test(a.folded);
  const expectBudget = expecting === 'budget' || (correcting && known.budget != null);
  let budgetHit = findBudget(a, { expectBudget });
  if (budgetHit) a.mark(budgetHit.start, budgetHit.end);
  let name = findName(a);
  const expectTime = expecting === 'time' || expecting === 'slot';
  let timeHit = findTime(a, context, language, { expectTime });
  // A correction keeps what it does not name: "Tuesday at 11", then "oh wait, Thursday" → Thursday at 11.
  if (timeHit) timeHit = mergeWithKnownTime(timeHit, context, a.folded);
  let preferredTime = timeHit?.preference ?? null;
  // "Carlos here, tomorrow at 2": the bare name is what is left once the time is read.
  if (!name && expecting === 'name' && body.length <= BARE_ANSWER_MAX_CHARS) name = findBareName(a);
  if (slotChoice === null && timeHit && offered.length > 0) {
    slotChoice = matchSlotByTime(timeHit, offered, context.timeZone);
    if (slotChoice !== null) preferredTime = null; // the time named IS the slot
  }
  let goal = findGoal(a);
  // "SEO, 2000, tomorrow at 3pm": with a service named and no budget known yet, a bare amount of a
  // hundred or more is the budget (the field the bot would ask for next); smaller ones are counts.
  if (!budgetHit && known.budget == null && (goal || known.goal) && expecting !== 'name') {
    budgetHit = findBudget(a, { expectBudget: true, minBareAmount: IMPLIED_BUDGET_MIN });
    if (budgetHit) a.mark(budgetHit.start, budgetHit.end);
  }

  const cancel = findCancel(a.maskedFolded());
  if (cancel) a.mark(cancel.start, cancel.end);
  const reschedule = cancel ? null : findReschedule(a.folded);
  if (reschedule) a.mark(reschedule.start, reschedule.end);

  const allWords = compacted !== null ? words(compacted) : leadingWords;
  const smallTalk = phraseWords.length <= OPT_OUT_PHRASE_MAX_WORDS && isSmallTalk(phraseWords);
  if (!goal && expecting === 'goal' && !smallTalk && !email && !budgetHit && !preferredTime && body.length <= BARE_ANSWER_MAX_CHARS) {
    goal = findBareGoal(a, FILLER);
  }
  const meaningfulLeftover = a.hasLeftoverWordOutside(FILLER);

  let intent: Intent;
  if (slotChoice !== null) {
    intent = 'choose_slot';
  } else if (cancel) {
    intent = 'cancel';
  } else if (reschedule) {
    intent = 'reschedule';
  } else if (isDecline(allWords)) {
    intent = 'decline';
  } else if (isConfirmation(allWords)) {
    if (offered.length === 1) {
      intent = 'choose_slot';
      slotChoice = 0;
    } else {
      intent = 'confirm';
    }
  } else if (smallTalk) {
    // "thanks, see you tomorrow": a pleasantry, not a new time
    intent = 'small_talk';
    preferredTime = null;
  } else if (name || goal || budgetHit || email || preferredTime) {
    intent = 'provide_info';
  } else if (/\?\s*$/.test(body) || body.includes('¿') || QUESTION_START_RE.test(a.folded)) {
    intent = 'question';
  } else if (greeting) {
    intent = 'greeting';
  } else {
    intent = 'other';
  }

  const accounted = intent === 'confirm' || intent === 'decline' || intent === 'small_talk' || (intent === 'choose_slot' && slotChoice !== null)
    ? true
    : !meaningfulLeftover && intent !== 'other' && intent !== 'question';

  return {
    intent,
    language,
    name,
    goal,
    budget: budgetHit?.budget ?? null,
    email,
    preferredTime,
    slotChoice,
    ...(reschedule?.shift && !preferredTime ? { shift: reschedule.shift } : {}),
    confident: accounted,
  };
}
