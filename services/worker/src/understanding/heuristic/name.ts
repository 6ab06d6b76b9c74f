/** The name a customer introduces themselves with ("I'm Ana", "me llamo Ana Pérez"). */
import { Analysis, fold } from './analysis';
import { NAME_STOP } from './word-lists';

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
