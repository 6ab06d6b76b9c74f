import { AsyncLocalStorage } from 'node:async_hooks';

/** The turn no longer holds its contact's lock: another run may be answering, so this one must not act. */
export class TurnLockLostError extends Error {
  override name = 'TurnLockLostError';
}

export interface TurnGuard {
  /** Resolves when the turn still owns its contact (and extends that); throws TurnLockLostError otherwise. */
  assertOwned(): Promise<void>;
}

const current = new AsyncLocalStorage<TurnGuard>();

/**
 * Runs a turn under its guard. Every side effect (ledger effects, tags, contact writes) calls
 * `beforeEffect()` first, so a turn whose lock lapsed (a long GC pause, a partitioned worker) stops before
 * its next effect instead of racing the run that took the contact over. Carried by AsyncLocalStorage so the
 * ports, which are built once per worker, need no per-turn wiring.
 */
export function runGuarded<T>(guard: TurnGuard, fn: () => Promise<T>): Promise<T> {
  return current.run(guard, fn);
}

/** Outside a guarded turn (contact events, tools) there is no lock to check. */
export async function beforeEffect(): Promise<void> {
  await current.getStore()?.assertOwned();
}
