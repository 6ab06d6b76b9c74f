import { randomUUID } from 'node:crypto';
import { keysFor, type ProductKeys, type RedisConnection } from '@wab/shared';
import { GhlRateBudgetError } from './errors';

export interface GhlRateBudgetOptions {
  /** Requests per window per location. GHL allows 100 per 10 s per location, shared by every replica. */
  limit?: number;
  windowMs?: number;
  /** Longest acquire() waits before giving up with GhlRateBudgetError. */
  maxWaitMs?: number;
  /** Longest single sleep between polls. */
  pollMs?: number;
  /** Called once per acquire() with how long it waited (metrics); `acquired` is false when it gave up. */
  onAcquire?: (report: RateBudgetWaitReport) => void;
}

export interface RateBudgetWaitReport {
  waitedMs: number;
  acquired: boolean;
}

/**
 * Takes a slot in the location's sliding window if one is free, else says how long until the oldest
 * leaves it. Uses Redis's clock so replicas with skewed clocks agree.
 * KEYS: window zset, blocked-until key. ARGV: limit, window ms, unique member. Returns ms to wait (0 = go).
 */
const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return blocked - now end
local windowMs = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], windowMs)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + windowMs - now)
`;

/** Stops every acquire() for `ms` from now (never shortens a longer block). KEYS: blocked-until. ARGV: ms. */
const BLOCK_LUA = `
local t = redis.call('TIME')
local untilMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', ARGV[1]) end
return untilMs
`;

type HeaderSource = Headers | Record<string, string | undefined>;

/** The scripts as commands: sent by their SHA (EVALSHA), not their text, on every GHL call. */
type BudgetRedis = RedisConnection & {
  wabGhlAcquire(window: string, blockedUntil: string, limit: number, windowMs: number, member: string): Promise<number>;
  wabGhlBlock(blockedUntil: string, ms: number): Promise<number>;
};

/**
 * GHL's per-location burst limit, enforced across every process that shares the Redis: each request first
 * takes a place in a sliding window (a ZSET of send times). What GHL reports back tightens it further:
 * `X-RateLimit-Remaining: 0` or a 429 blocks the location until GHL's window has passed.
 */
export class GhlRateBudget {
  readonly limit: number;
  readonly windowMs: number;
  private readonly maxWaitMs: number;
  private readonly pollMs: number;
  private readonly onAcquire?: (report: RateBudgetWaitReport) => void;
  private readonly layout: ProductKeys;
  private readonly redis: BudgetRedis;

  /** @param prefix QUEUE_PREFIX: the budget's keys are the product's (productKeys). */
  constructor(
    redis: RedisConnection,
    prefix: string,
    options: GhlRateBudgetOptions = {},
  ) {
    this.layout = keysFor(prefix, redis);
    if (!('wabGhlAcquire' in redis)) {
      redis.defineCommand('wabGhlAcquire', { numberOfKeys: 2, lua: ACQUIRE_LUA });
      redis.defineCommand('wabGhlBlock', { numberOfKeys: 1, lua: BLOCK_LUA });
    }
    this.redis = redis as BudgetRedis;
    this.limit = options.limit ?? 100;
    this.windowMs = options.windowMs ?? 10_000;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.pollMs = options.pollMs ?? 100;
    this.onAcquire = options.onAcquire;
    if (this.limit < 1 || this.windowMs < 1) throw new Error('GhlRateBudget: limit and windowMs must be positive');
  }

  keys(locationId: string) {
    const k = this.layout.forLocation(locationId);
    return { window: k.ghlBudgetWindow, blockedUntil: k.ghlBudgetBlockedUntil };
  }

  /** Resolves once this process may send one request for the location; throws GhlRateBudgetError past maxWaitMs. */
  async acquire(locationId: string): Promise<void> {
    const keys = this.keys(locationId);
    const started = Date.now();
    for (;;) {
      const waitMs = await this.redis.wabGhlAcquire(keys.window, keys.blockedUntil, this.limit, this.windowMs, randomUUID());
      const waited = Date.now() - started;
      if (waitMs === 0) return this.report({ waitedMs: waited, acquired: true });
      if (waited + waitMs > this.maxWaitMs) {
        this.report({ waitedMs: waited, acquired: false });
        throw new GhlRateBudgetError(locationId, waited);
      }
      // Short, jittered sleeps: waiters on many replicas wake at different times and re-check.
      await sleep(Math.min(waitMs, this.pollMs) + Math.random() * 10);
    }
  }

  private report(report: RateBudgetWaitReport): void {
    try {
      this.onAcquire?.(report);
    } catch {
      // a metrics hook must never break a GHL call
    }
  }

  /** Learns from an answer's rate-limit headers (and a 429); call it after every GHL answer. */
  async observe(locationId: string, headers: HeaderSource, status?: number): Promise<void> {
    if (status === 429) {
      // GHL refused: wait out its Retry-After if it sent one, else a whole window.
      return this.block(locationId, retryAfterMs(headers) ?? this.windowMs);
    }
    const remaining = header(headers, 'x-ratelimit-remaining');
    if (remaining !== undefined && remaining.trim() !== '' && Number(remaining) <= 0) {
      const interval = Number(header(headers, 'x-ratelimit-interval-milliseconds'));
      await this.block(locationId, interval > 0 ? interval : this.windowMs);
    }
  }

  /** Lets nothing through for the location for `ms`. */
  async block(locationId: string, ms: number): Promise<void> {
    if (ms <= 0) return;
    await this.redis.wabGhlBlock(this.keys(locationId).blockedUntil, Math.ceil(ms));
  }
}

export function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(headers: HeaderSource, now = Date.now()): number | undefined {
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
