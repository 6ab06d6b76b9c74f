/** Whole-message cues for the intent: a greeting, a question, a cancellation. */

export const GREETING_RE =
  /^\s*(?:hi+|hello+|hey+|hiya|howdy|greetings|good (?:morning|afternoon|evening|day)|hola+|holi|buenas(?: tardes| noches)?|buenos dias|buen dia|que tal|saludos|ola)\b(?:\s+(?:there|all|team|equipo|a todos))?[\s,!.¡]*/;
export const QUESTION_START_RE =
  /^\s*(?:what|whats|what's|how|when|where|why|who|which|do you|does|can you|could you|are you|is it|is there|will you|would you|que|cuanto|cuantos|cuanta|cuando|como|donde|por que|cual|cuales|quien|tienen|hay|puedo|pueden|podrian|es posible)\b/;
export const CANCEL_RE =
  /\b(?:cancel|cancell?ing|cancell?ed|cancelar|cancela|cancelo|cancelen|anular|anula|anulen)\b(?:\s+(?:my|the|our|this|that|mi|la|el|nuestra|nuestro|esa|esta|lo))?(?:\s+(?:appointment|appt|booking|meeting|call|session|reservation|cita|reserva|reunion|llamada|sesion|turno))?/;
