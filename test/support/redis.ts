import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { dataNodes, type RedisConnection } from '@wab/shared';

export const redisUrl = (): string => {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is set by the jest global setup');
  return url;
};

/** A key prefix of its own for each test file, so files run in parallel without touching each other. */
export const testPrefix = (name: string): string => `t-${name}-${randomUUID().slice(0, 8)}`;

/**
 * Deletes every key under a prefix, and BullMQ's under the prefix's cluster tag (`{prefix}:`), on every data
 * node (SCAN, not KEYS, so it is safe on a shared server; one key per DEL, as a cluster's slots require).
 */
export async function deletePrefix(redis: RedisConnection, prefix: string): Promise<void> {
  for (const node of dataNodes(redis)) {
    for (const pattern of [`${prefix}:*`, `{${prefix}}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length) await keys.reduce((batch, key) => batch.del(key), node.pipeline()).exec();
        cursor = next;
      } while (cursor !== '0');
    }
  }
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
