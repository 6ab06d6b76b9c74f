import { createHash } from 'node:crypto';
import type { RunRecord, RunStore } from '@wab/shared';
import { TurnLockLostError, type TurnGuard } from '../effects/turn-guard';
import type { ContactInbox, ContactLock, InboxMessage } from './contact-inbox';
import type { AdmissionSlot } from './location-admission';

/**
 * The id of a turn: derived from every run it answers, so a retry that answers one more message (it joined
 * between two attempts) is a new turn with a reply of its own, never mistaken for the older one.
 */
export function turnKey(runIds: readonly string[]): string {
  return `turn_${createHash('sha256').update([...runIds].sort().join('\n')).digest('hex').slice(0, 32)}`;
}

export type Claim =
  /** Another run answered this message already. */
  | { kind: 'answered'; record: RunRecord }
  /** Another run is answering this contact now: look again shortly. */
  | { kind: 'busy' }
  /** The location runs as many turns as it may (fairness): the message waits in the inbox; look again later. */
  | { kind: 'deferred' }
  | { kind: 'turn'; pending: InboxMessage[]; guard: TurnGuard; release(): Promise<void> };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Claiming a contact's turn: the message goes into the contact's inbox, the run takes the contact's lock
 * (one turn per contact on any replica), waits until a burst is over, and answers whatever is pending. The
 * lock is renewed while the turn runs; its guard lets every effect check the lock is still ours.
 */
export function createTurnClaimer(deps: { inbox: ContactInbox; runStore: RunStore; burstWindowMs: number; admit?: () => Promise<AdmissionSlot | null> }) {
  const { inbox, runStore } = deps;

  /** Waits until the contact has been quiet for the burst window (at most three windows); `first` is what the claim read. */
  async function waitForBurst(contactKey: string, first: InboxMessage[]): Promise<InboxMessage[]> {
    const deadline = Date.now() + deps.burstWindowMs * 3;
    for (let pending = first; ; pending = await inbox.pending(contactKey)) {
      const newest = Math.max(0, ...pending.map((m) => m.receivedAt));
      const quietFor = Date.now() - newest;
      if (quietFor >= deps.burstWindowMs || Date.now() >= deadline) return pending;
      await sleep(Math.min(deps.burstWindowMs - quietFor, deadline - Date.now()));
    }
  }

  return async function claimTurn(contactKey: string, message: InboxMessage): Promise<Claim> {
    const claimed = await inbox.claim(contactKey, message);
    if (!claimed) return { kind: 'busy' };
    // The message is in the inbox now, so a deferred one keeps its place: the contact's next turn answers it in order.
    const slot = deps.admit ? await deps.admit() : null;
    if (deps.admit && !slot) {
      await claimed.lock.release().catch(() => undefined);
      return { kind: 'deferred' };
    }
    const held = holdLock(claimed.lock, slot);
    try {
      let pending = await waitForBurst(contactKey, claimed.pending);
      if (!pending.some((m) => m.runId === message.runId)) {
        // A run that held the lock before us answered this message already.
        const record = await runStore.get(message.runId);
        if (record && record.final_state !== 'failed') {
          await held.release();
          return { kind: 'answered', record };
        }
        // A replayed failure: its message left the inbox with the failed turn, so it goes back in.
        await inbox.add(contactKey, message);
        pending = await inbox.pending(contactKey);
      }
      return { kind: 'turn', pending, guard: held.guard, release: held.release };
    } catch (error) {
      await held.release();
      throw error;
    }
  };
}

/** Renews the lock every third of its life; once a renewal finds it gone, the guard refuses every effect. */
function holdLock(lock: ContactLock, slot: AdmissionSlot | null): { guard: TurnGuard; release(): Promise<void> } {
  let lost = false;
  const heartbeat = setInterval(() => {
    lock.renew().then(
      (ok) => (lost ||= !ok),
      () => undefined, // Redis hiccup: the next beat or the pre-effect check decides
    );
  }, lock.ttlMs / 3);
  heartbeat.unref(); // a forgotten release must not keep the process alive
  return {
    guard: {
      async assertOwned() {
        if (lost || !(await lock.renew())) {
          lost = true;
          throw new TurnLockLostError('the contact lock lapsed: another run may be answering; this turn stops before its next effect');
        }
      },
    },
    async release() {
      clearInterval(heartbeat);
      await slot?.release();
      if (!lost) await lock.release().catch(() => undefined);
    },
  };
}
