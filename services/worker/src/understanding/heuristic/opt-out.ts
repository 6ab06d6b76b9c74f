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
