/** The name a customer introduces themselves with ("I'm Ana", "me llamo Ana Pérez"). */
import { Analysis, fold } from './analysis';
import { CONFIRM_CORE, DECLINE_CORE, EN_MARKERS, ES_MARKERS, FILLER, NAME_STOP } from './word-lists';

const NAME_PREFIX_RE =
  /\b(my name is|my name's|my names|name is|name's|me llamo|mi nombre es|i'm|i am|im|this is|call me|soy|le habla|te habla|les habla|habla)\s+/g;
const EXPLICIT_NAME_PREFIXES = new Set(['my name is', "my name's", 'my names', 'name is', "name's", 'me llamo', 'mi nombre es']);
function titleCase(word: string): string {
  if (word !== word.toLowerCase() && word !== word.toUpperCase()) return word;
  return word
    .toLowerCase()
    .split(/([-'’])/)
    .map((p) => (p.length > 0 ? p[0].toUpperCase() + p.slice(1) : p))
    .join('');
}

export function findName(a: Analysis): string | null {
  const folded = a.maskedFolded();
  for (const m of folded.matchAll(NAME_PREFIX_RE)) {
    const explicit = EXPLICIT_NAME_PREFIXES.has(m[1]);
    const found: string[] = [];
    let pos = m.index + m[0].length;
    let end = pos;
    const wordRe = /[\p{L}][\p{L}'’-]*/uy;
    while (found.length < 4) {
      wordRe.lastIndex = pos;
      const w = wordRe.exec(a.original);
      if (!w || a.isUsed(pos)) break;
      const word = w[0].replace(/['’]s$/, '');
      const f = fold(word);
      const capitalised = /^\p{Lu}/u.test(word);
      if (NAME_STOP.has(f) || (!capitalised && !explicit) || word.length < 2) break;
      found.push(titleCase(word));
      end = pos + w[0].length;
      const gap = /^[ \t]+/.exec(a.original.slice(end));
      if (!gap) break;
      pos = end + gap[0].length;
    }
    if (found.length > 0) {
      a.mark(m.index, end);
      return found.join(' ');
    }
  }
  return null;
}

/** The name a message introduces ("I'm Ana", "me llamo Ana Pérez"), or null. */
export function extractName(text: string): string | null {
  return findName(new Analysis(text));
}

/** "it's Ana", "Ana here", "soy ana": the name around the bare answer. */
const BARE_NAME_RE =
  /^\s*(?:(?:it'?s|its|i'?m|i am|this is|soy|me llamo|es|my name'?s|name'?s|call me)\s{1,2})?([\p{L}][\p{L}'’-]*(?:\s{1,2}[\p{L}][\p{L}'’-]*){0,2})(?:\s{1,2}(?:here|aqui|speaking|por aqui))?[\s.!,]*$/u;
const BARE_NAME_SUFFIXES = new Set(['here', 'aqui', 'speaking']);
const NOT_A_NAME = new Set([...FILLER, ...NAME_STOP, ...CONFIRM_CORE, ...DECLINE_CORE, ...ES_MARKERS, ...EN_MARKERS, 'ok', 'okay', 'sure', 'idk', 'why', 'porque']);

/**
 * The answer to "May I have your name?": one to three words that are nothing else ("ana", "Ana López",
 * "it's Ana"), written in any case. Only when the bot asked for the name.
 */
export function findBareName(a: Analysis): string | null {
  const m = BARE_NAME_RE.exec(a.maskedFolded());
  if (!m) return null;
  const ws = m[1].split(/\s+/);
  while (ws.length > 1 && BARE_NAME_SUFFIXES.has(ws[ws.length - 1])) ws.pop(); // "Carlos here"
  if (ws.some((w) => w.length < 2 || NOT_A_NAME.has(w))) return null;
  const start = m.index + m[0].indexOf(m[1]);
  const original = a.original.slice(start).split(/\s+/).slice(0, ws.length).map((w) => titleCase(w.replace(/[.!,]+$/, ''))).join(' ');
  a.mark(m.index, m.index + m[0].length);
  return original;
}
