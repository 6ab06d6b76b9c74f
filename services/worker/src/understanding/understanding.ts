/**
 * The "understanding" layer: turns one free-text WhatsApp message (English or Spanish) into
 * structured facts for the booking conversation. It never writes replies.
 *
 * Two implementations share this interface:
 *  - HeuristicUnderstander (./heuristic): deterministic, no network, always available;
 *  - OpenAIUnderstander (./openai): runs the heuristic first and asks the model only when the
 *    heuristic is not confident, falling back to the heuristic answer on any failure.
 */

export type Language = 'en' | 'es';

export const LANGUAGES: readonly Language[] = ['en', 'es'];

export type Intent =
  | 'spam'
  | 'opt_out'
  | 'opt_in'
  | 'greeting'
  | 'question'
  | 'provide_info'
  | 'choose_slot'
  | 'confirm'
  | 'decline'
  | 'cancel'
  /** move the booked appointment ("can we move it to Friday?", "¿podemos cambiarla?") */
  | 'reschedule'
  /** thanks, goodbyes and pleasantries only ("thanks, see you then", "gracias, nos vemos") */
  | 'small_talk'
  /** letters and digits absent: emoji, punctuation ("👍", "🙏🙏", "?!"); empty text stays 'spam' */
  | 'no_text'
  | 'other';

export const INTENTS: readonly Intent[] = [
  'spam',
  'opt_out',
  'opt_in',
  'greeting',
  'question',
  'provide_info',
  'choose_slot',
  'confirm',
  'decline',
  'cancel',
  'reschedule',
  'small_talk',
  'no_text',
  'other',
];

export type TimePrecision = 'exact' | 'range' | 'part_of_day' | 'day';

export const TIME_PRECISIONS: readonly TimePrecision[] = ['exact', 'range', 'part_of_day', 'day'];

export interface TimePreference {
  /** ISO-8601 with offset, the earliest acceptable start */
  from: string;
  /** ISO end of the window, exclusive */
  to: string;
  /**
   * 'exact' = a clock time was named ("3pm"); 'range' = a window the customer bounded ("after 3",
   * "between 10 and 12", "late morning"): any start inside it will do; 'part_of_day' =
   * morning/afternoon/evening; 'day' = only a day
   */
  precision: TimePrecision;
  text: string;
}

export interface Budget {
  amount: number;
  /** ISO-4217 code when the message names or implies one ("$" → USD, "€" → EUR), else null */
  currency: string | null;
  /**
   * Set (with currency null) when the message named a currency word that is no single currency:
   * "pesos" is the currency of Mexico, Colombia, Chile, Argentina… An amount in pesos is therefore
   * NOT an amount in the business's currency, even when that currency is a peso (see inBusinessCurrency).
   */
  ambiguousCurrency?: 'peso';
  /** the words the amount was read from, e.g. "$1,000-2,000" */
  text: string;
}

/**
 * The budget's amount when it can be compared with amounts in `businessCurrency` (ISO-4217): its
 * currency is that one, or the message named none ("2000", "2k"). Null when it names another one
 * ("€2000" for a USD business) or an ambiguous one ("3 mil pesos"): ask for the amount in the
 * business's currency instead of guessing a rate or a country.
 */
export function inBusinessCurrency(budget: Budget, businessCurrency: string): number | null {
  if (budget.ambiguousCurrency) return null;
  if (budget.currency === null) return budget.amount;
  return budget.currency.toUpperCase() === businessCurrency.trim().toUpperCase() ? budget.amount : null;
}

export interface Understanding {
  intent: Intent;
  language: Language;
  name: string | null;
  goal: string | null;
  budget: Budget | null;
  email: string | null;
  preferredTime: TimePreference | null;
  /** Answer to previously offered slots: index into offeredSlots (0-based), or null */
  slotChoice: number | null;
  /** "something later that day": a move relative to the booked time, without a clock time */
  shift?: 'later' | 'earlier';
  /** true when the heuristic is sure it understood everything in the message (so the model can be skipped) */
  confident: boolean;
}

export interface UnderstandingContext {
  now: Date;
  /** IANA zone the customer's words are read in: theirs when GHL knows it, else the business's */
  timeZone: string;
  /** ISO starts previously offered, may be empty */
  offeredSlots: string[];
  previousLanguage: Language | null;
  /**
   * What the bot asked in its last reply: a bare answer ("1200", "ana") is read as the answer to that
   * question first. Absent or null when it asked nothing.
   */
  expecting?: ExpectedField | null;
  /** The customer has an appointment booked: a bare "cancel" then means it, not an opt-out. */
  hasBooking?: boolean;
  /** What the conversation already knows: a correction ("oh wait, Thursday") replaces only the part it names. */
  known?: KnownFields;
}

/** The questions the bot asks: a field, a choice among offered slots, or another time. */
export type ExpectedField = 'goal' | 'budget' | 'name' | 'time' | 'slot';

export interface KnownFields {
  goal?: string | null;
  /** in the business's currency */
  budget?: number | null;
  name?: string | null;
  preferredTime?: TimePreference | null;
}

export { UNDERSTANDING_MAX_CHARS, textForUnderstanding } from './text-limits';

export interface Understander {
  understand(text: string, context: UnderstandingContext): Promise<Understanding>;
}
