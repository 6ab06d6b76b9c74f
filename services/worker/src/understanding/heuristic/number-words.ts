/**
 * Amounts written in words, English and Spanish (folded: no accents): "two thousand five hundred",
 * "a thousand", "dos mil", "tres mil quinientos", "mil quinientos", "un millón".
 */

type Kind = 'unit' | 'teen' | 'ten' | 'hundreds' | 'hundred' | 'thousand' | 'million' | 'article' | 'and';

const WORDS: Record<string, readonly [Kind, number]> = {};
const define = (kind: Kind, entries: Record<string, number>) => {
  for (const [word, value] of Object.entries(entries)) WORDS[word] = [kind, value];
};
define('unit', {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  uno: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9,
});
// A complete 10-29 (Spanish writes 21-29 as one word).
define('teen', {
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19,
  diez: 10, once: 11, doce: 12, trece: 13, catorce: 14, quince: 15, dieciseis: 16, diecisiete: 17, dieciocho: 18,
  diecinueve: 19, veintiuno: 21, veintiun: 21, veintiuna: 21, veintidos: 22, veintitres: 23, veinticuatro: 24,
  veinticinco: 25, veintiseis: 26, veintisiete: 27, veintiocho: 28, veintinueve: 29,
});
define('ten', {
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
  veinte: 20, treinta: 30, cuarenta: 40, cincuenta: 50, sesenta: 60, setenta: 70, ochenta: 80, noventa: 90,
});
// Spanish hundreds are words of their own; English multiplies ("five hundred").
define('hundreds', {
  cien: 100, ciento: 100, doscientos: 200, doscientas: 200, trescientos: 300, trescientas: 300,
  cuatrocientos: 400, cuatrocientas: 400, quinientos: 500, quinientas: 500, seiscientos: 600, seiscientas: 600,
  setecientos: 700, setecientas: 700, ochocientos: 800, ochocientas: 800, novecientos: 900, novecientas: 900,
});
define('hundred', { hundred: 100 });
define('thousand', { thousand: 1000, mil: 1000, grand: 1000 });
define('million', { million: 1_000_000, millon: 1_000_000, millones: 1_000_000 });
// "a thousand", "un millón": one, but only right before a scale word.
define('article', { a: 1, an: 1, un: 1, una: 1 });
define('and', { and: 0, y: 0 });

const SCALES: ReadonlySet<Kind> = new Set(['hundred', 'thousand', 'million']);
const RANGE_LEADS: ReadonlySet<string> = new Set(['between', 'entre']);
/** Any word of kind 'hundreds', 'hundred', 'thousand' or 'million'. */
const SCALE_WORD_RE = /hundred|thousand|grand|million|\bmil|\bcien|ientos|ientas/; // "quinientos", "doscientas"

export interface NumberWordPhrase {
  start: number;
  end: number;
  value: number;
  /** 1_000_000 or 1000 when a million / thousand word is in the phrase, else 1 */
  multiplier: number;
  /** no hundred, thousand or million in it ("two", "veinte"): not an amount alone */
  bare: boolean;
}

/** One phrase being read; `add` refuses a word that cannot continue it. */
class Phrase {
  /**
   * After "between"/"entre" an "and"/"y" joins the two ends of a range ("between five hundred and
   * two thousand"), so it only continues a number after a ten ("entre treinta y cinco mil y…").
   */
  constructor(private readonly afterRangeLead = false) {}

  start = -1;
  end = -1;
  private total = 0;
  private group = 0;
  private hasOnes = false;
  private hasTens = false;
  private hasHundreds = false;
  private thousands = false;
  private millions = false;
  private scaled = false;
  private last: Kind | null = null;
  private endBeforeAnd = -1;
  private numberWords = 0;

  get empty(): boolean {
    return this.numberWords === 0;
  }

  add(kind: Kind, value: number, word: string, start: number, end: number): boolean {
    if (!this.accepts(kind, word)) return false;
    if (this.start < 0) this.start = start;
    if (kind === 'and') {
      this.endBeforeAnd = this.end;
    } else {
      this.apply(kind, value);
      this.numberWords++;
    }
    this.end = end;
    this.last = kind;
    return true;
  }

