import type { Redis } from 'ioredis';
import type { SandboxKeys } from './store/keys';

export interface RateLimitOptions {
  /** Requests per interval per location; GHL's burst limit is 100 per 10 s. */
  max: number;
  intervalMs: number;
  daily: number;
  /** When false the headers are still sent but nothing is refused. */
  enforce: boolean;
}

export const GHL_RATE_LIMIT: RateLimitOptions = { max: 100, intervalMs: 10_000, daily: 200_000, enforce: true };

/** Counts one request in the location's fixed window and day; returns [window count, window ms left, day count]. */
const COUNT_LUA = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local d = redis.call('INCR', KEYS[2])
if d == 1 then redis.call('PEXPIRE', KEYS[2], 90000000) end
return {n, ttl, d}
`;

export interface RateDecision {
  headers: Record<string, string>;
  /** Set when the request is over the limit. */
  retryAfterMs?: number;
}

/** GHL's per-location rate limit, counted in Redis so every sandbox process shares it. */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: SandboxKeys,
    private readonly options: RateLimitOptions,
  ) {}

  async count(locationId: string): Promise<RateDecision> {
    const day = new Date().toISOString().slice(0, 10);
    const [n, ttl, d] = (await this.redis.eval(
      COUNT_LUA,
      2,
      this.keys.rateWindow(locationId),
      this.keys.rateDaily(locationId, day),
      this.options.intervalMs,
    )) as [number, number, number];
    const headers = {
      'X-RateLimit-Max': String(this.options.max),
      'X-RateLimit-Remaining': String(Math.max(0, this.options.max - n)),
      'X-RateLimit-Interval-Milliseconds': String(this.options.intervalMs),
      'X-RateLimit-Limit-Daily': String(this.options.daily),
      'X-RateLimit-Daily-Remaining': String(Math.max(0, this.options.daily - d)),
    };
    const over = n > this.options.max || d > this.options.daily;
    return this.options.enforce && over ? { headers, retryAfterMs: Math.max(ttl, 1) } : { headers };
  }
}
