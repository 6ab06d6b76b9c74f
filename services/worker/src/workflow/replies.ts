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
      ? `Ya tienes una cita el ${when}. Si necesitas cambiarla, escríbenos y el equipo te ayudará.`
      : `You already have an appointment on ${when}. If you need to change it, write here and the team will help.`,
};
