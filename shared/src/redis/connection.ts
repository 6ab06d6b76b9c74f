import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/schema';

/**
 * `producer`: request paths (the ingest) fail fast when Redis is away, so the HTTP answer is an honest 503
 * instead of a hang. `worker`: BullMQ workers and blocking readers wait and reconnect (BullMQ requires
 * `maxRetriesPerRequest: null`).
 */
export type RedisRole = 'producer' | 'worker';

/** Where Redis is: a URL, or the configuration's REDIS_URL with its TLS CA (REDIS_TLS_CA_FILE). */
export type RedisTarget = string | Pick<Config, 'REDIS_URL' | 'REDIS_TLS_CA_FILE'>;

/**
 * TLS options for a target: with a CA file, only certificates it signed are accepted (rejectUnauthorized stays
 * on, and the host name is checked); a `rediss://` URL without one uses Node's public CAs.
 */
function tlsOptions(target: RedisTarget): RedisOptions {
  if (typeof target === 'string' || !target.REDIS_TLS_CA_FILE) return {};
  return { tls: { ca: target.REDIS_TLS_CA_FILE.pem, rejectUnauthorized: true } };
}

export function createRedis(target: RedisTarget, role: RedisRole, extra: RedisOptions = {}): Redis {
  const url = typeof target === 'string' ? target : target.REDIS_URL;
  const common: RedisOptions = {
    ...tlsOptions(target),
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

/** Redis's `maxmemory-policy`, or null where CONFIG is disabled (managed Redis: check it there). */
export async function evictionPolicy(redis: Redis): Promise<string | null> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return reply[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * Refuses to run on a Redis that may evict keys: it would silently drop queued messages and dedupe
 * markers. `allowEvicting` (ALLOW_EVICTING_REDIS) turns the refusal into a warning.
 */
export async function ensureNoEviction(redis: Redis, allowEvicting: boolean, warn: (message: string) => void): Promise<void> {
  const policy = await evictionPolicy(redis);
  if (policy === null) return warn('could not read maxmemory-policy; make sure it is noeviction');
  if (policy === 'noeviction') return;
  const message = `Redis maxmemory-policy is ${policy}: queued messages could be evicted; set it to noeviction`;
  if (!allowEvicting) throw new Error(`${message} (or set ALLOW_EVICTING_REDIS=true to run anyway)`);
  warn(message);
}

/** Waits until Redis answers a PING (a service is no use without it), reporting each failed try. */
export async function waitForRedis(redis: Redis, onRetry: (error: Error) => void, signal?: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await redis.ping();
      return;
    } catch (error) {
      if (signal?.aborted) throw error;
      if (attempt % 10 === 5) onRetry(error as Error); // the first tries only wait for the connection
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
