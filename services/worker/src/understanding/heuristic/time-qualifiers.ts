/**
 * Time qualifiers: the words that bound a window inside a day. Read before chrono-node (which would
 * keep "Monday" and drop "after 3"), on the folded text, each as minutes from local midnight:
 *   after 3 / después de las 4 / from 3 / 3 or later   [15:00, 24:00)
 *   before noon / antes del mediodía / by 2 / until 5  [00:00, 12:00)   (business hours apply elsewhere)
 *   between 10 and 12 / entre las 10 y las 12 / 10-12  [10:00, 12:00)
 *   around 3 / sobre las 3 / a eso de las 3            exactly 15:00 (an 'exact' time)
 *   early/mid/late morning, afternoon, evening; a primera hora, a media mañana, a última hora de la tarde
 *   (the windows are in QUALIFIED_PARTS)
 * Hours follow the header's rule: 1-7 without am/pm are afternoon ("after 3" is 15:00). With
 * `clockCorrections` (a time is already known), "make it 3 instead of 2" and "make it 4" name a clock
 * time too. Every pattern is linear: bounded whitespace, no nested repetition.
 */
import type { PartOfDay } from './time';

export type QualifierKind = 'between' | 'after' | 'before' | 'around' | 'part';

export interface Qualifier {
  start: number;
  end: number;
  kind: QualifierKind;
  /** minutes from local midnight, [from, to) */
  from: number;
  to: number;
  /** the part of the day a 'part' qualifier narrows, or the one a "de la tarde" after the hours names */
  part: PartOfDay | null;
}

const DAY_END = 24 * 60;

/** Windows of "early/mid/late" parts of the day, in minutes from local midnight. */
export const QUALIFIED_PARTS: Readonly<Record<'early' | 'mid' | 'late', Readonly<Record<PartOfDay, readonly [number, number]>>>> = {
  early: { morning: [9 * 60, 10 * 60 + 30], afternoon: [13 * 60, 15 * 60], evening: [17 * 60, 18 * 60 + 30] },
  mid: { morning: [10 * 60, 11 * 60 + 30], afternoon: [14 * 60, 16 * 60], evening: [18 * 60, 19 * 60] },
  late: { morning: [10 * 60 + 30, 12 * 60], afternoon: [15 * 60, 17 * 60], evening: [18 * 60 + 30, 20 * 60] },
};

// One clock time: "3", "3pm", "3:30", "15:00", "10 am", "3.30"; groups: hour, minute, meridiem.
const CLOCK = '(\\d{1,2})(?:[:.](\\d{2}))?\\s{0,2}(am|pm|a\\.m\\.?|p\\.m\\.?|hs?)?(?![\\d:%])';
const NOON = '(noon|midday|mediodia|el mediodia|lunch|lunchtime|comer|almorzar|la comida)';
const PART_AFTER = '(?:\\s{1,2}(?:de|por|en) la (manana|tarde|noche)|\\s{1,2}in the (morning|afternoon|evening))?';
/** What a number is when it is not a time: "between 10 and 12 people", "de 2 a 3 años". */
const NOT_A_TIME_AFTER = /^\s?(?:%|k\b|mil\b|people|personas|employees|empleados|years?|anos|dollars|dolares|euros|usd|\$|locations|tiendas|clientes|clients|days|dias|weeks|semanas|months|meses)/;

