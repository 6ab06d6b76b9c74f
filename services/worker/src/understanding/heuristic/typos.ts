/**
 * Typos in the words that matter ("markting", "advertisment", "bugdet", "wendsday"): each word close to
 * one of the words the extractors look for is rewritten to it before anything else reads the message,
 * so every extractor sees it spelled right and the customer's words are quoted back without the typo.
 *
 * Care for short words: words of four letters or fewer are never changed ("ads", "seo", "web", "mes");
 * five or six letters tolerate one edit, seven or more two (a swap of neighbours is one edit: Damerau).
 * The first letter must match (typos rarely hit it, and it keeps the comparisons few), the nearest
 * word must be the only one at its distance, and a word that is itself a known word is left alone
 * ("contest" is not "content", "medio" is not "media").
 */
import damerauLevenshtein from 'damerau-levenshtein';
import { fold } from './analysis';
import { CONFIRM_CORE, CONFIRM_FILLER, DECLINE_CORE, DECLINE_FILLER, EN_MARKERS, ES_MARKERS, FILLER, NAME_STOP } from './word-lists';

/** The words worth correcting to, as they are written (the folded form is the key). */
const VOCABULARY = [
  // services
  'marketing', 'advertising', 'advertisement', 'advertisements', 'website', 'websites', 'design', 'designer', 'social',
  'branding', 'content', 'consulting', 'consultation', 'coaching', 'newsletter', 'ecommerce', 'instagram', 'facebook',
  'google', 'linkedin', 'tiktok', 'youtube', 'copywriting', 'optimization', 'campaign', 'campaigns', 'landing',
  'publicidad', 'anuncios', 'posicionamiento', 'diseño', 'página', 'páginas', 'redes', 'sociales', 'contenido',
  'contenidos', 'consultoría', 'asesoría', 'mercadeo', 'mercadotecnia', 'campaña', 'campañas',
  // budget
  'budget', 'budgets', 'presupuesto', 'investment', 'inversión', 'invertir', 'dollars', 'dólares', 'euros', 'thousand',
  'hundred', 'million',
  // days and times
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'lunes', 'martes', 'miércoles', 'jueves',
  'viernes', 'sábado', 'domingo', 'tomorrow', 'morning', 'afternoon', 'evening', 'tonight', 'mediodía', 'semana',
  'appointment', 'meeting', 'schedule', 'available', 'between', 'después', 'instead',
  // opting out
  'unsubscribe', 'messaging', 'messages', 'texting', 'contacting', 'remove', 'mensajes', 'escribirme', 'mandarme',
  'enviarme',
];

/** Real words one edit from a vocabulary word: never "corrected". */
const LOOKALIKES = [
  'contest', 'context', 'contents', 'contact', 'contract', 'market', 'markets', 'marketer', 'media', 'medio', 'medios',
  'median', 'monthly', 'months', 'money', 'mondays', 'social', 'socials', 'special', 'designs', 'designed', 'resign',
  'landed', 'lending', 'remote', 'removed', 'texted', 'texts', 'messaged', 'message', 'meetings', 'morning', 'mornings',
  'evenings', 'afternoons', 'thousands', 'hundreds', 'millions', 'marzo', 'martes', 'marca', 'marcas', 'redes', 'pagina',
  'semanas', 'juegos', 'julio', 'junio', 'invertir', 'inverso', 'budgeting', 'schedules', 'scheduled', 'campus',
  'campana', 'campanas', 'between', 'betting', 'instead', 'domingos', 'lunes', 'viernes', 'sabados', 'junto',
  'entero', 'semanal', 'mensual', 'diario', 'sociable', 'testing', 'tested', 'tester', 'lines', 'lunar', 'junior', 'match',
  'merch', 'mark', 'marks', 'marked',
  // first names a word away from one of the words above
  'julia', 'julie', 'julio', 'mario', 'maria', 'marta', 'marco', 'marcos', 'monica', 'sonia', 'sunny', 'sandy', 'mandy',
];

interface Entry {
  folded: string;
  written: string;
}

const KNOWN = new Set<string>([
  ...LOOKALIKES,
  ...FILLER, ...ES_MARKERS, ...EN_MARKERS, ...NAME_STOP, ...CONFIRM_CORE, ...CONFIRM_FILLER, ...DECLINE_CORE, ...DECLINE_FILLER,
]);
const BY_FIRST_LETTER = new Map<string, Entry[]>();
for (const written of VOCABULARY) {
  const folded = fold(written);
  KNOWN.add(folded);
  const list = BY_FIRST_LETTER.get(folded[0]) ?? [];
  list.push({ folded, written });
  BY_FIRST_LETTER.set(folded[0], list);
}

/** Edits tolerated in a word of this length (see the header). */
export function toleratedEdits(length: number): number {
  return length <= 4 ? 0 : length <= 6 ? 1 : 2;
}

/** Words read per message: a message names what matters in its first few hundred. */
const MAX_WORDS_CHECKED = 400;
const WORD_RE = /\p{L}+/gu;
/** "I'm Wendy", "soy Marta": the word after these is a name, never a typo. */
const NAME_BEFORE_RE = /(?:\bi'?m|\bi am|\bname is|\bname's|\bsoy|\bllamo|\bthis is|\bcall me|\bhabla)\s+$/;

/** The vocabulary word a folded word is a typo of, or null. */
export function correctionOf(folded: string): Entry | null {
  const edits = toleratedEdits(folded.length);
  if (edits === 0 || KNOWN.has(folded) || !/^[a-z]+$/.test(folded)) return null;
  let best: Entry | null = null;
  let bestDistance = edits + 1;
  let tie = false;
  for (const entry of BY_FIRST_LETTER.get(folded[0]) ?? []) {
    if (Math.abs(entry.folded.length - folded.length) > edits) continue;
    const distance = damerauLevenshtein(folded, entry.folded).steps;
    if (distance < bestDistance) {
      best = entry;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) {
      tie = true;
    }
  }
  return best && !tie ? best : null;
}

function inCaseOf(original: string, written: string): string {
  if (original.length > 1 && original === original.toUpperCase()) return written.toUpperCase();
  if (/^\p{Lu}/u.test(original)) return written[0].toUpperCase() + written.slice(1);
  return written;
}

/** `text` with every typo of a vocabulary word rewritten (see the header); the rest untouched. */
export function correctTypos(text: string): string {
  const folded = fold(text);
  let out = '';
  let from = 0;
  let checked = 0;
  const seen = new Map<string, Entry | null>();
  for (const m of folded.matchAll(WORD_RE)) {
    if (++checked > MAX_WORDS_CHECKED) break;
    const word = m[0];
    if (toleratedEdits(word.length) === 0) continue;
    let fix = seen.get(word);
    if (fix === undefined) seen.set(word, (fix = correctionOf(word)));
    if (!fix) continue;
    if (NAME_BEFORE_RE.test(folded.slice(Math.max(0, m.index - 14), m.index))) continue;
    out += text.slice(from, m.index) + inCaseOf(text.slice(m.index, m.index + word.length), fix.written);
    from = m.index + word.length;
  }
  return from === 0 ? text : out + text.slice(from);
}
