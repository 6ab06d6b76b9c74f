import { keysFor, type ProductKeys, type RedisConnection } from '@wab/shared';
import { beforeEffect } from './turn-guard';

/** Thrown when an effect's outcome is still unknown after checking: the job retries later. */
export class EffectUncertainError extends Error {
  override name = 'EffectUncertainError';
}

/**
 * Another run claimed this effect and may still be performing it (its lease has not run out): look again
 * at `retryAt`. The job waits without spending an attempt.
 */
export class EffectInFlightError extends Error {
  override name = 'EffectInFlightError';
  constructor(
    key: string,
    readonly retryAt: number,
  ) {
    super(`effect ${key} is being performed by another run; looking again at ${new Date(retryAt).toISOString()}`);
  }
}

export interface Effect<T, I> {
  /** What is about to be done; stored before the call, so a later attempt knows what to look for. */
  intent: I;
  perform(): Promise<T>;
  /** Looks in the outside system for an effect done under this intent whose answer was lost. */
  lookup(intent: I): Promise<T | null>;
  /** True for the errors after which the effect may or may not have happened. */
  isUncertain(error: unknown): boolean;
}

/**
 * `settled` marks an intent whose run saw its call end without knowing the outcome and found nothing in
 * the outside system: nobody is performing it any more, so the next run may look and try again at once.
 */
type Entry<T, I> = { state: 'intent'; intent: I; at: number; settled?: boolean } | { state: 'done'; result: T; at: number };

/**
 * Compare-and-set: writes ARGV[1] (deletes the key when it is empty) only when the key still holds exactly
 * ARGV[2] (empty = absent). Returns nil when it wrote, else what stands there. Claims, settles and releases
 * all go through it, so two runs can never both believe they own the same effect.
 */
const COMPARE_AND_SET = `
local seen = redis.call('GET', KEYS[1])
if (seen == false and ARGV[2] == '') or (seen ~= false and seen == ARGV[2]) then
  if ARGV[1] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3]) end
  return nil
end
if seen == false then return '' end
return seen`;

type LedgerRedis = RedisConnection & { wabEffectCas(key: string, entry: string, expected: string, ttlSeconds: number): Promise<string | null> };

export interface EffectLedgerOptions {
  /** How long a result (and an intent) is kept. Default 7 days. */
  ttlSeconds?: number;
  /**
   * How long a claimed intent belongs to its run: longer than the slowest effect call (all its attempts).
   * Until then no other run takes it over, unless its run settled it. Default 3 minutes.
   */
  leaseMs?: number;
}

/**
 * Exactly-once side effects on top of at-least-once jobs. Each effect has a key derived from the turn and
 * step. The intent is claimed atomically before the call and the result stored after; a second run finds
 * the result and does nothing, and a run that finds only an intent (the answer was lost, or the worker
 * died) asks the outside system before it takes the intent over and tries again.
 */
export class EffectLedger {
  private readonly keys: ProductKeys;
  private readonly redis: LedgerRedis;
  private readonly ttlSeconds: number;
  private readonly leaseMs: number;

  constructor(redis: RedisConnection, prefix: string, options: EffectLedgerOptions = {}) {
    this.keys = keysFor(prefix, redis);
    this.ttlSeconds = options.ttlSeconds ?? 7 * 24 * 3600;
    this.leaseMs = options.leaseMs ?? 3 * 60_000;
    if (!('wabEffectCas' in redis)) redis.defineCommand('wabEffectCas', { numberOfKeys: 1, lua: COMPARE_AND_SET });
    this.redis = redis as LedgerRedis;
  }

  async once<T, I>(key: string, effect: Effect<T, I>): Promise<T> {
    const redisKey = this.keys.effect(key);
    const cas = (entry: string, expected: string) => this.redis.wabEffectCas(redisKey, entry, expected, this.ttlSeconds);
    let seen = (await this.redis.get(redisKey)) ?? '';
    let claimed: string;
    for (;;) {
      const entry = seen ? (JSON.parse(seen) as Entry<T, I>) : null;
      if (entry?.state === 'done') return entry.result;
      if (entry?.state === 'intent') {
        const found = await effect.lookup(entry.intent);
        if (found !== null) return this.done(redisKey, found);
        // Not visible yet: its run may be in the middle of the call. Only a settled or expired claim is taken over.
        if (!entry.settled && Date.now() < entry.at + this.leaseMs) throw new EffectInFlightError(key, entry.at + this.leaseMs);
      }
      await beforeEffect();
      claimed = JSON.stringify({ state: 'intent', intent: effect.intent, at: Date.now() } satisfies Entry<T, I>);
      const standing = await cas(claimed, seen);
      if (standing === null) break; // claimed: this run performs the effect
      seen = standing; // another run moved first: look at what it left
    }

    let result: T;
    try {
      result = await effect.perform();
    } catch (error) {
      if (!effect.isUncertain(error)) {
        await cas('', claimed); // it certainly did not happen: a later run may try afresh
        throw error;
      }
      const found = await effect.lookup(effect.intent).catch(() => null);
      if (found !== null) return this.done(redisKey, found);
      const settled = JSON.stringify({ ...(JSON.parse(claimed) as Entry<T, I>), settled: true });
      await cas(settled, claimed);
      throw new EffectUncertainError(`effect ${key} may not have happened; it will be checked again`, { cause: error });
    }
    return this.done(redisKey, result);
  }

  /**
   * What an earlier run did under this key: its result, or (when only the intent was recorded) what the
   * outside system shows; null when nothing happened yet.
   */
  async recall<T, I>(key: string, lookup: (intent: I) => Promise<T | null>): Promise<T | null> {
    const redisKey = this.keys.effect(key);
    const raw = await this.redis.get(redisKey);
    const entry = raw ? (JSON.parse(raw) as Entry<T, I>) : null;
    if (entry?.state === 'done') return entry.result;
    if (entry?.state === 'intent') {
      const found = await lookup(entry.intent);
      if (found !== null) return this.done(redisKey, found);
    }
    return null;
  }

  private async done<T>(redisKey: string, result: T): Promise<T> {
    await this.redis.set(redisKey, JSON.stringify({ state: 'done', result, at: Date.now() }), 'EX', this.ttlSeconds);
    return result;
  }
}
