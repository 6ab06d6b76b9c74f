import { randomUUID } from 'node:crypto';
import { keysFor, type ProductKeys, type RedisConnection } from '@wab/shared';

export interface InboxMessage {
  runId: string;
  body: string;
  receivedAt: number;
  /** Media the message carried (voice notes, images): the bot asks for text when there is nothing else. */
  attachments: number;
}

/** Stored as JSON; an entry written by an older version is the plain body. */
function readStored(raw: string): { body: string; attachments: number } {
  if (raw.startsWith('{')) {
    try {
      const parsed = JSON.parse(raw) as { body?: unknown; attachments?: unknown };
      if (typeof parsed.body === 'string') return { body: parsed.body, attachments: Number(parsed.attachments) || 0 };
    } catch {
      // a body that merely starts with "{"
    }
  }
  return { body: raw, attachments: 0 };
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

type InboxRedis = RedisConnection & {
  wabLockRelease(key: string, token: string): Promise<number>;
  wabLockRenew(key: string, token: string, ttlMs: number): Promise<number>;
};

/**
 * One contact's pending messages and the lock that lets one run at a time answer them, on any replica.
 * Messages wait in the inbox until a turn has answered them, so a crash loses none; the lock expires on
 * its own when its holder dies.
 */
export interface ContactLock {
  ttlMs: number;
  /** Extends the lock; false when it is no longer ours (it lapsed and another run may hold it). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export class ContactInbox {
  private readonly redis: InboxRedis;
  private readonly layout: ProductKeys;

  /**
   * @param lockTtlMs how long a turn's lock outlives a holder that stopped renewing it
   * @param ttlSeconds how long an unanswered message waits in the inbox (a contact nobody writes to again
   *   must not keep keys forever); refreshed by every new message
   */
  constructor(
    redis: RedisConnection,
    prefix: string,
    private readonly lockTtlMs = 30_000,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {
    this.layout = keysFor(prefix, redis);
    if (!('wabLockRelease' in redis)) {
      redis.defineCommand('wabLockRelease', { numberOfKeys: 1, lua: RELEASE });
      redis.defineCommand('wabLockRenew', { numberOfKeys: 1, lua: RENEW });
    }
    this.redis = redis as InboxRedis;
  }

  private keys(contactKey: string) {
    const k = this.layout.forContact(contactKey);
    return { order: k.inboxOrder, bodies: k.inboxBodies, lock: k.lock };
  }

  /** Idempotent: a retried job adds its message once. */
  async add(contactKey: string, message: InboxMessage): Promise<void> {
    const k = this.keys(contactKey);
    await this.redis
      .multi()
      .zadd(k.order, 'NX', String(message.receivedAt), message.runId)
      .hsetnx(k.bodies, message.runId, JSON.stringify({ body: message.body, attachments: message.attachments }))
      .expire(k.order, this.ttlSeconds)
      .expire(k.bodies, this.ttlSeconds)
      .exec();
  }

  async pending(contactKey: string): Promise<InboxMessage[]> {
    const k = this.keys(contactKey);
    const ids = await this.redis.zrange(k.order, '0', '-1', 'WITHSCORES');
    if (ids.length === 0) return [];
    const runIds = ids.filter((_, i) => i % 2 === 0);
    const stored = await this.redis.hmget(k.bodies, ...runIds);
    const messages: InboxMessage[] = [];
    runIds.forEach((runId, i) => {
      const raw = stored[i];
      // Both keys expire together; an order entry without its body has nothing left to answer.
      if (raw !== null) messages.push({ runId, ...readStored(raw), receivedAt: Number(ids[i * 2 + 1]) });
    });
    return messages;
  }

  async remove(contactKey: string, runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    const k = this.keys(contactKey);
    const turns = this.layout.forContact(contactKey).turnsAnswered;
    // The answered messages leave, and the turn is counted (see the ingest's workflow-webhook dedupe).
    await this.redis.multi().zrem(k.order, ...runIds).hdel(k.bodies, ...runIds).incr(turns).expire(turns, this.ttlSeconds).exec();
  }

  /** Takes the contact's lock, or returns null when another run holds it. */
  async lock(contactKey: string): Promise<ContactLock | null> {
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
