import { hashTag, productKeys } from '@wab/shared';

describe('productKeys', () => {
  it('keeps the single-Redis names of every release before cluster support', () => {
    const keys = productKeys('bull');
    expect(keys.queuePrefix).toBe('bull');
    // Families added later may join; the names that existed keep their spelling.
    expect(keys.forContact('c_1')).toMatchObject({
      inboxOrder: 'bull:wab:inbox:c_1:order',
      inboxBodies: 'bull:wab:inbox:c_1:bodies',
      lock: 'bull:wab:inbox:c_1:lock',
      profile: 'bull:wab:contact:c_1',
    });
    expect(keys.dedupe('wh_1')).toBe('bull:wab:dedupe:wh_1');
    expect(keys.forLocation('loc')).toMatchObject({
      ghlBudgetWindow: 'bull:wab:ghl-budget:loc:window',
      ghlBudgetBlockedUntil: 'bull:wab:ghl-budget:loc:blocked-until',
      ghlCalendarsCache: 'bull:wab:ghl-cache:loc:calendars',
      ghlSlotsCache: 'bull:wab:ghl-cache:loc:slots',
    });
    expect(keys.conversation.thread('c_1').ids).toBe('bull:wab:cp:ids:c_1');
    expect(keys.conversation.threads).toBe('bull:wab:cp:threads');
  });

  it('hash-tags the families a command changes together on a cluster, and BullMQ per queue prefix', () => {
    const keys = productKeys('bull', { cluster: true });
    expect(keys.queuePrefix).toBe('{bull}');
    expect(keys.forContact('c_1').lock).toBe('bull:wab:inbox:{c_1}:lock');
    expect(keys.forContact('c_1').profile).toBe('bull:wab:contact:{c_1}');
    expect(keys.dedupe('wh_1')).toBe('bull:wab:{dedupe}:wh_1');
    expect(keys.forLocation('loc').ghlBudgetWindow).toBe('bull:wab:ghl-budget:{loc}:window');
    expect(keys.forLocation('loc').turnSlots).toBe('bull:wab:turn-slots:{loc}');
    expect(keys.forContact('c_1').turnsAnswered).toBe('bull:wab:inbox:{c_1}:turns');
    expect(keys.conversation.thread('c_1').writes).toBe('bull:wab:cp:writes:{c_1}');
    expect(keys.run('run_1')).toBe('bull:wab:run:run_1');
    // A prefix that is a hash tag already stays BullMQ's prefix (and pins every key to its slot).
    expect(productKeys('{bull}', { cluster: true }).queuePrefix).toBe('{bull}');
  });

  it('tags an id holding a brace (or nothing) by its hash, so the tag is never empty nor cut short', () => {
    expect(hashTag('c_1')).toBe('{c_1}');
    for (const id of ['}', 'a}b', '{x}', '']) expect(hashTag(id)).toMatch(/^\{#[0-9a-f]{64}\}$/);
    expect(hashTag('a}b')).not.toBe(hashTag('a}c'));
  });
});
