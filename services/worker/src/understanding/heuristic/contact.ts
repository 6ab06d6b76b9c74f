/** Email addresses, links and phone numbers: found first so no other extractor reads their digits. */
import type { Analysis } from './analysis';

const TOP_LEVEL_DOMAINS = 'com|net|org|io|ly|xyz|info|biz|top|click|link|me|co|gd|gl|site|online|ru|cn|tk|win|bet';

/**
 * A link: "http(s)://…", "www.…", or dotted labels ending in a known top-level domain ("bakery.com").
 * The dotted form only starts where a run of label characters starts (not after a letter, digit,
 * '_', '-', or a '.' that follows one): `\b` let it restart after every dot of "a.a.a…", and each
 * restart rescanned the rest of the run (quadratic). A link that starts a run matches as before.
 * Reads folded (lower-case) text.
 */
export const LINK_RE = new RegExp(
  `\\b(?:https?:\\/\\/|www\\.)\\S+|(?<![\\w-])(?<![\\w-]\\.)[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.(?:${TOP_LEVEL_DOMAINS})\\b(?:\\/\\S*)?`,
);
const LINKS_RE = new RegExp(LINK_RE.source, 'g');

/** RFC 5321 limits: 64 characters before the '@', 255 after. */
const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 255;
const isLocalPartChar = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
const isDomainChar = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;
const isAsciiLetter = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);

/**
 * Email addresses as /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g matched them, found from each
 * '@' outwards instead: the regex tried every start position of a long run without '@' and rescanned
 * the run each time (quadratic). Each part is bounded by its RFC length; the domain ends at the last
 * dot followed by two or more letters, as the regex's backtracking chose.
 */
export function findEmails(text: string): Array<{ start: number; end: number }> {
  const found: Array<{ start: number; end: number }> = [];
  let searchFrom = 0;
  let previousEnd = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', searchFrom)) {
    searchFrom = at + 1;
    let start = at;
    while (start > previousEnd && at - start < MAX_LOCAL_PART && isLocalPartChar(text.charCodeAt(start - 1))) start--;
    if (start === at) continue;
    let domainEnd = at + 1;
    while (domainEnd < text.length && domainEnd - at <= MAX_DOMAIN && isDomainChar(text.charCodeAt(domainEnd))) domainEnd++;
    // The rightmost dot (with at least one character before it) followed by 2+ letters; scanned
    // inside the domain only, right to left, counting the letters that follow each character.
    let end = -1;
    let lettersAfter = 0;
    for (let i = domainEnd - 1; i > at + 1; i--) {
      const code = text.charCodeAt(i);
      if (code === 0x2e && lettersAfter >= 2) {
        end = i + 1 + lettersAfter;
        break;
      }
      lettersAfter = isAsciiLetter(code) ? lettersAfter + 1 : 0;
    }
    if (end === -1) continue;
    found.push({ start, end });
    previousEnd = end;
    searchFrom = end;
  }
  return found;
}

/** First email address in the text (lower-cased), or null. */
export function extractEmail(text: string): string | null {
  const first = findEmails(text)[0];
  return first ? text.slice(first.start, first.end).toLowerCase() : null;
}

const PHONE_RES = [/\+\d[\d\s().-]{6,}\d/g, /\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g];

/** Marks every email, link and phone number as used; returns the first email (lower-cased). */
export function markEmailsLinksPhones(a: Analysis): string | null {
  let email: string | null = null;
  for (const { start, end } of findEmails(a.original)) {
    email ??= a.original.slice(start, end).toLowerCase();
    a.mark(start, end);
  }
  for (const m of a.folded.matchAll(LINKS_RE)) a.mark(m.index, m.index + m[0].length);
  for (const re of PHONE_RES) {
    for (const m of a.folded.matchAll(re)) {
      const before = a.folded.slice(Math.max(0, m.index - 2), m.index);
      if (/[$€£]\s?$/.test(before)) continue;
      a.mark(m.index, m.index + m[0].length);
    }
  }
  return email;
}
