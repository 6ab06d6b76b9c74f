/** Spam: empty bodies, promotional links, "you won…" messages, runs of one repeated character. */
import { fold } from './analysis';
import { LINK_RE } from './contact';

const SHORTENER_RE = /\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rb\.gy|shorturl\.at|tiny\.cc|rebrand\.ly)\b/i;
const PROMO_RE =
  /\b(?:click here|click (?:the|this) link|click now|win|wins|winner|won|free money|free gift|free iphone|crypto\w*|bitcoin|btc|forex|casino|lottery|jackpot|prize|claim (?:your|now)|earn \$?\d+|make money|double your money|limited offer|act now|haz clic|da clic|dale clic|gana|ganaste|ganador|premio|dinero gratis|sorteo|criptomoneda\w*|oferta limitada)\b/i;
const PRIZE_RE =
  /\b(?:you(?:'ve| have)? won|you are (?:a |the )?winner|congratulations,? you|congrats,? you|has ganado|usted ha ganado|ganaste|felicidades,? (?:has|usted|ha|eres))\b/i;

/** True for empty bodies, promotional links, "you won…" messages and runs of one repeated character. */
export function isSpam(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '') return true;
  const folded = fold(trimmed);
  if (SHORTENER_RE.test(folded)) return true;
  if (PRIZE_RE.test(folded)) return true;
  if (LINK_RE.test(folded) && PROMO_RE.test(folded)) return true;
  const nonSpace = trimmed.replace(/\s+/g, '').length;
  for (const m of trimmed.matchAll(/([^\s\d])\1{7,}/gu)) {
    if (m[0].length >= 20 || m[0].length * 2 >= nonSpace) return true;
  }
  return false;
}
