/**
 * Fault rules pick requests with a glob over `METHOD /path`: `*` stands for any run of characters (slashes
 * included), every other character for itself, and the glob must match the whole string, e.g.
 * `POST /conversations/messages`, `GET /contacts/*`, `* /calendars/*`. Not a regular expression: the
 * pattern comes from whoever calls the test controls, and matching takes time linear in the pattern plus
 * the path, whatever the pattern.
 */

export const MAX_PATH_GLOB_LENGTH = 200;

/** A method (or `*`), one space, then a path starting with `/` (or `*`). */
const SHAPE = /^(\*|[A-Z]+) [/*]\S*$/;
/** Characters that only make sense in a regular expression: refusing them catches old regex rules. */
const REGEX_ONLY = /[\^$()[\]{}|+?\\]/;

/** Why a glob is refused, or null when it is fine. */
export function pathGlobProblem(glob: string): string | null {
  if (glob.length > MAX_PATH_GLOB_LENGTH) return `must be at most ${MAX_PATH_GLOB_LENGTH} characters`;
  if (REGEX_ONLY.test(glob)) return 'is a glob (`*` for any characters), not a regular expression: e.g. "POST /conversations/messages" or "GET /contacts/*"';
  if (!SHAPE.test(glob)) return 'must be "METHOD /path" (METHOD may be *), e.g. "POST /conversations/messages" or "GET /contacts/*"';
  return null;
}

/**
 * True when the glob matches all of `text`. The literal pieces between stars are found leftmost-first,
 * each search starting where the previous match ended (taking the earliest match never loses one), so
 * the text is scanned once; the searches are KMP, with no backtracking.
 */
export function pathGlobMatches(glob: string, text: string): boolean {
  const pieces = glob.split('*');
  if (pieces.length === 1) return glob === text;
  const head = pieces[0];
  const tail = pieces[pieces.length - 1];
  if (head.length + tail.length > text.length || !text.startsWith(head) || !text.endsWith(tail)) return false;
  let from = head.length;
  const end = text.length - tail.length;
  for (const piece of pieces.slice(1, -1)) {
    if (piece === '') continue;
    const at = indexOfWithin(text, piece, from, end);
    if (at < 0) return false;
    from = at + piece.length;
  }
  return true;
}

/** The first index >= from where `needle` occurs entirely before `end`, or -1 (Knuth-Morris-Pratt). */
function indexOfWithin(text: string, needle: string, from: number, end: number): number {
  const fail = new Array<number>(needle.length).fill(0);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle[i] !== needle[k]) k = fail[k - 1];
    if (needle[i] === needle[k]) k++;
    fail[i] = k;
  }
  for (let i = from, k = 0; i < end; i++) {
    while (k > 0 && text[i] !== needle[k]) k = fail[k - 1];
    if (text[i] === needle[k]) k++;
    if (k === needle.length) return i - needle.length + 1;
  }
  return -1;
}
