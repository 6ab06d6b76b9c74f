/**
 * What understanding is allowed to read. The webhook accepts bodies of up to 16,000 characters and
 * a turn may merge several messages; the heuristic's regexes and chrono-node's date parser must never
 * see more than a bounded, whitespace-collapsed text, whatever a customer (or an attacker) sends.
 */

/**
 * Longest text, in UTF-16 code units, that understanding reads from one message and from a merged
 * turn. Real lead messages are a few hundred characters (the longest we have seen are a few
 * paragraphs, well under 1,000); 2,000 keeps all of them whole while bounding the worst case of
 * every extractor to a few milliseconds. Whatever comes after the cap is not read.
 */
export const UNDERSTANDING_MAX_CHARS = 2000;

/**
 * Collapses every run of whitespace to one character: a newline when the run holds a line break,
 * else a space. Runs of whitespace are what made chrono-node's Spanish parser super-polynomial.
 */
export function collapseWhitespace(text: string): string {
  // Only runs of two or more (from their first character: (?<!\s) keeps this linear) and single
  // tabs and the like are rewritten; single spaces and newlines are left alone, so text made of
  // them does not pay a callback per character.
  return text.replace(/(?<!\s)\s{2,}|[^\S \n]/g, (run) => (/[\n\r\u2028\u2029]/.test(run) ? '\n' : ' '));
}

/** The first `max` UTF-16 code units, never ending in half a surrogate pair. */
export function capText(text: string, max: number = UNDERSTANDING_MAX_CHARS): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  const endsInHighSurrogate = code >= 0xd800 && code <= 0xdbff;
  return text.slice(0, endsInHighSurrogate ? max - 1 : max);
}

/**
 * Collapsed, then capped: the text one message contributes to understanding. Only a prefix is
 * collapsed at first (collapsing 16,000 characters to keep 2,000 was a fifth of the cost of such a
 * message); a longer one only when whitespace made it shrink below the cap. Collapsing a prefix
 * can only differ from collapsing the whole text in its last character, so the first `max` agree.
 */
export function limitForUnderstanding(text: string, max: number = UNDERSTANDING_MAX_CHARS): string {
  for (let prefix = max * 2; ; prefix *= 4) {
    if (prefix >= text.length) return capText(collapseWhitespace(text), max);
    const collapsed = collapseWhitespace(text.slice(0, prefix));
    if (collapsed.length > max) return capText(collapsed, max);
  }
}

/**
 * The text of a turn as understanding should see it: each message collapsed and capped, the
 * messages joined with "\n", the whole collapsed again (a message ending in a line break must not
 * make a run with the joint) and capped again. Call it before handing a turn to an Understander.
 */
export function textForUnderstanding(messages: readonly string[]): string {
  return limitForUnderstanding(messages.map((m) => limitForUnderstanding(m ?? '')).join('\n'));
}
