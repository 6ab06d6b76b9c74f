import { createHash } from 'node:crypto';
import { keysFor, type RedisConnection } from '@wab/shared';

/**
 * Claims every id of a delivery at once (webhookId, message id): the first delivery gets them, a repeat
 * of any of them gets the original run id. Markers are plain keys with a TTL longer than GHL's retry
 * horizon, so they outlive the job's own retention.
 */
const CLAIM = `
for i, key in ipairs(KEYS) do
  local existing = redis.call('GET', key)
  if existing then return existing end
end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'EX', ARGV[2])
end
return false`;

const RELEASE = `
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if value and string.sub(value, 1, #ARGV[1]) == ARGV[1] then redis.call('DEL', key) end
end
return 1`;

/**
 * The ids a delivery is claimed under: its webhook and message ids, or, for a body with none (the reference's
 * minimal example, an AppointmentDelete without webhookId), the SHA-256 of its raw bytes, so a signed body
 * cannot be replayed within the dedupe window.
 */
export function deliveryIds(dedupeIds: string[], rawBody: Buffer): string[] {
  if (dedupeIds.length > 0) return dedupeIds;
  return [`body:${createHash('sha256').update(rawBody).digest('hex')}`];
}

type DedupeRedis = RedisConnection & {
  wabDedupeClaim(...args: (string | number)[]): Promise<string | null>;
  wabDedupeRelease(...args: (string | number)[]): Promise<number>;
};

export class DeliveryDedupe {
  private readonly redis: DedupeRedis;
  private readonly keys;

  constructor(redis: RedisConnection, prefix: string, private readonly ttlSeconds: number) {
    this.keys = keysFor(prefix, redis);
    if (!('wabDedupeClaim' in redis)) {
      redis.defineCommand('wabDedupeClaim', { lua: CLAIM });
      redis.defineCommand('wabDedupeRelease', { lua: RELEASE });
    }
    this.redis = redis as DedupeRedis;
  }

  /** Returns null when the ids were free (now claimed for runId), else who holds them and since when. */
  async claim(ids: string[], runId: string, ttlSeconds = this.ttlSeconds): Promise<{ runId: string; claimedAt: number } | null> {
    if (ids.length === 0) return null;
    const keys = ids.map((id) => this.keys.dedupe(id));
    const holder = await this.redis.wabDedupeClaim(keys.length, ...keys, `${runId}@${Date.now()}`, ttlSeconds);
    if (!holder) return null;
    const [holderRun, at] = holder.split('@');
    return { runId: holderRun, claimedAt: Number(at) || 0 };
  }

  /**
   * A workflow webhook's delivery, which has no message id: the same location, contact and words (and the
   * body's own timestamp, if it has one) while the contact's answered turns stay the same. GHL's re-sends
   * and double triggers arrive before the next answer; a customer who says "yes" to two questions has had a
   * turn answered in between, so the second "yes" is new.
   */
  async workflowDeliveryId(event: { locationId: string | null; contactKey: string | null; event: { kind: string; body?: string; sentAt?: string | null } }): Promise<string> {
    const turns = event.contactKey ? ((await this.redis.get(this.keys.forContact(event.contactKey).turnsAnswered)) ?? '0') : '0';
    const body = event.event.kind === 'customer_message' ? (event.event.body ?? '') : '';
    const sentAt = event.event.kind === 'customer_message' ? (event.event.sentAt ?? '') : '';
    const digest = createHash('sha256').update(JSON.stringify([event.locationId, event.contactKey, body, sentAt, turns])).digest('hex');
    return `workflow:${digest}`;
  }

  /** Takes the ids over for a new run: the holder's job was never stored (see the webhook handler). */
  async takeOver(ids: string[], runId: string): Promise<void> {
    const tx = this.redis.multi();
    for (const id of ids) tx.set(this.keys.dedupe(id), `${runId}@${Date.now()}`, 'EX', this.ttlSeconds);
    await tx.exec();
  }

  /** Gives the ids back when the job could not be queued, so GHL's retry is not taken for a duplicate. */
  async release(ids: string[], runId: string): Promise<void> {
    if (ids.length === 0) return;
    const keys = ids.map((id) => this.keys.dedupe(id));
    await this.redis.wabDedupeRelease(keys.length, ...keys, `${runId}@`);
  }
}
