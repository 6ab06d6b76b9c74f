/** The effect ledger on a real Redis: each effect happens once, whatever runs race for it. */
import { EffectInFlightError, EffectLedger, EffectUncertainError, type Effect } from '../../../services/worker/src/effects/effect-ledger';
import { TurnLockLostError, runGuarded } from '../../../services/worker/src/effects/turn-guard';
import { eventually, useTestRedis } from '../../support/redis';

const db = useTestRedis('effect-ledger');
const { prefix } = db;

class Uncertain extends Error {}

/** An outside system that counts what was really done, and can lose answers. */
function outside() {
  const done: string[] = [];
  return {
    done,
    effect(key: string, options: { loseAnswer?: boolean; fail?: boolean; delayMs?: number } = {}): Effect<string, { key: string }> {
      return {
        intent: { key },
        perform: async () => {
          if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
          if (options.fail) throw new Error('refused');
          done.push(key);
          if (options.loseAnswer) throw new Uncertain('answer lost');
          return `result-${key}`;
        },
        lookup: async (intent) => (done.includes(intent.key) ? `found-${intent.key}` : null),
        isUncertain: (error) => error instanceof Uncertain,
      };
    },
  };
}

let n = 0;
const key = () => `k${++n}`;

it('performs an effect once; a repeat gets the stored result', async () => {
  const ledger = new EffectLedger(db.redis, prefix);
  const world = outside();
  const k = key();
  expect(await ledger.once(k, world.effect(k))).toBe(`result-${k}`);
  expect(await ledger.once(k, world.effect(k))).toBe(`result-${k}`);
  expect(world.done).toEqual([k]);
});

it('two runs racing for one effect: it happens once, and the loser is told to wait rather than repeat it', async () => {
  const ledger = new EffectLedger(db.redis, prefix, { leaseMs: 60_000 });
  const world = outside();
  const k = key();
  const results = await Promise.allSettled([ledger.once(k, world.effect(k, { delayMs: 100 })), ledger.once(k, world.effect(k, { delayMs: 100 }))]);
  expect(world.done).toEqual([k]);
  const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  expect(rejected).toHaveLength(1);
  expect(rejected[0].reason).toBeInstanceOf(EffectInFlightError);
  expect((rejected[0].reason as EffectInFlightError).retryAt).toBeGreaterThan(Date.now());
  // Once the first run is done, the waiting one finds its result.
  expect(await ledger.once(k, world.effect(k))).toBe(`result-${k}`);
});

it('a lost answer is found in the outside system, not redone', async () => {
  const ledger = new EffectLedger(db.redis, prefix);
  const world = outside();
  const k = key();
  expect(await ledger.once(k, world.effect(k, { loseAnswer: true }))).toBe(`found-${k}`);
  expect(await ledger.once(k, world.effect(k))).toBe(`found-${k}`);
  expect(world.done).toEqual([k]);
});

it('an outcome nobody can see is settled: the next run looks again and performs it at once', async () => {
  const ledger = new EffectLedger(db.redis, prefix, { leaseMs: 60_000 });
  const k = key();
  let calls = 0;
  const invisible: Effect<string, { key: string }> = {
    intent: { key: k },
    perform: async () => {
      calls++;
      throw new Uncertain('timed out before doing anything');
    },
    lookup: async () => null,
    isUncertain: (error) => error instanceof Uncertain,
  };
  await expect(ledger.once(k, invisible)).rejects.toBeInstanceOf(EffectUncertainError);
  const world = outside();
  expect(await ledger.once(k, world.effect(k))).toBe(`result-${k}`);
  expect(calls).toBe(1);
  expect(world.done).toEqual([k]);
});

it('a claim left by a run that died mid-call is taken over only after its lease', async () => {
  const ledger = new EffectLedger(db.redis, prefix, { leaseMs: 300 });
  const k = key();
  // A run that claimed the effect and died before the call ended.
  await db.redis.set(`${prefix}:wab:effect:${k}`, JSON.stringify({ state: 'intent', intent: { key: k }, at: Date.now() }));
  const world = outside();
  await expect(ledger.once(k, world.effect(k))).rejects.toBeInstanceOf(EffectInFlightError);
  expect(world.done).toEqual([]);
  // Once the lease runs out the same call goes through.
  expect(await eventually(() => ledger.once(k, world.effect(k)), 2_000)).toBe(`result-${k}`);
  expect(world.done).toEqual([k]);
});

it('a refused effect releases its claim, so a later run may try afresh', async () => {
  const ledger = new EffectLedger(db.redis, prefix);
  const world = outside();
  const k = key();
  await expect(ledger.once(k, world.effect(k, { fail: true }))).rejects.toThrow('refused');
  expect(await db.redis.exists(`${prefix}:wab:effect:${k}`)).toBe(0);
  expect(await ledger.once(k, world.effect(k))).toBe(`result-${k}`);
});

it('a turn that lost its contact lock performs nothing', async () => {
  const ledger = new EffectLedger(db.redis, prefix);
  const world = outside();
  const k = key();
  const lost = {
    assertOwned: async () => {
      throw new TurnLockLostError('lapsed');
    },
  };
  await expect(runGuarded(lost, () => ledger.once(k, world.effect(k)))).rejects.toBeInstanceOf(TurnLockLostError);
  expect(world.done).toEqual([]);
  expect(await db.redis.exists(`${prefix}:wab:effect:${k}`)).toBe(0);
});
