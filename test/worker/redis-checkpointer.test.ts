/**
 * LangGraph's own conformance suite for checkpoint savers, run against RedisCheckpointSaver on real Redis.
 */
import { validate } from '@langchain/langgraph-checkpoint-validation';
import { Redis } from 'ioredis';
import { RedisCheckpointSaver } from '../../services/worker/src/conversation/redis-checkpointer';
import { deletePrefix, redisUrl, testPrefix } from '../support/redis';

// The suite is written for vitest; one spec ("should migrate pending sends" under #list) uses `expect.soft`,
// which Jest lacks. Aliasing it to Jest's `expect` runs the same assertions, only stopping at the first failure.
const withSoft = expect as typeof expect & { soft?: typeof expect };
withSoft.soft ??= expect;

// Hash-tagged, as in production on Redis Cluster, so the tagged form of the keys is what gets tested.
const basePrefix = `{${testPrefix('redis-checkpointer')}}`;
let redis: Redis;
let instances = 0;
const prefixes = new WeakMap<RedisCheckpointSaver, string>();

validate<RedisCheckpointSaver>({
  checkpointerName: 'RedisCheckpointSaver',
  beforeAll() {
    redis = new Redis(redisUrl());
  },
  async afterAll() {
    await deletePrefix(redis, basePrefix);
    await redis.quit();
  },
  // The suite expects each checkpointer to see only its own data, so each gets a prefix of its own.
  createCheckpointer() {
    instances += 1;
    const keyPrefix = `${basePrefix}:${instances}`;
    const saver = new RedisCheckpointSaver(redis, { prefix: keyPrefix, ttlSeconds: 3600 });
    prefixes.set(saver, keyPrefix);
    return saver;
  },
  async destroyCheckpointer(saver) {
    await deletePrefix(redis, prefixes.get(saver)!);
  },
});
