import { randomUUID } from 'node:crypto';
import { keysFor, type ProductKeys, type RedisConnection } from '@wab/shared';

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
type AdmissionRedis = RedisConnection & { wabAdmitTurn(key: string, limit: number, leaseMs: number, holder: string): Promise<number> };

export class LocationAdmission {
  private readonly redis: AdmissionRedis;
  private readonly keys: ProductKeys;

  constructor(
    redis: RedisConnection,
    prefix: string,
    private readonly limit: number,
    private readonly leaseMs: number,
    /** How many locations the deployment serves now: with one, there is no other to be fair to. */
    private readonly locationCount: () => number,
  ) {
    // Sent by its SHA (EVALSHA), as every other script here.
    if (!('wabAdmitTurn' in redis)) redis.defineCommand('wabAdmitTurn', { numberOfKeys: 1, lua: ADMIT_LUA });
    this.redis = redis as AdmissionRedis;
    this.keys = keysFor(prefix, redis);
  }

  /**
   * A slot, or null when the location already runs `limit` turns. Always a slot when the limit is off or the
   * deployment serves one location (holding its turns back would only idle the workers and churn its jobs).
   */
  async admit(locationId: string): Promise<AdmissionSlot | null> {
    if (this.limit === 0 || this.locationCount() <= 1) return FREE;
    const key = this.keys.forLocation(locationId).turnSlots;
    const holder = randomUUID();
    const taken = (await this.redis.wabAdmitTurn(key, this.limit, this.leaseMs, holder)) === 1;
    if (!taken) return null;
    return { release: async () => void (await this.redis.zrem(key, holder).catch(() => undefined)) };
  }
}
