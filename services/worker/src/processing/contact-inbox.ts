import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { productKeys } from '@wab/shared';

export interface InboxMessage {
  runId: string;
  body: string;
  receivedAt: number;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

type InboxRedis = Redis & {
  wabLockRelease(key: string, token: string): Promise<number>;
  wabLockRenew(key: string, token: string, ttlMs: number): Promise<number>;
};

/**
 * One contact's pending messages and the lock that lets one run at a time answer them, on any replica.
 * Messages wait in the inbox until a turn has answered them, so a crash loses none; the lock expires on
 * its own when its holder dies.
 */
export class ContactInbox {
  private readonly redis: InboxRedis;
  private readonly root: string;

  constructor(redis: Redis, prefix: string, private readonly lockTtlMs = 30_000) {
    this.root = `${productKeys(prefix).root}:inbox`;
    if (!('wabLockRelease' in redis)) {
      redis.defineCommand('wabLockRelease', { numberOfKeys: 1, lua: RELEASE });
      redis.defineCommand('wabLockRenew', { numberOfKeys: 1, lua: RENEW });
    }
    this.redis = redis as InboxRedis;
  }

  private keys(contactKey: string) {
    return { order: `${this.root}:${contactKey}:order`, bodies: `${this.root}:${contactKey}:bodies`, lock: `${this.root}:${contactKey}:lock` };
  }

  /** Idempotent: a retried job adds its message once. */
  async add(contactKey: string, message: InboxMessage): Promise<void> {
    const k = this.keys(contactKey);
    await this.redis.multi().zadd(k.order, 'NX', String(message.receivedAt), message.runId).hsetnx(k.bodies, message.runId, message.body).exec();
  }

  async pending(contactKey: string): Promise<InboxMessage[]> {
    const k = this.keys(contactKey);
    const ids = await this.redis.zrange(k.order, '0', '-1', 'WITHSCORES');
    if (ids.length === 0) return [];
    const runIds = ids.filter((_, i) => i % 2 === 0);
    const bodies = await this.redis.hmget(k.bodies, ...runIds);
    return runIds.map((runId, i) => ({ runId, body: bodies[i] ?? '', receivedAt: Number(ids[i * 2 + 1]) }));
  }

  async remove(contactKey: string, runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    const k = this.keys(contactKey);
    await this.redis.multi().zrem(k.order, ...runIds).hdel(k.bodies, ...runIds).exec();
  }

  /** Takes the contact's lock, or returns null when another run holds it. */
  async lock(contactKey: string): Promise<{ ttlMs: number; renew(): Promise<boolean>; release(): Promise<void> } | null> {
    const { lock } = this.keys(contactKey);
    const token = randomUUID();
    const taken = await this.redis.set(lock, token, 'PX', this.lockTtlMs, 'NX');
    if (taken !== 'OK') return null;
    return {
      ttlMs: this.lockTtlMs,
      renew: async () => (await this.redis.wabLockRenew(lock, token, this.lockTtlMs)) === 1,
      release: async () => void (await this.redis.wabLockRelease(lock, token)),
    };
  }
}
