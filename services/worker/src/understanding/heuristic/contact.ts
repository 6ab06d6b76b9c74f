/** Email addresses, links and phone numbers: found first so no other extractor reads their digits. */
import type { Analysis } from './analysis';

export const LINK_RE =
  /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|ly|xyz|info|biz|top|click|link|me|co|gd|gl|site|online|ru|cn|tk|win|bet)\b(?:\/\S*)?/i;

export const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** First email address in the text (lower-cased), or null. */
export function extractEmail(text: string): string | null {
  const m = text.match(EMAIL_RE);
  return m ? m[0].toLowerCase() : null;
}

const PHONE_RES = [/\+\d[\d\s().-]{6,}\d/g, /\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g];

/** Marks every email, link and phone number as used; returns the first email (lower-cased). */
export function markEmailsLinksPhones(a: Analysis): string | null {
  let email: string | null = null;
  for (const m of a.original.matchAll(EMAIL_RE)) {
    email ??= m[0].toLowerCase();
    a.mark(m.index, m.index + m[0].length);
  }
  for (const m of a.folded.matchAll(new RegExp(LINK_RE.source, 'gi'))) a.mark(m.index, m.index + m[0].length);
  for (const re of PHONE_RES) {
    for (const m of a.folded.matchAll(re)) {
      const before = a.folded.slice(Math.max(0, m.index - 2), m.index);
      if (/[$€£]\s?$/.test(before)) continue;
      a.mark(m.index, m.index + m[0].length);
    }
  }
  return email;
}
