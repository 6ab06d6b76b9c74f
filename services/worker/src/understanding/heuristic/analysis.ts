/**
 * Text folding and the span bookkeeping every extractor shares.
 *
 * Every extractor works on a "folded" copy of the text (lower case, accents stripped, curly
 * apostrophes straightened) that has exactly the same length as the original, so a match in the
 * folded text can be cut out of the original by index. Each extractor marks the characters it
 * used; whatever meaningful words are left unmarked at the end decide `confident`.
 */

function foldChar(ch: string): string {
  if (ch === '\u2019' || ch === '\u2018' || ch === '`' || ch === '\u00b4') return "'";
  const stripped = ch.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
  if (stripped.length === 1) return stripped;
  const lower = ch.toLowerCase();
  return lower.length === 1 ? lower : ch;
}

/** Lower case, accents stripped, apostrophes straightened; same length as the input. */
export function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += foldChar(text[i]);
  return out;
}

/** The message plus which characters an extractor has already accounted for. */
export class Analysis {
  readonly folded: string;
  private readonly used: Uint8Array;

  constructor(readonly original: string) {
    this.folded = fold(original);
    this.used = new Uint8Array(original.length);
  }

  mark(start: number, end: number): void {
    for (let i = Math.max(0, start); i < Math.min(end, this.used.length); i++) this.used[i] = 1;
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
    let out = '';
    for (let i = 0; i < this.original.length; i++) out += this.used[i] ? ' ' : this.original[i];
    return out;
  }

  maskedFolded(): string {
    let out = '';
    for (let i = 0; i < this.folded.length; i++) out += this.used[i] ? ' ' : this.folded[i];
    return out;
  }

  /** Words (folded) not yet accounted for. */
  leftoverWords(): string[] {
    const words: string[] = [];
    for (const m of this.maskedFolded().matchAll(/[\p{L}\p{N}][\p{L}\p{N}']*/gu)) words.push(m[0]);
    return words;
  }
}

export function words(folded: string): string[] {
  return folded.match(/[\p{L}\p{N}][\p{L}\p{N}']*/gu) ?? [];
}

/** Folded, punctuation removed, whitespace collapsed: for whole-message keyword comparisons. */
export function compact(text: string): string {
  return fold(text)
    .replace(/[^\p{L}\p{N}\s']+/gu, ' ')
    .replace(/(^|\s)'+|(?<!')'+(?=\s|$)/g, '$1') // (?<!') keeps a long run of ' linear
    .replace(/\s+/g, ' ')
    .trim();
}
