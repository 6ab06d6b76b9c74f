import { randomUUID } from 'node:crypto';
import { keysFor, type ProductKeys, type RedisConnection } from '@wab/shared';

export interface InboxMessage {
  runId: string;
  body: string;
  receivedAt: number;
  /** Media the message carried (voice notes, images): the bot asks for text when there is nothing else. */
  attachments: number;
}

/** Inbox rows [runId, receivedAt, stored body] as messages, in the order's order. */
function messagesOf(rows: [string, string | undefined, string | null][]): InboxMessage[] {
  const messages: InboxMessage[] = [];
  // Both keys expire together; an order entry without its body has nothing left to answer.
  for (const [runId, score, raw] of rows) if (raw !== null) messages.push({ runId, ...readStored(raw), receivedAt: Number(score) });
  return messages;
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

/**
 * A message in, the lock taken and what is pending read, in one round trip (one contact's keys: one slot).
 * KEYS: order, bodies, lock. ARGV: receivedAt, runId, stored body, inbox ttl s, lock token, lock ttl ms.
 * Returns nil when another run holds the lock, else [runId, receivedAt, stored body or false, ...].
 */
const CLAIM = `
redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
if not redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6], 'NX') then return nil end
local ids = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local out = {}
for i = 1, #ids, 2 do
  out[#out + 1] = ids[i]
  out[#out + 1] = ids[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], ids[i])
end
return out`;

type InboxRedis = RedisConnection & {
  wabLockRelease(key: string, token: string): Promise<number>;
  wabLockRenew(key: string, token: string, ttlMs: number): Promise<number>;
  wabInboxClaim(order: string, bodies: string, lock: string, ...args: (string | number)[]): Promise<(string | null)[] | null>;
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
      redis.defineCommand('wabInboxClaim', { numberOfKeys: 3, lua: CLAIM });
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
    return messagesOf(runIds.map((runId, i) => [runId, ids[i * 2 + 1], stored[i]]));
  }

  /**
   * add() and lock() and pending() in one round trip: the message goes in whether or not the lock is free;
   * null when another run holds it.
   */
  async claim(contactKey: string, message: InboxMessage): Promise<{ lock: ContactLock; pending: InboxMessage[] } | null> {
    const k = this.keys(contactKey);
    const token = randomUUID();
    const stored = JSON.stringify({ body: message.body, attachments: message.attachments });
    const flat = await this.redis.wabInboxClaim(k.order, k.bodies, k.lock, String(message.receivedAt), message.runId, stored, this.ttlSeconds, token, this.lockTtlMs);
    if (flat === null) return null;
    const rows: [string, string, string | null][] = [];
    for (let i = 0; i < flat.length; i += 3) rows.push([flat[i]!, flat[i + 1]!, flat[i + 2] ?? null]);
    return { lock: this.lockOf(k.lock, token), pending: messagesOf(rows) };
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
    return this.lockOf(lock, token);
  }

  private lockOf(lock: string, token: string): ContactLock {
    return {
      ttlMs: this.lockTtlMs,
      renew: async () => (await this.redis.wabLockRenew(lock, token, this.lockTtlMs)) === 1,
      release: async () => void (await this.redis.wabLockRelease(lock, token)),
    };
  }
}
