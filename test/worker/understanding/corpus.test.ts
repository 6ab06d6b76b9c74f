import { HeuristicUnderstander } from '../../../services/worker/src/understanding/heuristic';
import { CONVERSATIONS } from './corpus/conversations';
import { MESSAGES } from './corpus/messages';
import { runConversations, runMessages, scoreByClass, scoreTable, type CaseResult } from './corpus/run-corpus';
import { CORPUS_CLASSES } from './corpus/types';

/**
 * The understanding corpus (issue 11): realistic messages and conversations, English and Spanish,
 * scored per class of miss. Each class must be at least 95% right; the failures are listed.
 */
const MIN_RATE = 0.95;
let results: CaseResult[] = [];

beforeAll(async () => {
  const heuristic = new HeuristicUnderstander();
  results = [...(await runMessages(heuristic, MESSAGES)), ...(await runConversations(heuristic, CONVERSATIONS))];
  // The table the README quotes (npx jest test/worker/understanding/corpus.test.ts).
  console.log(`understanding corpus, offline: ${MESSAGES.length} messages, ${CONVERSATIONS.length} conversations\n${scoreTable(scoreByClass(results))}`);
});

it('is as large as the issue asks: 150+ messages, 40+ conversations, every class present', () => {
  expect(MESSAGES.length).toBeGreaterThanOrEqual(150);
  expect(CONVERSATIONS.length).toBeGreaterThanOrEqual(40);
  expect(new Set(results.map((r) => r.class))).toEqual(new Set(CORPUS_CLASSES));
});

describe.each(CORPUS_CLASSES)('class %s', (cls) => {
  it(`is at least ${MIN_RATE * 100}% right`, () => {
    const mine = results.filter((r) => r.class === cls);
    const failed = mine.filter((r) => !r.ok).map((r) => `${r.label}: ${r.why}`);
    const rate = (mine.length - failed.length) / mine.length;
    if (rate < MIN_RATE) throw new Error(`${cls}: ${mine.length - failed.length}/${mine.length} right\n${failed.join('\n')}`);
  });
});
