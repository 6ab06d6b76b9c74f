/** Carrier-standard opt-out / opt-in keywords: the WHOLE message must be one of them. */
import { compact } from './analysis';

const OPT_OUT = new Set([
  'stop', 'stopall', 'stop all', 'unsubscribe', 'cancel', 'cancel subscription', 'cancel my subscription',
  'end', 'quit', 'opt out', 'optout', 'opt me out', 'remove me', 'remove me from this list', 'stop messaging me',
  'stop texting me', 'no more messages', 'revoke', 'stop please', 'please stop',
  'baja', 'darme de baja', 'dar de baja', 'dame de baja', 'de baja', 'quiero darme de baja', 'no mas mensajes',
  'alto', 'parar', 'para', 'detener', 'basta', 'cancelar suscripcion', 'cancelar', 'desuscribir',
  'desuscribirme', 'no me escriban mas', 'no me escribas mas',
]);
const OPT_IN = new Set([
  'start', 'unstop', 'subscribe', 'resubscribe', 'opt in', 'optin', 'yes subscribe',
  'alta', 'darme de alta', 'dar de alta', 'dame de alta', 'suscribir', 'suscribirme', 'reanudar',
]);

/** Whole message (trimmed, case-insensitive, punctuation ignored) is an opt-out keyword. */
export function isOptOut(text: string): boolean {
  return isOptOutKeyword(compact(text));
}

/** isOptOut() of a text already compacted. */
export function isOptOutKeyword(compacted: string): boolean {
  return OPT_OUT.has(compacted);
}

/** Whole message is an opt-in keyword (START, UNSTOP, alta, subscribe…). */
export function isOptIn(text: string): boolean {
  return isOptInKeyword(compact(text));
}

/** isOptIn() of a text already compacted. */
export function isOptInKeyword(compacted: string): boolean {
  return OPT_IN.has(compacted);
}

/**
 * Opt-outs said in a sentence rather than a keyword: "please stop messaging me", "don't text me again",
 * "remove me from your list", "deja de mandarme mensajes". Each names both the act of messaging and
 * the customer ("me", "my number"), so "don't stop the campaign" or "stop the ads on Friday" are not
 * opt-outs. Read on the folded text of a short message (OPT_OUT_PHRASE_MAX_WORDS); a long message
 * that asks to stop is left to a person.
 */
const OPT_OUT_PHRASE_RES: readonly RegExp[] = [
  // English: stop / quit / no more + messaging me
  /\b(?:stop|quit|cease|no more|enough)\s+(?:sending\s+(?:me\s+)?(?:messages|texts|msgs|these|this|stuff|spam)|messaging|texting|txting|contacting|writing to|emailing|calling|spamming|bothering|sending)\s+(?:me|us|my number|this number)\b/,
  /\b(?:stop|no more)\s+(?:the\s+|these\s+|your\s+)?(?:messages|texts|msgs|spam)(?:\s+(?:please|now|to me|to this number))?\s*[.!]*$/,
  /\b(?:don'?t|do not|never|dont|pls don'?t|please don'?t)\s+(?:ever\s+)?(?:text|message|msg|contact|write|write to|email|call|whatsapp|bother|spam)\s+(?:me|us|this number|my number)(?:\s+(?:again|anymore|any more|ever again|please))*\s*[.!]*$/,
  /\b(?:remove|delete|take|erase)\s+(?:me|my number|my contact|this number|my details)\s+(?:from|off)\s+(?:your|the|this|ur|all)\s+(?:\w+\s+)?(?:list|lists|database|contacts|system|mailing list|records)\b/,
  /\b(?:unsubscribe|opt)\s+(?:me|me out)\b|\bi (?:want|wish|would like|'d like) to (?:unsubscribe|opt out)\b/,
  /\b(?:leave me alone|i don'?t want (?:any more|more|your) (?:messages|texts)|not interested,? (?:stop|don'?t (?:text|message|contact) me))\b/,
  // Spanish: deja(n) de + mandarme / escribirme…
  /\b(?:deja|dejen|dejad|para|paren|parad)\s+de\s+(?:mandarme|enviarme|escribirme|contactarme|llamarme|molestarme|mandar(?:me)? mensajes|enviar(?:me)? mensajes|escribir(?:me)?|mandar|enviar)\b/,
  /\bno\s+me\s+(?:escribas|escriban|escribais|mandes|manden|envies|envien|contactes|contacten|llames|llamen|molestes|molesten)(?:\s+(?:mas|nunca mas|otra vez|mensajes|por favor))+\s*[.!]*$/,
  /\bno\s+(?:quiero|deseo)\s+(?:recibir\s+)?(?:mas\s+)?(?:mensajes|whatsapps|sms)\b/,
  /\b(?:borra|borren|borrad|elimina|eliminen|quita|quiten|saca|saquen|sacadme|quitadme)(?:me)?\s+(?:mi numero\s+)?de\s+(?:la|tu|su|vuestra|sus|tus|esta)\s+(?:\w+\s+)?(?:lista|base de datos|listas|contactos)\b/,
  /\b(?:darme|dame|denme|quiero darme)\s+de\s+baja\b/,
];
/** Longest message read for an opt-out phrase, in words. */
export const OPT_OUT_PHRASE_MAX_WORDS = 16;
/** "don't stop …", "no dejes de …": a negated stop is the opposite of an opt-out. */
const NEGATED_STOP_RE = /\b(?:don'?t|do not|dont|never|no)\s+(?:stop|quit|dejes|dejen|pares|paren)\b/;

/** A short message (folded) that asks, in a sentence, to stop being messaged. */
export function isOptOutPhrase(folded: string): boolean {
  if (NEGATED_STOP_RE.test(folded)) return false;
  return OPT_OUT_PHRASE_RES.some((re) => re.test(folded));
}
