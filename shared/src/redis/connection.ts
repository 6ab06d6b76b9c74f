import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Config } from '../config/schema';

/**
 * A connection to the product's Redis: one server, or a Redis Cluster (REDIS_CLUSTER_NODES). Code that only
 * sends commands takes this type; `connection.isCluster` tells the two apart where it matters (key layout,
 * commands without a key).
 */
export type RedisConnection = Redis | Cluster;

/**
 * `producer`: request paths (the ingest) fail fast when Redis is away, so the HTTP answer is an honest 503
 * instead of a hang. `worker`: BullMQ workers and blocking readers wait and reconnect (BullMQ requires
 * `maxRetriesPerRequest: null`).
 */
export type RedisRole = 'producer' | 'worker';

/**
 * Where Redis is: a URL, or the configuration's REDIS_URL with its TLS CA (REDIS_TLS_CA_FILE) and, for a
 * cluster, its seed nodes (REDIS_CLUSTER_NODES).
 */
export type RedisTarget = string | (Pick<Config, 'REDIS_URL' | 'REDIS_TLS_CA_FILE'> & Partial<Pick<Config, 'REDIS_CLUSTER_NODES'>>);

/**
 * TLS options for a target: with a CA file, only certificates it signed are accepted (rejectUnauthorized stays
 * on, and the host name is checked); a `rediss://` URL without one uses Node's public CAs.
 */
function tlsOptions(target: RedisTarget): RedisOptions {
  if (typeof target === 'string' || !target.REDIS_TLS_CA_FILE) return {};
  return { tls: { ca: target.REDIS_TLS_CA_FILE.pem, rejectUnauthorized: true } };
}

const retryStrategy = (times: number) => Math.min(100 * times, 2000);

function roleOptions(role: RedisRole): RedisOptions {
  return role === 'producer'
    ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000, enableAutoPipelining: true }
    : { maxRetriesPerRequest: null, enableReadyCheck: true };
}

export function createRedis(target: RedisTarget, role: RedisRole, extra: RedisOptions = {}): RedisConnection {
  const nodes = typeof target === 'string' ? undefined : target.REDIS_CLUSTER_NODES;
  if (nodes?.length) return createCluster(target as Exclude<RedisTarget, string>, nodes, role, extra);
  const url = typeof target === 'string' ? target : target.REDIS_URL;
  const common: RedisOptions = {
    ...tlsOptions(target),
    connectTimeout: 2000,
    // Reconnect quickly and keep trying; outages end and we want to be back without a restart.
    retryStrategy,
  };
  return new Redis(url, { ...common, ...roleOptions(role), ...extra });
}

/**
 * A cluster client on the seed nodes; REDIS_URL gives only what every node shares: user, password and TLS
 * (`rediss://`). Nodes are reached under the addresses the cluster announces.
 */
function createCluster(target: Exclude<RedisTarget, string>, nodes: string[], role: RedisRole, extra: RedisOptions): Cluster {
  const url = new URL(target.REDIS_URL);
  const tls: RedisOptions = /^rediss:/i.test(url.protocol) ? { tls: {}, ...tlsOptions(target) } : {};
  const { enableOfflineQueue, enableAutoPipelining, ...perNode } = { ...roleOptions(role), ...extra };
  const options: ClusterOptions = {
    redisOptions: {
      ...tls,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      connectTimeout: 2000,
      ...perNode,
    },
    clusterRetryStrategy: retryStrategy,
    enableOfflineQueue: enableOfflineQueue ?? true,
    enableAutoPipelining: enableAutoPipelining ?? false,
    enableReadyCheck: true,
    slotsRefreshTimeout: 2000,
    // With TLS the certificate names the host we asked for, not the IP the cluster announces (ElastiCache).
    ...(tls.tls ? { dnsLookup: (address: string, callback: (err: Error | null, address: string) => void) => callback(null, address) } : {}),
  };
  return new Cluster(
    nodes.map((node) => {
      const at = node.lastIndexOf(':');
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    }),
    options,
  );
}

/** The servers that hold data: the one Redis, or every master of a cluster. */
export function dataNodes(redis: RedisConnection): Redis[] {
  return redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
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

/** The policy every data node runs: the first that is not `noeviction` (a cluster is as safe as its worst master). */
async function clusterEvictionPolicy(redis: RedisConnection): Promise<string | null> {
  const policies = await Promise.all(dataNodes(redis).map(evictionPolicy));
  if (policies.length === 0 || policies.includes(null)) return null;
  return policies.find((p) => p !== 'noeviction') ?? 'noeviction';
}

/**
 * Refuses to run on a Redis that may evict keys: it would silently drop queued messages and dedupe
 * markers. `allowEvicting` (ALLOW_EVICTING_REDIS) turns the refusal into a warning.
 */
export async function ensureNoEviction(redis: RedisConnection, allowEvicting: boolean, warn: (message: string) => void): Promise<void> {
  const policy = await clusterEvictionPolicy(redis);
  if (policy === null) return warn('could not read maxmemory-policy; make sure it is noeviction');
  if (policy === 'noeviction') return;
  const message = `Redis maxmemory-policy is ${policy}: queued messages could be evicted; set it to noeviction`;
  if (!allowEvicting) throw new Error(`${message} (or set ALLOW_EVICTING_REDIS=true to run anyway)`);
  warn(message);
}

/** Waits until Redis answers a PING (a service is no use without it), reporting each failed try. */
export async function waitForRedis(redis: RedisConnection, onRetry: (error: Error) => void, signal?: AbortSignal): Promise<void> {
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
