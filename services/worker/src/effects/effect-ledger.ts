import type { Redis } from 'ioredis';
import { productKeys } from '@wab/shared';

/** Thrown when an effect's outcome is still unknown after checking: the job retries later. */
export class EffectUncertainError extends Error {
  override name = 'EffectUncertainError';
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

type Entry<T, I> = { state: 'intent'; intent: I; at: number } | { state: 'done'; result: T; at: number };

/**
 * Exactly-once side effects on top of at-least-once jobs. Each effect has a key derived from the run and
 * step. Intent is recorded before the call and the result after; a second run finds the result and does
 * nothing, and a run that finds only an intent (the answer was lost, or the worker died) asks the
 * outside system before trying again.
 */
export class EffectLedger {
  private readonly root: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {
    this.root = `${productKeys(prefix).root}:effect`;
  }

  async once<T, I>(key: string, effect: Effect<T, I>): Promise<T> {
    const redisKey = `${this.root}:${key}`;
    const raw = await this.redis.get(redisKey);
    const entry = raw ? (JSON.parse(raw) as Entry<T, I>) : null;
    if (entry?.state === 'done') return entry.result;
    if (entry?.state === 'intent') {
      const found = await effect.lookup(entry.intent);
      if (found !== null) return this.done(redisKey, found);
    }

    const intent: Entry<T, I> = { state: 'intent', intent: effect.intent, at: Date.now() };
    await this.redis.set(redisKey, JSON.stringify(intent), 'EX', this.ttlSeconds);
    let result: T;
    try {
      result = await effect.perform();
    } catch (error) {
      if (!effect.isUncertain(error)) {
        await this.redis.del(redisKey); // it certainly did not happen: a later run may try afresh
        throw error;
      }
      const found = await effect.lookup(effect.intent).catch(() => null);
      if (found !== null) return this.done(redisKey, found);
      throw new EffectUncertainError(`effect ${key} may not have happened; it will be checked again`, { cause: error });
    }
    return this.done(redisKey, result);
  }

  /**
   * What an earlier run did under this key: its result, or (when only the intent was recorded) what the
   * outside system shows; null when nothing happened yet.
   */
  async recall<T, I>(key: string, lookup: (intent: I) => Promise<T | null>): Promise<T | null> {
    const redisKey = `${this.root}:${key}`;
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
