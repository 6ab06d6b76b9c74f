import type { Language } from '../understanding/understanding';

/**
 * Every word the bot sends, in English and Spanish. Replies are templates filled with checked values
 * (times from the calendar, amounts from the rules): the model never writes them, so nothing is invented.
 */
const locale = (lang: Language) => (lang === 'es' ? 'es-ES' : 'en-US');

// Intl formatters are costly to build (a few % of a turn's CPU); one per language, zone and currency.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<F extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, build: () => F): F {
  let f = formatters.get(key) as F | undefined;
  if (!f) formatters.set(key, (f = build()));
  return f;
}

export function formatSlot(iso: string, timeZone: string, lang: Language): string {
  const options = { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' } as const;
  return cached(`slot:${lang}:${timeZone}`, () => new Intl.DateTimeFormat(locale(lang), options)).format(new Date(iso));
}

export function formatMoney(amount: number, currency: string, lang: Language): string {
  return cached(`money:${lang}:${currency}`, () => new Intl.NumberFormat(locale(lang), { style: 'currency', currency, maximumFractionDigits: 0 })).format(amount);
}

const hello = (name: string | null, lang: Language) =>
  lang === 'es' ? `¡Hola${name ? ` ${name}` : ''}! ` : `Hi${name ? ` ${name}` : ''}! `;

export const replies = {
  greeting: hello,
  askGoal: (lang: Language) =>
    lang === 'es' ? '¿En qué podemos ayudarte? (por ejemplo marketing, SEO o una web)' : 'What can we help you with? (for example marketing, SEO or a website)',
  askBudget: (goal: string, lang: Language) =>
    lang === 'es' ? `¿Qué presupuesto tienes en mente para ${goal}?` : `What budget do you have in mind for ${goal}?`,
  askName: (lang: Language) => (lang === 'es' ? '¿Cómo te llamas?' : 'May I have your name?'),
  welcomeBack: (lang: Language) => (lang === 'es' ? '¡Bienvenido de nuevo! ' : 'Welcome back! '),
  optedOut: (lang: Language) =>
    lang === 'es'
      ? 'No te enviaremos más mensajes. Escribe START si quieres volver a hablar con nosotros.'
      : "You won't get any more messages from us. Reply START if you want to talk to us again.",
  budgetTooLow: (min: string, lang: Language) =>
    lang === 'es'
      ? `Gracias. Nuestros proyectos empiezan en ${min}, así que con ese presupuesto no podemos ayudarte ahora mismo. Si un presupuesto de ${min} o más te encaja, dímelo y buscamos una cita.`
      : `Thank you. Our projects start at ${min}, so we can't take this on with that budget right now. If a budget of ${min} or more works for you, tell me and I'll find you a time.`,
  serviceNotOffered: (goal: string, services: string[], lang: Language) =>
    lang === 'es'
      ? `No ofrecemos ${goal}. Podemos ayudarte con: ${services.join(', ')}. ¿Cuál te interesa?`
      : `We don't offer ${goal}. We can help with: ${services.join(', ')}. Which one interests you?`,
  timeInPast: (lang: Language) =>
    lang === 'es' ? 'Esa hora ya ha pasado. ¿Qué otro día u hora te viene bien?' : 'That time has already passed. What other day or time suits you?',
  timeTooSoon: (hours: number, lang: Language) =>
    lang === 'es'
      ? `Necesitamos al menos ${hours} h de antelación. ¿Te viene bien un poco más tarde?`
      : `We need at least ${hours} hour${hours === 1 ? '' : 's'} notice. Could you pick a later time?`,
  timeTooFar: (days: number, lang: Language) =>
    lang === 'es'
      ? `Solo reservamos hasta ${days} días vista. ¿Te viene bien una fecha antes?`
      : `We book up to ${days} days ahead. Could you pick an earlier date?`,
  /** `openHours` (describeOpeningHours) is said when the reason is 'closed'. */
  offer: (slots: string[], timeZone: string, lang: Language, reason: 'unavailable' | 'taken' | 'declined' | 'closed', openHours = '') => {
    const lines = slots.map((s, i) => `${i + 1}. ${formatSlot(s, timeZone, lang)}`).join('\n');
    const intro = {
      closed:
        lang === 'es'
          ? `A esa hora estamos cerrados: abrimos ${openHours}. Las horas libres más cercanas son:`
          : `We're closed then: we're open ${openHours}. The nearest free times are:`,
      unavailable: lang === 'es' ? 'Esa hora no está libre. Las más cercanas disponibles son:' : "That time isn't free. The nearest free times are:",
      taken: lang === 'es' ? 'Esa hora acaba de ocuparse. Las más cercanas disponibles son:' : 'That time was just taken. The nearest free times are:',
      declined: lang === 'es' ? 'Sin problema. Otras horas libres:' : 'No problem. Other free times:',
    }[reason];
    const ask = lang === 'es' ? 'Responde con el número que prefieras, o dime otro día.' : 'Reply with the number that suits you, or tell me another day.';
    return `${intro}\n${lines}\n${ask}`;
  },
  noSlots: (lang: Language) =>
    lang === 'es'
      ? 'No he encontrado horas libres en esas fechas. ¿Qué otro día te viene bien?'
      : "I couldn't find a free time then. What other day would suit you?",
  confirmed: (name: string | null, goal: string | null, when: string, lang: Language) =>
    lang === 'es'
      ? `¡Listo${name ? `, ${name}` : ''}! Tu cita${goal ? ` sobre ${goal}` : ''} queda reservada para el ${when}. ¡Hasta pronto!`
      : `You're booked${name ? `, ${name}` : ''}! Your ${goal ? `${goal} ` : ''}appointment is on ${when}. See you then!`,
  askForText: (lang: Language) =>
    lang === 'es'
      ? 'Gracias. Todavía no puedo escuchar audios ni ver imágenes: ¿me lo escribes en un mensaje de texto?'
      : "Thanks! I can't listen to voice notes or look at pictures yet: could you write it in a text message?",
  /** A failure of ours (not GHL's) ended the turn: the customer hears once that a person will answer. */
  handedToTeam: (lang: Language) =>
    lang === 'es'
      ? 'Perdona, no he podido procesar tu mensaje. Una persona del equipo te responderá pronto.'
      : "Sorry, I couldn't process your message. Someone from the team will get back to you soon.",
  askBudgetInCurrency: (currency: string, lang: Language) =>
    lang === 'es'
      ? `Trabajamos en ${currency}. ¿Cuánto sería tu presupuesto en ${currency}?`
      : `We work in ${currency}. What would your budget be in ${currency}?`,
  /** Thanks, goodbyes and pleasantries once booked: a short friendly answer, nothing to hand over. */
  smallTalkAfterBooking: (when: string, lang: Language) =>
    lang === 'es' ? `¡Gracias a ti! Te esperamos el ${when}.` : `You're welcome! See you on ${when}.`,
  alreadyBooked: (when: string, lang: Language) =>
    lang === 'es'
      ? `Ya tienes una cita el ${when}. Si quieres cambiarla, dime otro día u hora; para anularla, escribe "cancelar".`
      : `You already have an appointment on ${when}. To move it, tell me another day or time; to cancel it, reply "cancel".`,
  /** Added to a confirmation when the bot chose the time itself (the customer named none). */
  howToChange: (lang: Language) =>
    lang === 'es' ? ' Si esa hora no te viene bien, respóndeme con otra.' : " Reply with another time if this one doesn't suit you.",
  moved: (name: string | null, when: string, lang: Language) =>
    lang === 'es'
      ? `¡Hecho${name ? `, ${name}` : ''}! Tu cita ha pasado al ${when}.`
      : `Done${name ? `, ${name}` : ''}! Your appointment is now on ${when}.`,
  askNewTime: (when: string, lang: Language) =>
    lang === 'es'
      ? `Claro. Tu cita es el ${when}. ¿Qué otro día u hora te viene mejor?`
      : `Sure. Your appointment is on ${when}. What other day or time would suit you better?`,
  confirmCancel: (when: string, lang: Language) =>
    lang === 'es'
      ? `¿Quieres que anule tu cita del ${when}? Responde "sí" para anularla o "no" para mantenerla.`
      : `Do you want me to cancel your appointment on ${when}? Reply "yes" to cancel it or "no" to keep it.`,
  cancelled: (when: string, lang: Language) =>
    lang === 'es'
      ? `Listo, he anulado tu cita del ${when}. Si quieres reservar otra, dime qué día y hora te vienen bien.`
      : `Done, your appointment on ${when} is cancelled. If you'd like to book another, tell me a day and time that suits you.`,
  keptBooking: (when: string, lang: Language) =>
    lang === 'es' ? `Perfecto, mantenemos tu cita del ${when}.` : `Great, your appointment on ${when} stays as it is.`,
  nothingToCancel: (lang: Language) =>
    lang === 'es'
      ? 'No tienes ninguna cita reservada con nosotros. Si quieres una, dime qué día te viene bien.'
      : "You don't have an appointment with us. If you'd like one, tell me a day that suits you.",
  /** A follow-up after silence: what is still needed, short. */
  nudge: (field: 'goal' | 'budget' | 'name' | 'time', goal: string | null, lang: Language) =>
    ({
      goal: lang === 'es' ? '¿Sigues ahí? Cuéntame en qué podemos ayudarte y te busco una cita.' : "Still there? Tell me what we can help you with and I'll find you a time.",
      budget:
        lang === 'es'
          ? `¿Sigues interesado${goal ? ` en ${goal}` : ''}? Dime tu presupuesto aproximado y te busco una cita.`
          : `Still interested${goal ? ` in ${goal}` : ''}? Tell me a rough budget and I'll find you a time.`,
      name: lang === 'es' ? '¿Sigues ahí? Solo me falta tu nombre para reservar.' : 'Still there? I just need your name to book.',
      time: lang === 'es' ? '¿Sigues ahí? Dime qué día y hora te vienen bien.' : 'Still there? Tell me a day and time that suits you.',
    })[field],
  /** A follow-up on offered slots: those still free, under their first numbers (so "2" still means the second). */
  nudgeSlots: (slots: Array<{ slot: string; number: number }>, timeZone: string, lang: Language) => {
    const lines = slots.map(({ slot, number }) => `${number}. ${formatSlot(slot, timeZone, lang)}`).join('\n');
    return lang === 'es'
      ? `¿Sigues ahí? Estas horas siguen libres:\n${lines}\nResponde con el número que prefieras, o dime otro día.`
      : `Still there? These times are still free:\n${lines}\nReply with the number that suits you, or tell me another day.`;
  },
};