const BETWEEN_RE = new RegExp(
  `\\b(?:between|entre|from|de|desde)\\s{1,2}(?:las?\\s{1,2}|the\\s{1,2})?${CLOCK}\\s{0,2}(?:and|to|till|until|-|–|y|a|hasta)\\s{0,2}(?:las?\\s{1,2}|el\\s{1,2})?(?:${CLOCK}|${NOON})${PART_AFTER}`,
  'g',
);
const DASH_RANGE_RE = new RegExp(`(?<![\\d:.$€£])${CLOCK}\\s{0,2}(?:-|–)\\s{0,2}${CLOCK}${PART_AFTER}`, 'g');
const AFTER_RE = new RegExp(
  `\\b(?:any ?time after|after|later than|no earlier than|starting (?:at|from)|from|despues de las?|despues del?|a partir de las?|a partir del|pasadas las|desde las?)\\s{1,2}(?:the\\s{1,2})?(?:${CLOCK}|${NOON})${PART_AFTER}`,
  'g',
);
const OR_LATER_RE = new RegExp(`(?:\\bat\\s{1,2}|\\ba las\\s{1,2})?${CLOCK}\\s{1,2}(?:or later|onwards?|en adelante|o mas tarde)\\b`, 'g');
const BEFORE_RE = new RegExp(
  `\\b(?:before|by|no later than|earlier than|until|till|antes de las?|antes del?|hasta las?|hasta el)\\s{1,2}(?:the\\s{1,2})?(?:${CLOCK}|${NOON})${PART_AFTER}`,
  'g',
);
const AROUND_RE = new RegExp(
  `\\b(?:at around|at about|around|about|approx\\.?|approximately|roughly|sobre las|hacia las|a eso de las|alrededor de las|como a las|tipo)\\s{1,2}${CLOCK}${PART_AFTER}`,
  'g',
);
const CORRECTION_RE = new RegExp(
  `(?:\\b(?:at|a las|las)\\s{1,2})?${CLOCK}\\s{1,2}(?:instead of|instead|rather than|not|en vez de|en lugar de|y no)\\s{1,2}(?:at\\s{1,2}|a las\\s{1,2}|las\\s{1,2}|the\\s{1,2})?(\\d{1,2})(?::\\d{2})?(?:\\s{0,2}(?:am|pm))?(?![\\d:])`,
  'g',
);
const MAKE_IT_RE = new RegExp(
  `\\b(?:make it|change it to|move it to|let'?s do|lets do|how about|what about|better at|rather at|mejor a las|mejor las|cambialo a las|cambiala a las|que sea a las|pasalo a las|pasala a las)\\s{1,2}(?:at\\s{1,2})?${CLOCK}${PART_AFTER}`,
  'g',
);
const QUALIFIED_PART_RES: Array<{ re: RegExp; degree: 'early' | 'mid' | 'late'; fallback: PartOfDay }> = [
  { re: /\b(early|mid|late)[- ]?(morning|afternoon|evening)s?\b/g, degree: 'early', fallback: 'morning' },
  { re: /\bfirst thing(?: in the (morning|afternoon))?\b/g, degree: 'early', fallback: 'morning' },
  { re: /\b(?:end of the day|end of day|eod)\b/g, degree: 'late', fallback: 'afternoon' },
  { re: /\b(?:a |en )?primera hora(?: de la (manana|tarde))?\b/g, degree: 'early', fallback: 'morning' },
  { re: /\b(?:a |en )?(?:ultima hora|ultimas horas)(?: de la (manana|tarde))?\b/g, degree: 'late', fallback: 'afternoon' },
  { re: /\b(?:a )?media (manana|tarde)\b/g, degree: 'mid', fallback: 'morning' },
  { re: /\b(?:al )?final de la (manana|tarde)\b/g, degree: 'late', fallback: 'afternoon' },
  { re: /\b(?:temprano|pronto) (?:por|en) la (manana|tarde)\b|\b(?:por|en) la (manana|tarde) temprano\b/g, degree: 'early', fallback: 'morning' },
];

const PART_WORDS: Record<string, PartOfDay> = {
  manana: 'morning', morning: 'morning', tarde: 'afternoon', afternoon: 'afternoon', noche: 'evening', evening: 'evening',
};

/** Minutes from midnight of a clock time; `pmRule` reads 1-7 without am/pm as afternoon. */
function minutesOf(hour: string, minute: string | undefined, meridiem: string | undefined, part: PartOfDay | null): number | null {
  let h = Number(hour);
  const m = minute ? Number(minute) : 0;
  if (h > 24 || m > 59) return null;
  const mer = meridiem?.startsWith('p') ? 'pm' : meridiem?.startsWith('a') ? 'am' : null;
  if (mer === 'pm' && h < 12) h += 12;
  else if (mer === 'am' && h === 12) h = 0;
  else if (mer === null && h >= 1 && h < 12 && (part === 'afternoon' || part === 'evening')) h += 12;
  else if (mer === null && part !== 'morning' && h >= 1 && h <= 7) h += 12;
  return h * 60 + m;
}

function noonMinutes(word: string, kind: 'after' | 'before' | 'end'): number {
  const lunch = /lunch|comer|almorzar|comida/.test(word);
  if (kind === 'after') return lunch ? 13 * 60 + 30 : 12 * 60;
  return 12 * 60;
}

function partOf(...words: Array<string | undefined>): PartOfDay | null {
  for (const w of words) if (w && PART_WORDS[w]) return PART_WORDS[w];
  return null;
}

export interface QualifierOptions {
  /** a time is already known: "make it 3 instead of 2" corrects its clock time */
  clockCorrections?: boolean;
}

/**
 * Every qualifier in `folded` (the masked, folded message), left to right, not overlapping. The first
 * kinds win a stretch of text: a range before "from 3", "from 3" before "3".
 */
