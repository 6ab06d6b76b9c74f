import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '@wab/shared';

/**
 * Takes a turn slot for the location if fewer than `limit` of its turns run now (on any replica), else
 * refuses. Slots are leases (a ZSET of holder → expiry on Redis's clock), so a crashed worker's slot frees
 * itself. KEYS: the location's slots. ARGV: limit, lease ms, holder. Returns 1 when taken.
 */
const ADMIT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

export interface AdmissionSlot {
  release(): Promise<void>;
}

const FREE: AdmissionSlot = { release: async () => undefined };

/**
 * Fairness between locations: one location's burst (a lead campaign's 500 messages) may hold at most
 * `limit` turns at once across every worker; its other messages wait (in their contacts' inboxes, so their
 * order is kept) while other locations' customers are answered. 0 turns it off. GHL's own budget (100 calls
 * per 10 s per location) caps a location far below what the default of 10 concurrent turns could spend.
 */
export class LocationAdmission {
  constructor(
    private readonly redis: RedisConnection,
    private readonly slotsKey: (locationId: string) => string,
    private readonly limit: number,
    private readonly leaseMs: number,
    /** How many locations the deployment serves now: with one, there is no other to be fair to. */
    private readonly locationCount: () => number,
  ) {}

  /**
   * A slot, or null when the location already runs `limit` turns. Always a slot when the limit is off or the
   * deployment serves one location (holding its turns back would only idle the workers and churn its jobs).
   */
  async admit(locationId: string | null): Promise<AdmissionSlot | null> {
    if (this.limit === 0 || locationId === null || this.locationCount() <= 1) return FREE;
    const key = this.slotsKey(locationId);
    const holder = randomUUID();
    const taken = (await this.redis.eval(ADMIT_LUA, 1, key, this.limit, this.leaseMs, holder)) === 1;
    if (!taken) return null;
    return { release: async () => void (await this.redis.zrem(key, holder).catch(() => undefined)) };
  }
}
