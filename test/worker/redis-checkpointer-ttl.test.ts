/**
 * What the conformance suite does not cover: TTL on a thread's keys, deleteThread leaving nothing behind,
 * and a real graph keeping its state across invokes and across a restart (a new saver and connection).
 */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { Redis } from 'ioredis';
import { RedisCheckpointSaver } from '../../services/worker/src/conversation/redis-checkpointer';
import { deletePrefix, redisUrl, testPrefix } from '../support/redis';

const TTL = 120;
const prefix = `{${testPrefix('redis-checkpointer-ttl')}}`;
const connections: Redis[] = [];
const connect = (): Redis => {
  const redis = new Redis(redisUrl());
  connections.push(redis);
  return redis;
};
let redis: Redis;

beforeAll(() => {
  redis = connect();
});

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await Promise.all(connections.map((c) => c.quit()));
});

async function keysUnder(keyPrefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}:*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found.sort();
}

/** A checkpoint with one channel value, one regular write and one pending write on it. */
async function writeThread(saver: RedisCheckpointSaver, threadId: string, id: string): Promise<void> {
  const checkpoint = {
    v: 4,
    id,
    ts: new Date().toISOString(),
    channel_values: { messages: ['hi'] },
    channel_versions: { messages: 1 },
    versions_seen: {},
  };
  const config = await saver.put(
    { configurable: { thread_id: threadId, checkpoint_ns: '' } },
    checkpoint,
    { source: 'input', step: -1, parents: {} },
    { messages: 1 },
  );
  await saver.putWrites(config, [['messages', 'there']], 'task-1');
}

describe('RedisCheckpointSaver keys', () => {
  // Realistic thread ids hold ':' and '+'; the key layout must keep them apart from other threads.
  const threadA = 'whatsapp:+15550001';
  const threadB = 'whatsapp:+15550002';

  it('puts the thread id in every key of the thread and gives each the TTL, refreshed by put and putWrites', async () => {
    const keyPrefix = `${prefix}:ttl`;
    const saver = new RedisCheckpointSaver(redis, { prefix: keyPrefix, ttlSeconds: TTL });
    await writeThread(saver, threadA, '1ef00000-0000-6000-8000-000000000001');

    const threadKeys = Object.values(saver.threadKeys(threadA)).sort();
    const stored = await keysUnder(keyPrefix);
    // Everything but the cross-thread index is a key of this thread.
    expect(stored.filter((key) => key !== `${keyPrefix}:wab:cp:threads`)).toEqual(threadKeys);
    for (const key of threadKeys) {
      expect(key.startsWith(`${keyPrefix}:wab:cp:`)).toBe(true);
      expect(key.endsWith(`:${threadA}`)).toBe(true);
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(TTL - 5);
      expect(ttl).toBeLessThanOrEqual(TTL);
    }

    // Let the TTLs run down, then a write on the thread must restart every one of them.
    await Promise.all(threadKeys.map((key) => redis.expire(key, 10)));
    await saver.putWrites(
      { configurable: { thread_id: threadA, checkpoint_ns: '', checkpoint_id: '1ef00000-0000-6000-8000-000000000001' } },
      [['messages', 'again']],
      'task-2',
    );
    for (const key of threadKeys) expect(await redis.ttl(key)).toBeGreaterThan(TTL - 5);

    await Promise.all(threadKeys.map((key) => redis.expire(key, 10)));
    await writeThread(saver, threadA, '1ef00000-0000-6000-8000-000000000002');
    for (const key of threadKeys) expect(await redis.ttl(key)).toBeGreaterThan(TTL - 5);
  });

  it('deleteThread removes every key of that thread and nothing of another', async () => {
    const keyPrefix = `${prefix}:delete`;
    const saver = new RedisCheckpointSaver(redis, { prefix: keyPrefix, ttlSeconds: TTL });
    await writeThread(saver, threadA, '1ef00000-0000-6000-8000-000000000001');
    await writeThread(saver, threadB, '1ef00000-0000-6000-8000-000000000002');
    const keysOfB = Object.values(saver.threadKeys(threadB)).sort();

    await saver.deleteThread(threadA);

    const left = await keysUnder(keyPrefix);
    expect(left.filter((key) => key.includes(threadA))).toEqual([]);
    expect(left.filter((key) => key !== `${keyPrefix}:wab:cp:threads`)).toEqual(keysOfB);
    expect(await redis.zrange(`${keyPrefix}:wab:cp:threads`, '0', '-1')).toEqual([threadB]);
    expect(await saver.getTuple({ configurable: { thread_id: threadA } })).toBeUndefined();
    expect((await saver.getTuple({ configurable: { thread_id: threadB } }))?.pendingWrites).toEqual([
      ['task-1', 'messages', 'there'],
    ]);
  });
});

describe('RedisCheckpointSaver with a compiled StateGraph', () => {
  const State = Annotation.Root({
    log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    turns: Annotation<number>({ reducer: (_, b) => b, default: () => 0 }),
  });
  const build = (saver: RedisCheckpointSaver) =>
    new StateGraph(State)
      .addNode('greet', (state) => ({ log: [`greet#${state.turns + 1}`] }))
      .addNode('count', (state) => ({ log: ['count'], turns: state.turns + 1 }))
      .addEdge(START, 'greet')
      .addEdge('greet', 'count')
      .addEdge('count', END)
      .compile({ checkpointer: saver });

  it('keeps state across invokes on one thread and across a restart', async () => {
    const keyPrefix = `${prefix}:graph`;
    const config = { configurable: { thread_id: 'conversation-1' } };

    const graph = build(new RedisCheckpointSaver(redis, { prefix: keyPrefix, ttlSeconds: TTL }));
    await graph.invoke({ log: ['user: hi'] }, config);
    const second = await graph.invoke({ log: ['user: book'] }, config);
    expect(second).toEqual({ log: ['user: hi', 'greet#1', 'count', 'user: book', 'greet#2', 'count'], turns: 2 });

    // A restart: a new connection and a new saver see the same conversation and carry on from it.
    const restarted = build(new RedisCheckpointSaver(connect(), { prefix: keyPrefix, ttlSeconds: TTL }));
    expect((await restarted.getState(config)).values).toEqual(second);
    const third = await restarted.invoke({ log: ['user: thanks'] }, config);
    expect(third.turns).toBe(3);
    expect(third.log.slice(-3)).toEqual(['user: thanks', 'greet#3', 'count']);

    // A different thread starts empty.
    const other = await restarted.invoke({ log: ['user: hello'] }, { configurable: { thread_id: 'conversation-2' } });
    expect(other).toEqual({ log: ['user: hello', 'greet#1', 'count'], turns: 1 });

    // History lists newest first and every checkpoint loads.
    const history = [];
    for await (const snapshot of restarted.getStateHistory(config)) history.push(snapshot);
    expect(history[0].values).toEqual(third);
    expect(history).toHaveLength(12); // per invoke: input, START, greet, count
    const ids = history.map((snapshot) => String(snapshot.config.configurable?.checkpoint_id));
    expect(ids).toEqual([...ids].sort().reverse());
  });
});
