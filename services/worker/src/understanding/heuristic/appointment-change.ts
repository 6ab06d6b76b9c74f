/**
 * Asking to cancel or move an appointment. Read on the folded text (lower case, accents stripped).
 *
 * A cancellation names the appointment ("cancel my appointment", "cancela la cita"), a pronoun for it
 * ("cancel it", "cancélala") or nothing ("I need to cancel"): "cancel my gym" or "cancelar la suscripción
 * del gimnasio" cancel something else, and a negated cancel ("I can't cancel my gym", "don't cancel it")
 * is no cancellation at all.
 */
const CANCEL_VERB_RE =
  /\b(?:cancel|cancell?ing|cancell?ed|cancelar(?:la|lo)?|cancela(?:la|lo)?|cancelo|cancelen(?:la|lo)?|anular(?:la|lo)?|anula(?:la|lo)?|anulen)\b/g;
const APPOINTMENT_NOUN = '(?:appointment|appt|booking|meeting|call|session|reservation|visit|cita|reserva|reunion|llamada|sesion|turno|visita)';
/** What may follow the verb when it cancels the appointment. */
const CANCEL_OBJECT_RE = new RegExp(
  `^\\s*(?:(?:(?:my|the|our|this|that|mi|la|el|nuestra|nuestro|esa|esta)\\s+)?(?:(?:\\w+\\s+){0,2})?${APPOINTMENT_NOUN}\\b|(?:it|that|this|please|pls|now|for me|la|lo|por favor|ya)\\b|[.,!?;:)]|$)`,
);
/** "can't", "don't", "no puedo", "no quiero" just before the verb (up to two words between). */
const NEGATION_BEFORE_RE = /\b(?:can'?t|cannot|can not|couldn'?t|won'?t|don'?t|dont|didn'?t|doesn'?t|never|no puedo|no podemos|no quiero|no vamos a|no voy a|no)\s+(?:\w+\s+){0,2}$/;

/** The span of the first verb that cancels the appointment, or null. */
export function findCancel(folded: string): { start: number; end: number } | null {
  for (const m of folded.matchAll(CANCEL_VERB_RE)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (NEGATION_BEFORE_RE.test(folded.slice(Math.max(0, start - 40), start))) continue;
    const object = CANCEL_OBJECT_RE.exec(folded.slice(end));
    if (!object) continue;
    return { start, end: end + object[0].length };
  }
  return null;
}

/** Bare keywords that are a carrier opt-out without an appointment and cancel it with one. */
const BARE_CANCEL = new Set(['cancel', 'cancelar', 'cancela', 'cancel it', 'cancelala', 'cancel please', 'please cancel']);
export const isBareCancel = (compacted: string) => BARE_CANCEL.has(compacted);

/**
 * Moving an appointment: "reschedule", "can we move it", "change my appointment", "another day",
 * "something later that day", "¿podemos cambiarla…?", "muévela", "otro día". "I want to change my website"
 * or "my move to Madrid" are not.
 */
const RESCHEDULE_RE = new RegExp(
  [
    '\\b(?:reschedul\\w*|re-schedul\\w*|rebook\\w*|postpone|push (?:it|this|that|my appointment|the appointment)(?: back| forward)?)\\b',
    `\\b(?:move|moving|change|changing|shift|switch)\\s+(?:it|this|that|(?:my|the|our|this)\\s+(?:${APPOINTMENT_NOUN}|time|date|day))\\b`,
    `\\b(?:change|changing|another|a different|other|new)\\s+(?:time|day|date|slot)\\b`,
    '\\b(?:something|anything|a bit|a little|slightly|any time)\\s+(?:later|earlier)\\b|\\b(?:later|earlier) (?:that|the same|on that|on the same) day\\b',
    `\\b(?:cambiar|cambia|mover|mueve|pasar|pasa|reprogramar|reprograma|reagendar|reagenda|aplazar|aplaza|adelantar|adelanta|atrasar|atrasa|retrasar|retrasa)(?:la|lo)\\b`,
    `\\b(?:reprogramar|reagendar|aplazar|posponer)\\b`,
    `\\b(?:cambiar|mover|pasar|adelantar|atrasar|retrasar)\\s+(?:(?:mi|la|el|nuestra|esa)\\s+)?(?:${APPOINTMENT_NOUN}|hora|fecha|dia)\\b`,
    '\\b(?:otro dia|otra hora|otro horario|otra fecha|algo mas (?:tarde|temprano)|mas (?:tarde|temprano) ese (?:mismo )?dia)\\b',
  ].join('|'),
);

/** Later or earlier than the booked time, said without a clock time ("something later that day"). */
const LATER_RE = /\b(?:later|mas tarde|atrasar\w*|retrasar\w*|push (?:it|this|that|my appointment|the appointment) back)\b/;
const EARLIER_RE = /\b(?:earlier|mas temprano|antes|adelantar\w*|push (?:it|this|that|my appointment|the appointment) forward)\b/;

export function findReschedule(folded: string): { start: number; end: number; shift: 'later' | 'earlier' | null } | null {
  const m = RESCHEDULE_RE.exec(folded);
  if (!m || NEGATION_BEFORE_RE.test(folded.slice(Math.max(0, m.index - 40), m.index))) return null;
  const shift = LATER_RE.test(folded) ? 'later' : EARLIER_RE.test(folded) ? 'earlier' : null;
  return { start: m.index, end: m.index + m[0].length, shift };
}
