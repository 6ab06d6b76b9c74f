/**
 * Spam: empty bodies, promotional links, "you won…" messages, runs of one repeated character.
 * Emoji are never spam by repetition ("😂😂😂😂😂😂😂😂" is a reaction); a message of emoji only is
 * text-less ('no_text'), not spam.
 */
import { fold } from './analysis';
import { LINK_RE } from './contact';

// All three read folded (lower-case) text: no /i, which made every character a case-folding test.
const SHORTENER_RE = /\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rb\.gy|shorturl\.at|tiny\.cc|rebrand\.ly)\b/;
const PROMO_RE =
  /\b(?:click here|click (?:the|this) link|click now|win|wins|winner|won|free money|free gift|free iphone|crypto\w*|bitcoin|btc|forex|casino|lottery|jackpot|prize|claim (?:your|now)|earn \$?\d+|make money|double your money|limited offer|act now|haz clic|da clic|dale clic|gana|ganaste|ganador|premio|dinero gratis|sorteo|criptomoneda\w*|oferta limitada)\b/;
const PRIZE_RE =
  /\b(?:you(?:'ve| have)? won|you are (?:a |the )?winner|congratulations,? you|congrats,? you|has ganado|usted ha ganado|ganaste|felicidades,? (?:has|usted|ha|eres))\b/;

const REPEATED_CHARACTER_RE = /([^\s\d\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\u200d\ufe0f])\1{7,}/gu;

/**
 * Whether one UTF-16 code unit, or one surrogate pair, repeats 8+ times in a row: a plain scan that
 * spares most texts the exact rule above (a Unicode-aware backreference, ~15 ns a character).
 */
function mayRepeatEightTimes(text: string): boolean {
  let sameAsPrevious = 1;
  let sameAsTwoBefore = 0;
  let previous = -1;
  let twoBefore = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    sameAsPrevious = code === previous ? sameAsPrevious + 1 : 1;
    sameAsTwoBefore = code === twoBefore && code >= 0xd800 && code <= 0xdfff ? sameAsTwoBefore + 1 : 0;
    if (sameAsPrevious >= 8 || sameAsTwoBefore >= 14) return true; // 8 code units, or 8 surrogate pairs
    twoBefore = previous;
    previous = code;
  }
  return false;
}

/** True for empty bodies, promotional links, "you won…" messages and runs of one repeated character. */
export function isSpam(text: string, folded: string = fold(text)): boolean {
  const trimmed = text.trim();
  if (trimmed === '') return true;
  if (SHORTENER_RE.test(folded)) return true;
  if (PRIZE_RE.test(folded)) return true;
  if (LINK_RE.test(folded) && PROMO_RE.test(folded)) return true;
  if (!mayRepeatEightTimes(trimmed)) return false;
  for (const m of trimmed.matchAll(REPEATED_CHARACTER_RE)) {
    if (m[0].length >= 20 || m[0].length * 2 >= trimmed.replace(/\s+/g, '').length) return true;
  }
  return false;
}

/** Something was sent, but no letter or digit: emoji, punctuation ("👍", "🙏🙏", "?"). Empty text is spam instead. */
export function isTextless(text: string): boolean {
  return text.trim() !== '' && !/[\p{L}\p{N}]/u.test(text);
}
