import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const redisUrl = (): string => {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is set by the jest global setup');
  return url;
};

/** A key prefix of its own for each test file, so files run in parallel without touching each other. */
export const testPrefix = (name: string): string => `t-${name}-${randomUUID().slice(0, 8)}`;

/** Deletes every key under a prefix (SCAN, not KEYS, so it is safe on a shared server). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Polls until the check passes or the deadline ends; the last failure is rethrown. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

/**
 * A Redis connection and a key prefix of its own for one test file: opened before its tests, its keys deleted
 * and the connection closed after them. Call at the top level of the file.
 */
export function useTestRedis(name: string): { prefix: string; readonly redis: Redis } {
  const prefix = testPrefix(name);
  let redis: Redis | undefined;
  beforeAll(() => {
    redis = new Redis(redisUrl());
  });
  afterAll(async () => {
    await deletePrefix(redis!, prefix);
    await redis!.quit();
  });
  return {
    prefix,
    get redis() {
      if (!redis) throw new Error('useTestRedis: the connection opens in beforeAll');
      return redis;
    },
  };
}
