import { Redis, type RedisOptions } from 'ioredis';

/**
 * `producer`: request paths (the ingest) fail fast when Redis is away, so the HTTP answer is an honest 503
 * instead of a hang. `worker`: BullMQ workers and blocking readers wait and reconnect (BullMQ requires
 * `maxRetriesPerRequest: null`).
 */
export type RedisRole = 'producer' | 'worker';

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const common: RedisOptions = {
    connectTimeout: 2000,
    // Reconnect quickly and keep trying; outages end and we want to be back without a restart.
    retryStrategy: (times) => Math.min(100 * times, 2000),
  };
  const byRole: RedisOptions =
    role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000, enableAutoPipelining: true }
      : { maxRetriesPerRequest: null, enableReadyCheck: true };
  return new Redis(url, { ...common, ...byRole, ...extra });
}

/** Maxmemory policies under which Redis would silently delete queue keys. */
export async function evictionPolicy(redis: Redis): Promise<string | null> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return reply[1] ?? null;
  } catch {
    return null; // managed Redis often disables CONFIG; the operator must check it there
  }
}