export function findQualifiers(folded: string, options: QualifierOptions = {}): Qualifier[] {
  const found: Qualifier[] = [];
  const free = (s: number, e: number) => found.every((q) => e <= q.start || s >= q.end);
  const add = (q: Qualifier) => {
    if (q.to > q.from && free(q.start, q.end)) found.push(q);
  };
  const notATime = (end: number) => NOT_A_TIME_AFTER.test(folded.slice(end, end + 12));

  for (const m of folded.matchAll(BETWEEN_RE)) {
    const end = m.index + m[0].length;
    if (m[7] === undefined && notATime(end)) continue;
    const part = partOf(m[8], m[9]);
    const to = m[4] !== undefined ? minutesOf(m[4], m[5], m[6], part) : noonMinutes(m[7], 'end');
    let from = minutesOf(m[1], m[2], m[3] ?? (m[6]?.startsWith('p') && Number(m[1]) < Number(m[4]) ? 'pm' : undefined), part);
    if (from === null || to === null) continue;
    if (from >= to && from >= 12 * 60 && from - 12 * 60 < to) from -= 12 * 60; // "between 11 and 1pm"
    add({ start: m.index, end, kind: 'between', from, to, part });
  }
  for (const m of folded.matchAll(DASH_RANGE_RE)) {
    const end = m.index + m[0].length;
    if (notATime(end) || (!m[3] && !m[6] && !m[7] && !m[8])) continue; // "10-12" alone could be anything: only with am/pm or a part
    const part = partOf(m[7], m[8]);
    const from = minutesOf(m[1], m[2], m[3] ?? m[6], part);
    const to = minutesOf(m[4], m[5], m[6], part);
    if (from !== null && to !== null) add({ start: m.index, end, kind: 'between', from, to, part });
  }
  for (const m of folded.matchAll(AFTER_RE)) {
    const end = m.index + m[0].length;
    if (m[4] === undefined && notATime(end)) continue;
    const part = partOf(m[5], m[6]);
    const from = m[1] !== undefined ? minutesOf(m[1], m[2], m[3], part) : noonMinutes(m[4], 'after');
    if (from !== null) add({ start: m.index, end, kind: 'after', from, to: DAY_END, part });
  }
  for (const m of folded.matchAll(OR_LATER_RE)) {
    const from = minutesOf(m[1], m[2], m[3], null);
    if (from !== null) add({ start: m.index, end: m.index + m[0].length, kind: 'after', from, to: DAY_END, part: null });
  }
  for (const m of folded.matchAll(BEFORE_RE)) {
    const end = m.index + m[0].length;
    if (m[4] === undefined && notATime(end)) continue;
    const part = partOf(m[5], m[6]);
    const to = m[1] !== undefined ? minutesOf(m[1], m[2], m[3], part) : noonMinutes(m[4], 'before');
    if (to !== null) add({ start: m.index, end, kind: 'before', from: 0, to, part });
  }
  for (const m of folded.matchAll(AROUND_RE)) {
    const end = m.index + m[0].length;
    if (notATime(end)) continue;
    const from = minutesOf(m[1], m[2], m[3], partOf(m[4], m[5]));
    if (from !== null) add({ start: m.index, end, kind: 'around', from, to: from + 60, part: null });
  }
  if (options.clockCorrections) {
    for (const m of folded.matchAll(CORRECTION_RE)) {
      const from = minutesOf(m[1], m[2], m[3], null);
      if (from !== null && Number(m[4]) <= 24) add({ start: m.index, end: m.index + m[0].length, kind: 'around', from, to: from + 60, part: null });
    }
    for (const m of folded.matchAll(MAKE_IT_RE)) {
      const end = m.index + m[0].length;
      if (notATime(end)) continue;
      const from = minutesOf(m[1], m[2], m[3], partOf(m[4], m[5]));
      if (from !== null) add({ start: m.index, end, kind: 'around', from, to: from + 60, part: null });
    }
  }
  for (const { re, degree, fallback } of QUALIFIED_PART_RES) {
    for (const m of folded.matchAll(re)) {
      const named = [...m].slice(1).filter((g): g is string => g !== undefined);
      const d = (['early', 'mid', 'late'] as const).find((x) => named.includes(x)) ?? degree;
      const part = partOf(...named) ?? fallback;
      const [from, to] = QUALIFIED_PARTS[d][part];
      add({ start: m.index, end: m.index + m[0].length, kind: 'part', from, to, part });
    }
  }
  return found.sort((x, y) => x.start - y.start);
}
