/** Which language a message is in: English or Spanish. */
import type { Language } from '../understanding';
import { firstWords, fold } from './analysis';
import { EN_MARKERS, ES_MARKERS } from './word-lists';

/** Words the language is judged on: the first hundred say it as well as all of them. */
const LANGUAGE_MAX_WORDS = 100;

/**
 * 'es' when Spanish markers (words, ¿ ¡ ñ and accented vowels) outweigh English ones, 'en' when
 * English ones do; too short or a tie → previous language, else 'en'.
 */
export function detectLanguage(text: string, previous: Language | null = null, folded: string = fold(text)): Language {
  let es = 0;
  let en = 0;
  for (const w of firstWords(folded, LANGUAGE_MAX_WORDS)) {
    if (ES_MARKERS.has(w)) es++;
    if (EN_MARKERS.has(w)) en++;
  }
  if (/[¿¡ñÑ]/.test(text)) es += 2;
  // An accent alone is a weak sign: "Ana López" answering an English question is still English.
  if (es > 0 && /[áéíóúÁÉÍÓÚ]/.test(text)) es += 1;
  if (es > en) return 'es';
  if (en > es) return 'en';
  return previous ?? 'en';
}
