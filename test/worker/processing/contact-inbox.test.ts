/** A contact's inbox and turn lock on a real Redis, and the claim that builds a turn from them. */
import { RunStore } from '@wab/shared';
import { TurnLockLostError } from '../../../services/worker/src/effects/turn-guard';
import { ContactInbox } from '../../../services/worker/src/processing/contact-inbox';
import { createTurnClaimer, turnKey } from '../../../services/worker/src/processing/turn-claim';
import { useTestRedis } from '../../support/redis';

const db = useTestRedis('contact-inbox');
const { prefix } = db;

let n = 0;
const contact = () => `+1555000${String(++n).padStart(4, '0')}`;
const message = (runId: string, receivedAt: number, body = `hello ${runId}`, attachments = 0) => ({ runId, body, receivedAt, attachments });

describe('ContactInbox', () => {
  it('keeps each message once, in arrival order, with its media count, until it is removed', async () => {
    const inbox = new ContactInbox(db.redis, prefix);
    const c = contact();
    await inbox.add(c, message('run_b', 2000));
    await inbox.add(c, message('run_a', 1000, '', 1));
    await inbox.add(c, message('run_a', 1000, 'a retry must not change it'));
    expect(await inbox.pending(c)).toEqual([message('run_a', 1000, '', 1), message('run_b', 2000)]);
    await inbox.remove(c, ['run_a']);
    expect((await inbox.pending(c)).map((m) => m.runId)).toEqual(['run_b']);
  });

  it('claims in one step: the message goes in, the lock is taken and the pending messages come back; a held lock gives null but keeps the message', async () => {
    const inbox = new ContactInbox(db.redis, prefix, 5000, 3600);
    const c = contact();
    await inbox.add(c, message('run_1', 1000, 'first', 2));
    const claimed = await inbox.claim(c, message('run_2', 2000, 'second'));
    expect(claimed?.pending).toEqual([message('run_1', 1000, 'first', 2), message('run_2', 2000, 'second')]);
    expect(await inbox.claim(c, message('run_3', 3000))).toBeNull();
    expect((await inbox.pending(c)).map((m) => m.runId)).toEqual(['run_1', 'run_2', 'run_3']);
    for (const k of await db.redis.keys(`${prefix}:wab:inbox:${c}:*`)) expect(await db.redis.pttl(k)).toBeGreaterThan(0);
    expect(await claimed!.lock.renew()).toBe(true);
    await claimed!.lock.release();
    expect((await inbox.claim(c, message('run_3', 3000)))?.pending.map((m) => m.runId)).toEqual(['run_1', 'run_2', 'run_3']);
  });

  it('gives its keys a time to live, so a contact who never writes again leaves nothing behind', async () => {
    const inbox = new ContactInbox(db.redis, prefix, 30_000, 3600);
    const c = contact();
    await inbox.add(c, message('run_x', 1));
    const keys = await db.redis.keys(`${prefix}:wab:inbox:${c}:*`);
    expect(keys.length).toBe(2);
    for (const k of keys) expect(await db.redis.ttl(k)).toBeGreaterThan(3500);
  });

  it('lets one run hold a contact; a lock that lapsed cannot be renewed or released by its old holder', async () => {
    const inbox = new ContactInbox(db.redis, prefix, 1000);
    const c = contact();
    const first = await inbox.lock(c);
    expect(first).not.toBeNull();
    expect(await inbox.lock(c)).toBeNull();
    expect(await first!.renew()).toBe(true);
    await db.redis.del(`${prefix}:wab:inbox:${c}:lock`); // it lapsed
    const second = await inbox.lock(c);
    expect(second).not.toBeNull();
    expect(await first!.renew()).toBe(false);
    await first!.release();
    expect(await inbox.lock(c)).toBeNull(); // the second holder still has it
    await second!.release();
    expect(await inbox.lock(c)).not.toBeNull();
  });
});

describe('turnKey', () => {
  it('names a turn by every run it answers, in any order', () => {
    expect(turnKey(['run_a', 'run_b'])).toBe(turnKey(['run_b', 'run_a']));
    expect(turnKey(['run_a', 'run_b'])).not.toBe(turnKey(['run_a']));
    expect(turnKey(['run_a'])).toMatch(/^turn_[0-9a-f]{32}$/);
  });
});

describe('claiming a turn', () => {
  const runStore = () => new RunStore(db.redis, prefix, 3600);

  it('answers a burst as one turn and tells a second run the contact is busy', async () => {
    const inbox = new ContactInbox(db.redis, prefix, 5000);
    const claim = createTurnClaimer({ inbox, runStore: runStore(), burstWindowMs: 50 });
    const c = contact();
    const now = Date.now();
    const claims = await Promise.all([claim(c, message('run_1', now)), claim(c, message('run_2', now + 10))]);
    expect(claims.map((x) => x.kind).sort()).toEqual(['busy', 'turn']);
    const turn = claims.find((x) => x.kind === 'turn');
    if (turn?.kind !== 'turn') throw new Error('unreachable');
    // The busy run's message reached the inbox within the burst window: the one turn answers both.
    expect(turn.pending.map((m) => m.runId)).toEqual(['run_1', 'run_2']);
    await turn.release();
  });

  it("stops a turn's effects once its lock is gone", async () => {
    const inbox = new ContactInbox(db.redis, prefix, 1000);
    const claim = createTurnClaimer({ inbox, runStore: runStore(), burstWindowMs: 0 });
    const c = contact();
    const turn = await claim(c, message('run_1', Date.now()));
    if (turn.kind !== 'turn') throw new Error('expected a turn');
    await turn.guard.assertOwned();
    await db.redis.set(`${prefix}:wab:inbox:${c}:lock`, 'someone-else');
    await expect(turn.guard.assertOwned()).rejects.toBeInstanceOf(TurnLockLostError);
    await turn.release();
    expect(await db.redis.get(`${prefix}:wab:inbox:${c}:lock`)).toBe('someone-else'); // not ours to release
  });
});
