/**
 * Small talk: thanks, goodbyes and pleasantries with nothing else in them ("thanks, see you then",
 * "gracias, nos vemos", "great, thank you!"). Once booked, they deserve a short friendly answer.
 */
import { CONFIRM_CORE, CONFIRM_FILLER } from './word-lists';

/** At least one of these must be there. */
const SMALL_TALK_CORE = new Set([
  'thanks', 'thank', 'thx', 'thnx', 'ty', 'tysm', 'cheers', 'bye', 'goodbye', 'cya', 'see', 'appreciate', 'appreciated',
  'gracias', 'adios', 'chao', 'chau', 'vemos', 'luego', 'pronto', 'agradezco', 'saludos', 'besos', 'abrazo', 'nice',
]);
/** And the rest may be these (or a confirmation's words). */
const SMALL_TALK_FILLER = new Set([
  'you', 'then', 'soon', 'later', 'there', 'again', 'lot', 'lots', 'a', 'so', 'much', 'very', 'all', 'have', 'nice', 'day',
  'good', 'one', 'awesome', 'amazing', 'cool', 'lovely', 'wonderful', 'talk', 'will', 'do', 'it', "it's", 'no', 'problem',
  'hasta', 'nos', 'muchas', 'muchisimas', 'mil', 'buen', 'dia', 'un', 'saludo', 'que', 'tengas', 'tengan', 'igualmente',
  'ti', 'a', 'te', 'the', 'mate', 'guys', 'man', 'weekend', 'evening', 'help', 'your', 'ok', 'okay', 'see', 'ya', 'u', 'then', 'tomorrow', 'manana', 'de', 'nada',
]);

/** Whether the words (folded) are small talk only. */
export function isSmallTalk(ws: readonly string[]): boolean {
  if (ws.length === 0 || ws.length > 12) return false;
  const allowed = (w: string) => SMALL_TALK_CORE.has(w) || SMALL_TALK_FILLER.has(w) || CONFIRM_CORE.has(w) || CONFIRM_FILLER.has(w);
  return ws.some((w) => SMALL_TALK_CORE.has(w)) && ws.every(allowed);
}
