/**
 * Text folding and the span bookkeeping every extractor shares.
 *
 * Every extractor works on a "folded" copy of the text (lower case, accents stripped, curly
 * apostrophes straightened) that has exactly the same length as the original, so a match in the
 * folded text can be cut out of the original by index. Each extractor marks the characters it
 * used; whatever meaningful words are left unmarked at the end decide `confident`.
 */

const foldedChars = new Map<string, string>();
const ASCII_ONLY_RE = /^[\x00-\x7f]*$/;

function foldChar(ch: string): string {
  if (ch === '\u2019' || ch === '\u2018' || ch === '`' || ch === '\u00b4') return "'";
  const stripped = ch.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
  if (stripped.length === 1) return stripped;
  const lower = ch.toLowerCase();
  return lower.length === 1 ? lower : ch;
}

/** Lower case, accents stripped, apostrophes straightened; same length as the input. */
export function fold(text: string): string {
  // Pure ASCII (most messages): nothing to normalise, and native lower-casing keeps the length.
  if (ASCII_ONLY_RE.test(text)) return text.toLowerCase().replace(/`/g, "'");
  // Characters that fold to themselves are copied a run at a time; the others one by one, ASCII
  // without normalize() (a per-character normalize() was most of the cost of long texts).
  let out = '';
  let unchangedFrom = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let folded: string;
    if (code < 0x80) {
      if (code !== 0x60 && !(code >= 0x41 && code <= 0x5a)) continue;
      folded = code === 0x60 ? "'" : String.fromCharCode(code + 32);
    } else {
      const ch = text[i];
      const known = foldedChars.get(ch); // at most one entry per UTF-16 code unit
      folded = known ?? foldChar(ch);
      if (known === undefined) foldedChars.set(ch, folded);
      if (folded === ch) continue;
    }
    out += text.slice(unchangedFrom, i) + folded;
    unchangedFrom = i + 1;
  }
  return out + text.slice(unchangedFrom);
}

/** The message plus which characters an extractor has already accounted for. */
export class Analysis {
  readonly folded: string;
  private readonly used: Uint8Array;
  /** Bumped by every mark() that changes something; the masked texts are cached per version. */
  private version = 0;
  private maskedCache: { version: number; original: string; folded: string } | null = null;

  constructor(readonly original: string) {
    this.folded = fold(original);
    this.used = new Uint8Array(original.length);
  }

  mark(start: number, end: number): void {
    for (let i = Math.max(0, start); i < Math.min(end, this.used.length); i++) {
      if (this.used[i]) continue;
      this.used[i] = 1;
      this.version++;
    }
  }

  isFree(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.used[i]) return false;
    return true;
  }

  isUsed(index: number): boolean {
    return this.used[index] === 1;
  }

  /** The original text with used characters blanked out (same length). */
  masked(): string {
    return this.maskedTexts().original;
  }

  maskedFolded(): string {
    return this.maskedTexts().folded;
  }

  /** Whether a word not yet accounted for is outside `ignored`; stops at the first one. */
  hasLeftoverWordOutside(ignored: ReadonlySet<string>): boolean {
    for (const m of this.maskedFolded().matchAll(WORD_RE)) if (!ignored.has(m[0])) return true;
    return false;
  }

  private maskedTexts(): { original: string; folded: string } {
    if (this.maskedCache?.version !== this.version) {
      this.maskedCache = { version: this.version, original: this.blank(this.original), folded: this.blank(this.folded) };
    }
    return this.maskedCache;
  }

  /** `text` with every used character replaced by a space, copied run by run. */
  private blank(text: string): string {
    let out = '';
    let i = 0;
    while (i < text.length) {
      const start = i;
      if (this.used[i]) {
        while (i < text.length && this.used[i]) i++;
        out += ' '.repeat(i - start);
      } else {
        while (i < text.length && !this.used[i]) i++;
        out += text.slice(start, i);
      }
    }
    return out;
  }
}

const WORD_RE = /[\p{L}\p{N}][\p{L}\p{N}']*/gu;

export function words(folded: string): string[] {
  return folded.match(WORD_RE) ?? [];
}

/** The first `max` words of `folded` (all of them when fewer), without reading further. */
export function firstWords(folded: string, max: number): string[] {
  const found: string[] = [];
  for (const m of folded.matchAll(WORD_RE)) {
    if (found.length === max) break;
    found.push(m[0]);
  }
  return found;
}

/** Folded, punctuation removed, whitespace collapsed: for whole-message keyword comparisons. */
export function compact(text: string): string {
  return compactFolded(fold(text));
}

/** compact() of a text already folded (understandSync folds once and reuses it). */
export function compactFolded(folded: string): string {
  return folded
    .replace(/[^\p{L}\p{N}\s']+/gu, ' ')
    .replace(/(^|\s)'+|(?<!')'+(?=\s|$)/g, '$1') // (?<!') keeps a long run of ' linear
    .replace(/\s+/g, ' ')
    .trim();
}
