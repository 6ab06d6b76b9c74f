/**
 * Multi-turn conversations through the booking graph (run-corpus.ts: the sandbox's default calendar,
 * Monday to Friday 09:00-17:00 UTC, 30-minute slots; now is Monday 2026-11-30 08:00 UTC), each with how
 * it must end: what was booked (or nothing), what the replies say. Minimum budget 500 USD.
 */
import type { ConversationCase } from './types';

export const CONVERSATIONS: ConversationCase[] = [
  // ── answers ──────────────────────────────────────────────────────────────────────────────────────
  { class: 'answers', name: 'bare budget, bare name', turns: ['Hi', 'I need SEO', { say: '1200', reply: /name/ }, { say: 'ana', reply: /booked, Ana/ }], expect: { booked: '2026-11-30 09:00' } },
  { class: 'answers', name: 'budget with a question mark and a period', turns: ['hey, looking for help with marketing', { say: 'maybe 700 a month?', reply: /name/ }, 'Carlos here, tomorrow at 2'], expect: { booked: '2026-12-01 14:00' } },
  { class: 'answers', name: 'Spanish bare answers', turns: ['Hola, necesito ayuda con redes sociales', { say: '1500', reply: /llamas/ }, { say: 'soy lucía', reply: /Listo, Lucía/ }], expect: { booked: '2026-11-30 09:00' } },
  { class: 'answers', name: 'a goal in the customer’s words', turns: ['hi', { say: 'more customers for my bakery', reply: /budget/ }, 'around 2000', { say: 'Mike', reply: /booked, Mike/ }], expect: { booked: '2026-11-30 09:00' } },
  { class: 'answers', name: 'a time given when the budget was asked is kept, the budget asked again', turns: ['I need a website', { say: 'tomorrow at 11 works', reply: /budget/ }, '1500', 'Zoe'], expect: { booked: '2026-12-01 11:00' } },
  { class: 'answers', name: 'k budget and a name after it’s', turns: ['need marketing help', 'hmm 5k?', { say: "it's Tom", reply: /booked, Tom/ }], expect: { booked: '2026-11-30 09:00' } },
  { class: 'answers', name: 'per month budget, then name and day together', turns: ['Hi! I want SEO for my shop', 'we can do 900 per month', 'Ana López, Wednesday at 10'], expect: { booked: '2026-12-02 10:00' } },

  // ── corrections ──────────────────────────────────────────────────────────────────────────────────
  { class: 'corrections', name: 'Tuesday at 11, oh wait, Thursday', contactName: 'Ana', turns: ['I need SEO, Tuesday at 11', 'oh wait, Thursday', '2000'], expect: { booked: '2026-12-03 11:00' } },
  { class: 'corrections', name: 'make it 3 instead of 2 keeps the day', contactName: 'Bo', turns: ['marketing, friday at 2', 'make it 3 instead of 2', 'budget 3000'], expect: { booked: '2026-12-04 15:00' } },
  { class: 'corrections', name: 'a budget corrected after the refusal', contactName: 'Lia', turns: [{ say: 'SEO please, budget 250', reply: /start at \$500/ }, 'sorry, I meant 2500 not 250'], expect: { booked: '2026-11-30 09:00' } },
  { class: 'corrections', name: 'mejor el jueves', contactName: 'Marta', turns: ['necesito diseño web, el martes a las 11', 'mejor el jueves', 'presupuesto 2000'], expect: { booked: '2026-12-03 11:00' } },
  { class: 'corrections', name: 'actually 2pm keeps Monday', contactName: 'Eva', turns: ['web design, monday at 10', 'actually 2pm', '2000'], expect: { booked: '2026-11-30 14:00' } },
  { class: 'corrections', name: 'en realidad son 4 mil', contactName: 'Pablo', turns: ['necesito publicidad', { say: 'unos 300', reply: /empiezan en/ }, { say: 'en realidad son 4 mil', reply: /Listo, Pablo/ }], expect: { booked: '2026-11-30 09:00' } },
  { class: 'corrections', name: 'make it 10am instead', contactName: 'Kim', turns: ['SEO', 'Thursday at 11', 'make it 10am instead', '1500'], expect: { booked: '2026-12-03 10:00' } },
  { class: 'corrections', name: 'any time replaces the whole time', contactName: 'Lu', turns: ['marketing please, Tuesday at 11', 'Thursday any time', '2000'], expect: { booked: '2026-12-03 09:00' } },

  // ── qualifiers ───────────────────────────────────────────────────────────────────────────────────
  { class: 'qualifiers', name: 'Monday after 3', contactName: 'Ana', turns: ['marketing, budget 2000, Monday after 3'], expect: { booked: '2026-11-30 15:00' } },
  { class: 'qualifiers', name: 'between 10 and 12, the first two taken', contactName: 'Rob', taken: ['2026-12-02 10:00', '2026-12-02 10:30'], turns: ['SEO, 3k, Wednesday between 10 and 12'], expect: { booked: '2026-12-02 11:00' } },
  { class: 'qualifiers', name: 'el jueves después de las 4', turns: ['necesito SEO', '2000', 'me llamo Carla, el jueves después de las 4'], expect: { booked: '2026-12-03 16:00' } },
  { class: 'qualifiers', name: 'late morning tomorrow', contactName: 'Jo', turns: ['web design 1500 late morning tomorrow'], expect: { booked: '2026-12-01 10:30' } },
  { class: 'qualifiers', name: 'tomorrow before 11', contactName: 'Max', turns: ['ads, tomorrow before 11', 'budget 1000'], expect: { booked: '2026-12-01 09:00' } },
  { class: 'qualifiers', name: 'entre las 10 y las 12, the first taken', contactName: 'Sol', taken: ['2026-12-04 10:00'], turns: ['SEO, entre las 10 y las 12 el viernes, presupuesto 2000'], expect: { booked: '2026-12-04 10:30' } },
  { class: 'qualifiers', name: 'around 3 on Friday', contactName: 'Ed', turns: ['marketing, friday around 3, $2000'], expect: { booked: '2026-12-04 15:00' } },
  { class: 'qualifiers', name: 'early afternoon on Thursday', contactName: 'Ty', turns: ['branding, 2500, early afternoon on Thursday'], expect: { booked: '2026-12-03 13:00' } },

  // ── counts ───────────────────────────────────────────────────────────────────────────────────────
  { class: 'counts', name: '12 years in business is no date', turns: ['hi, we have been in business 12 years and need marketing', '2000', 'Ana'], expect: { booked: '2026-11-30 09:00' } },
  { class: 'counts', name: 'team of 8 people is no budget', turns: ['team of 8 people, looking for SEO', 'maybe 1500', 'Leo'], expect: { booked: '2026-11-30 09:00' } },
  { class: 'counts', name: 'a head count answering the budget question is asked again', turns: ['we have 3 locations and need a website', { say: 'team of 8', reply: /budget/ }, '2500', 'Ivy'], expect: { booked: '2026-11-30 09:00' } },
  { class: 'counts', name: 'llevamos 10 años', turns: ['llevamos 10 años, necesitamos redes sociales', '3000', 'Raúl'], expect: { booked: '2026-11-30 09:00' } },

  // ── typos ────────────────────────────────────────────────────────────────────────────────────────
  { class: 'typos', name: 'markting, bugdet, wendsday', turns: [{ say: 'I need markting', reply: /budget do you have in mind for marketing\?/ }, 'my bugdet is 2000', 'Ana, wendsday at 2'], expect: { booked: '2026-12-02 14:00' } },
  { class: 'typos', name: 'advertisment on thrusday morning', contactName: 'Sam', turns: [{ say: 'advertisment for my shop, budget 1500, thrusday morning', reply: /advertising appointment/ }], expect: { booked: '2026-12-03 09:00' } },
  { class: 'typos', name: 'publicidda el miercoels', contactName: 'Inés', turns: [{ say: 'necesito publicidda, presupusto 3000, el miercoels por la tarde', reply: /sobre publicidad/ }], expect: { booked: '2026-12-02 12:00' } },
  { class: 'typos', name: 'webiste, tomorow', contactName: 'Ben', turns: ['webiste redesign', { say: '2000, tomorow at 10', reply: /web design appointment/, notReply: /webiste/ }], expect: { booked: '2026-12-01 10:00' } },

  // ── opt-out ──────────────────────────────────────────────────────────────────────────────────────
  { class: 'opt-out', name: 'please stop messaging me', turns: ['hi, need SEO', { say: 'please stop messaging me', reply: /won't get any more messages/ }], expect: { booked: null, optedOut: true } },
  { class: 'opt-out', name: 'deja de mandarme mensajes', turns: ['Hola', { say: 'deja de mandarme mensajes', reply: /No te enviaremos/ }], expect: { booked: null, optedOut: true } },
  { class: 'opt-out', name: "don't stop the campaign books", contactName: 'Al', turns: ["we run ads, don't stop the campaign, I need SEO too", '2000'], expect: { booked: '2026-11-30 09:00', optedOut: false } },
  { class: 'opt-out', name: 'remove me from your list', turns: ['remove me from your list', { say: 'hello?', reply: /^$/ }], expect: { booked: null, optedOut: true } },

  // ── language ─────────────────────────────────────────────────────────────────────────────────────
  { class: 'language', name: 'Tu cita sobre diseño web', turns: [{ say: 'Hola, necesito ayuda con diseño web', reply: /presupuesto tienes en mente para diseño web/ }, '1500', { say: 'soy Lucía', reply: /Tu cita sobre diseño web/ }], expect: { booked: '2026-11-30 09:00' } },
  { class: 'language', name: 'the customer’s typo is never quoted back', turns: [{ say: 'necesito markting para mi tienda', reply: /para marketing\?/, notReply: /markting/ }, '2000', 'Pedro'], expect: { booked: '2026-11-30 09:00' } },
  { class: 'language', name: 'services not offered, listed in Spanish', contactName: 'Rosa', rules: { services: ['web design', 'SEO'] }, turns: [{ say: 'hola, necesito coaching, presupuesto 2000', reply: /No ofrecemos coaching\. Podemos ayudarte con: diseño web, SEO/ }], expect: { booked: null } },
  { class: 'language', name: 'the business’s own label', rules: { serviceLabels: { 'web design': { es: 'páginas web' } } }, turns: ['Hola, quiero una página web', '2000', { say: 'me llamo Ana', reply: /Tu cita sobre páginas web/ }], expect: { booked: '2026-11-30 09:00' } },
  { class: 'language', name: 'a free-text goal in Spanish', turns: ['hola', { say: 'quiero más clientes para mi restaurante', reply: /para más clientes para mi restaurante/ }, '1500', 'Sara'], expect: { booked: '2026-11-30 09:00' } },
  { class: 'language', name: 'two services in English', turns: ['I need social media and a website', '2000', { say: 'Kat', reply: /social media and web design appointment/ }], expect: { booked: '2026-11-30 09:00' } },

  // ── closed is not taken ──────────────────────────────────────────────────────────────────────────
  { class: 'closed', name: 'Saturday at 10, then the first offer', contactName: 'Ana', turns: [{ say: 'SEO, budget 2000, Saturday at 10', reply: /We're closed then: we're open Monday to Friday, 9:00–17:00/ }, '1'], expect: { booked: '2026-12-04 15:30' } },
  { class: 'closed', name: '8 pm', contactName: 'Bo', turns: [{ say: 'marketing, 3000, tomorrow at 8pm', reply: /closed then/, notReply: /isn't free/ }], expect: { booked: null } },
  { class: 'closed', name: 'el sábado por la mañana', contactName: 'Eva', turns: [{ say: 'necesito SEO, 2000, el sábado por la mañana', reply: /estamos cerrados: abrimos de lunes a viernes, de 9:00 a 17:00/ }], expect: { booked: null } },
  { class: 'closed', name: 'a taken slot is taken, not closed', contactName: 'Ian', taken: ['2026-12-01 15:00'], turns: [{ say: 'SEO, 2000, tomorrow at 3pm', reply: /isn't free/, notReply: /closed/ }], expect: { booked: null } },
  { class: 'closed', name: 'after 6pm', contactName: 'Al', turns: [{ say: 'SEO 2000 tomorrow after 6pm', reply: /closed then/ }], expect: { booked: null } },

  // ── small talk after a booking ───────────────────────────────────────────────────────────────────
  { class: 'small-talk', name: 'thanks, see you then', contactName: 'Ana', turns: ['SEO, budget 2000, tomorrow at 3pm', { say: 'thanks, see you then', reply: /See you on/, notReply: /already have/ }], expect: { booked: '2026-12-01 15:00' } },
  { class: 'small-talk', name: 'gracias, nos vemos', contactName: 'Leo', turns: ['necesito SEO, 2000, mañana a las 10', { say: 'gracias, nos vemos', reply: /Te esperamos/ }], expect: { booked: '2026-12-01 10:00' } },
  { class: 'small-talk', name: 'perfect 👍', contactName: 'Kim', turns: ['marketing, 3000', { say: 'perfect 👍', reply: /See you on/ }], expect: { booked: '2026-11-30 09:00' } },
  { class: 'small-talk', name: 'a change request is no small talk: it moves the appointment', contactName: 'Joe', turns: ['SEO, 2000', { say: 'could we do Friday at 10am?', reply: /now on Friday/, notReply: /welcome/ }], expect: { booked: '2026-12-04 10:00' } },
  { class: 'small-talk', name: 'a hello after the booking is no thanks', contactName: 'Noa', turns: ['SEO, 2000', { say: 'hello', reply: /already have an appointment/, notReply: /welcome/ }], expect: { booked: '2026-11-30 09:00' } },
  { class: 'small-talk', name: 'a thumbs up', contactName: 'Ava', turns: ['SEO, 2000', { say: '👍', reply: /See you on/ }], expect: { booked: '2026-11-30 09:00' } },

  // ── changes: move and cancel the booked appointment ─────────────────────────────────────────────
  { class: 'changes', name: 'an automatic booking says how to change it, then moves', contactName: 'Ana', turns: [{ say: 'SEO, budget 2000', reply: /another time if this one/ }, { say: 'can we move it to Friday at 11?', reply: /now on Friday/ }], expect: { booked: '2026-12-04 11:00' } },
  { class: 'changes', name: 'el jueves en la tarde moves it, no dead end', contactName: 'Luis', turns: ['quiero ayuda con mi página web, 2000, el martes a las 13:30', { say: 'el jueves en la tarde?', reply: /ha pasado al jueves/, notReply: /el equipo/ }], expect: { booked: '2026-12-03 12:00' } },
  { class: 'changes', name: 'something later that day', contactName: 'Kim', turns: ['marketing, 3000, tomorrow at 10', { say: 'something later that day?', reply: /now on Tuesday/ }], expect: { booked: '2026-12-01 10:30' } },
  { class: 'changes', name: 'reschedule without a time asks for one', contactName: 'Bo', turns: ['SEO, 2000, Wednesday at 2pm', { say: 'I need to reschedule', reply: /What other day/ }, { say: 'Thursday at 3pm', reply: /now on Thursday/ }], expect: { booked: '2026-12-03 15:00' } },
  { class: 'changes', name: 'cancel asks once, yes cancels', contactName: 'Eva', turns: ['SEO, 2000, Wednesday at 2pm', { say: 'cancel my appointment', reply: /Do you want me to cancel/ }, { say: 'yes', reply: /is cancelled/ }], expect: { booked: null, optedOut: false } },
  { class: 'changes', name: 'cancel, no keeps it', contactName: 'Max', turns: ['SEO, 2000, Wednesday at 2pm', { say: 'cancel', reply: /Do you want me to cancel/ }, { say: 'no', reply: /stays as it is/ }], expect: { booked: '2026-12-02 14:00', optedOut: false } },
  { class: 'changes', name: 'no puedo ir, cancela la cita; then book again', contactName: 'Marta', turns: ['necesito SEO, 2000, el miércoles a las 10', { say: 'no puedo ir, cancela la cita', reply: /anule tu cita/ }, { say: 'sí', reply: /he anulado/ }, { say: 'el viernes a las 12', reply: /Listo, Marta/ }], expect: { booked: '2026-12-04 12:00' } },
  { class: 'changes', name: 'the gym is not the appointment', contactName: 'Tom', turns: ['I need SEO', { say: "I can't cancel my gym, so mornings are out", reply: /budget/, notReply: /cancel/ }], expect: { booked: null } },
  { class: 'changes', name: 'STOP with a booking still opts out', contactName: 'Ray', turns: ['SEO, 2000, Wednesday at 2pm', { say: 'STOP', reply: /won't get any more/ }], expect: { booked: '2026-12-02 14:00', optedOut: true } },
];