  /** The phrase read so far (a trailing "and"/"y" or a lone article left out), or null. */
  result(): NumberWordPhrase | null {
    if (this.empty || this.last === 'article') return null;
    const end = this.last === 'and' ? this.endBeforeAnd : this.end;
    const value = this.total + this.group;
    if (!(value > 0)) return null;
    return {
      start: this.start,
      end,
      value,
      multiplier: this.millions ? 1_000_000 : this.thousands ? 1000 : 1,
      bare: !this.scaled,
    };
  }

  private accepts(kind: Kind, word: string): boolean {
    if (this.last === 'article' && !SCALES.has(kind)) return false;
    const groupEmpty = this.group === 0;
    switch (kind) {
      case 'article':
        return this.empty || ((word === 'un' || word === 'una') && (this.last === 'and' || this.last === 'ten' || this.last === 'hundreds'));
      case 'and':
        if (this.afterRangeLead && this.last !== 'ten') return false;
        return !this.empty && this.last !== 'and' && this.last !== 'article';
      case 'unit':
        return !this.hasOnes; // "twenty five", "treinta y cinco"
      case 'teen':
        return !this.hasOnes && !this.hasTens;
      case 'ten':
        return !this.hasOnes && !this.hasTens;
      case 'hundreds':
        return groupEmpty;
      case 'hundred':
        return !this.hasHundreds && this.group >= 1 && this.group <= 99;
      case 'thousand':
        return !this.thousands && this.group < 1000 && (!groupEmpty || word === 'mil'); // "mil" alone is 1000
      case 'million':
        return !this.millions && !this.thousands && this.group > 0;
    }
  }

  private apply(kind: Kind, value: number): void {
    switch (kind) {
      case 'article':
        // "un"/"una" after "treinta y" is the unit one; at the start it waits for its scale word
        this.group += 1;
        if (this.last !== null) this.hasOnes = true;
        return;
      case 'unit':
        this.group += value;
        this.hasOnes = true;
        return;
      case 'teen':
        this.group += value;
        this.hasOnes = this.hasTens = true;
        return;
      case 'ten':
        this.group += value;
        this.hasTens = true;
        return;
      case 'hundreds':
        this.group += value;
        this.hasHundreds = this.scaled = true;
        return;
      case 'hundred':
        this.group *= 100;
        this.hasHundreds = this.scaled = true;
        this.hasOnes = this.hasTens = false;
        return;
      case 'thousand':
      case 'million':
        this.total += (this.group || 1) * value;
        this.group = 0;
        this.hasOnes = this.hasTens = this.hasHundreds = false;
        this.scaled = true;
        if (kind === 'thousand') this.thousands = true;
        else this.millions = true;
        return;
      case 'and':
        return;
    }
  }
}

/**
 * Every number-word phrase in `folded`, left to right, each as long as the grammar allows. Words of
 * one phrase are separated by spaces or a hyphen ("twenty-five"); any other character ends it.
 */
export function findNumberWordPhrases(folded: string): NumberWordPhrase[] {
  const phrases: NumberWordPhrase[] = [];
  // Without a hundred/thousand/million word every phrase would be bare, and bare ones only count
  // as the low end of a range that ends in one: nothing to read (and no pass over every word).
  if (!SCALE_WORD_RE.test(folded)) return phrases;
  let previousWord = '';
  let phrase = new Phrase();
  const finish = () => {
    const read = phrase.result();
    if (read) phrases.push(read);
    phrase = new Phrase(RANGE_LEADS.has(previousWord));
  };
  for (const m of folded.matchAll(/\p{L}+/gu)) {
    const word = m[0];
    const start = m.index;
    const end = start + word.length;
    if (!phrase.empty || phrase.start >= 0) {
      const gap = folded.slice(phrase.end, start);
      if (!/^(?: {1,3}|-)$/.test(gap)) finish();
    }
    const entry = WORDS[word];
    if (!entry) {
      previousWord = word;
      finish();
      continue;
    }
    if (!phrase.add(entry[0], entry[1], word, start, end)) {
      finish();
      phrase.add(entry[0], entry[1], word, start, end);
    }
  }
  finish();
  return phrases;
}
