import { HeuristicUnderstander, isSpam, isTextless } from '../../../services/worker/src/understanding/heuristic';
import { modelUnderstandingSchema } from '../../../services/worker/src/understanding/openai';
import { INTENTS } from '../../../services/worker/src/understanding/understanding';

const understander = new HeuristicUnderstander();
const understand = (text: string, previousLanguage: 'en' | 'es' | null = null) =>
  understander.understand(text, { now: new Date('2026-11-26T14:00:00Z'), timeZone: 'America/New_York', offeredSlots: [], previousLanguage });

describe("messages without letters or digits are 'no_text', not spam", () => {
  it.each(['👍', '🙏🙏', '😂😂😂', '😂😂😂😂😂😂😂😂😂😂', '❤️❤️❤️❤️❤️❤️❤️❤️❤️', '👍🏽', '👨‍👩‍👧', '?', '...', '🙂 🙂'])('%j', async (text) => {
    expect(isSpam(text)).toBe(false);
    expect(isTextless(text)).toBe(true);
    expect(await understand(text)).toEqual({
      intent: 'no_text',
      language: 'en',
      name: null,
      goal: null,
      budget: null,
      email: null,
      preferredTime: null,
      slotChoice: null,
      confident: true,
    });
  });

  it('keeps the language of the conversation, or takes it from Spanish punctuation', async () => {
    expect(await understand('👍', 'es')).toMatchObject({ intent: 'no_text', language: 'es' });
    expect(await understand('¿?')).toMatchObject({ intent: 'no_text', language: 'es' });
  });

  it.each(['', '   ', '\n\t', '!!!!!!!!!!', '$$$$$$$$$$'])('%j stays spam', async (text) => {
    expect(isSpam(text)).toBe(true);
    expect((await understand(text)).intent).toBe('spam');
  });

  it('emoji beside words are read as the words', async () => {
    expect(await understand('👍 tomorrow at 3pm')).toMatchObject({ intent: 'provide_info', preferredTime: { precision: 'exact' } });
    expect((await understand('Hi 😂😂😂😂😂😂😂😂😂😂😂😂😂😂😂😂😂😂😂😂😂')).intent).toBe('greeting');
  });

  it('is an intent the model may return too', () => {
    expect(INTENTS).toContain('no_text');
    expect(modelUnderstandingSchema.shape.intent.safeParse('no_text').success).toBe(true);
  });
});
