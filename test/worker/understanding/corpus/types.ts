import type { BusinessRules } from '../../../../services/worker/src/workflow/ports';
import type { ExpectedField, Intent, KnownFields, Language, TimePrecision } from '../../../../services/worker/src/understanding/understanding';

/** The classes of misses the corpus measures (issue 11), each with its near-misses. */
export type CorpusClass =
  | 'answers'
  | 'corrections'
  | 'qualifiers'
  | 'counts'
  | 'typos'
  | 'opt-out'
  | 'language'
  | 'closed'
  | 'small-talk'
  | 'changes';

export const CORPUS_CLASSES: readonly CorpusClass[] = ['answers', 'corrections', 'qualifiers', 'counts', 'typos', 'opt-out', 'language', 'closed', 'small-talk', 'changes'];

/** One customer message and what it should be understood as (fields left out are not checked). */
export interface MessageCase {
  class: CorpusClass;
  text: string;
  context?: { expecting?: ExpectedField; known?: KnownFields; offeredSlots?: string[]; previousLanguage?: Language; hasBooking?: boolean };
  expect: {
    intent?: Intent;
    notIntent?: Intent;
    language?: Language;
    /** the amount, or null for no budget */
    budget?: number | null;
    goal?: string | null;
    name?: string | null;
    /** local (UTC) 'YYYY-MM-DD HH:mm' of the window; null for no time */
    time?: { from: string; to?: string; precision?: TimePrecision } | null;
    slotChoice?: number | null;
    shift?: 'later' | 'earlier' | null;
  };
}

/** A conversation through the booking graph, and how it should end. */
export interface ConversationCase {
  class: CorpusClass;
  name: string;
  /** the name GHL already knows for the contact */
  contactName?: string;
  rules?: Partial<BusinessRules>;
  /** slots ('YYYY-MM-DD HH:mm', UTC) someone else booked */
  taken?: string[];
  turns: Array<string | { say: string; reply?: RegExp; notReply?: RegExp }>;
  expect: {
    /** the one appointment booked ('YYYY-MM-DD HH:mm'), or null for none */
    booked?: string | null;
    optedOut?: boolean;
  };
}
