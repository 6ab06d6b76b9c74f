/** prune(): a conversation keeps its latest state, not its history, and goes on as before. */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { Redis } from 'ioredis';
import { RedisCheckpointSaver } from '../../services/worker/src/conversation/redis-checkpointer';
import { deletePrefix, redisUrl, testPrefix } from '../support/redis';

const prefix = `{${testPrefix('redis-checkpointer-prune')}}`;
let redis: Redis;
beforeAll(() => {
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const State = Annotation.Root({
  turns: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
  said: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  last: Annotation<string>({ reducer: (_a, b) => b, default: () => '' }),
});

function graph(saver: RedisCheckpointSaver) {
  return new StateGraph(State)
    .addNode('hear', (s) => ({ said: [s.last], turns: 1 }))
    .addNode('answer', (s) => ({ last: `answered ${s.turns}` }))
    .addEdge(START, 'hear')
    .addEdge('hear', 'answer')
    .addEdge('answer', END)
    .compile({ checkpointer: saver });
}

it('keeps only the latest checkpoint and the values it uses; the conversation goes on unchanged', async () => {
  const saver = new RedisCheckpointSaver(redis, { prefix, ttlSeconds: 600 });
  const g = graph(saver);
  const config = { configurable: { thread_id: 'contact+1' } };
  for (const text of ['hi', 'marketing', '2k']) await g.invoke({ last: text }, config);
  const before = (await g.getState(config)).values;
  const keys = saver.threadKeys('contact+1');
  const sizeBefore = { checkpoints: await redis.hlen(keys.checkpoints), blobs: await redis.hlen(keys.blobs) };
  expect(sizeBefore.checkpoints).toBeGreaterThan(3);

  await saver.prune('contact+1');
  expect(await redis.hlen(keys.checkpoints)).toBe(1);
  expect(await redis.zcard(keys.ids)).toBe(1);
  expect(await redis.hlen(keys.blobs)).toBeLessThan(sizeBefore.blobs);
  expect((await g.getState(config)).values).toEqual(before);

  // A restarted worker (new saver) continues from the pruned state.
  const after = await graph(new RedisCheckpointSaver(redis, { prefix, ttlSeconds: 600 })).invoke({ last: 'tomorrow' }, config);
  expect(after).toEqual({ turns: 4, said: ['hi', 'marketing', '2k', 'tomorrow'], last: 'answered 4' });
  await saver.prune('contact+1');
  expect(await redis.hlen(keys.checkpoints)).toBe(1);
});

it('does nothing to a thread with nothing to prune, or to other threads', async () => {
  const saver = new RedisCheckpointSaver(redis, { prefix });
  const g = graph(saver);
  await g.invoke({ last: 'a' }, { configurable: { thread_id: 'other' } });
  const count = await redis.hlen(saver.threadKeys('other').checkpoints);
  await saver.prune('nobody');
  expect(await redis.hlen(saver.threadKeys('other').checkpoints)).toBe(count);
});
