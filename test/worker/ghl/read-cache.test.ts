/**
 * The GHL read cache on the sandbox: what replicas share (free slots for seconds, calendar settings for
 * minutes), what a booking drops, and that a stale slot costs a refused booking, never a double one.
 */
import { Redis } from 'ioredis';
import { EffectLedger } from '../../../services/worker/src/effects/effect-ledger';
import { GhlClient, GhlRateBudget, type GhlCall } from '../../../services/worker/src/ghl';
import { GhlReadCache, type GhlReadCacheOptions } from '../../../services/worker/src/ghl/read-cache';
import { ghlWorkflowPorts } from '../../../services/worker/src/ghl/workflow-ports';
import { startGhlDouble, type GhlDouble } from '../../support/ghl-double';
import { deletePrefix, eventually, redisUrl, testPrefix } from '../../support/redis';

let ghl: GhlDouble;
let redis: Redis;
const replicas: Redis[] = [];
const prefix = testPrefix('ghl-read-cache');

beforeAll(async () => {
  ghl = await startGhlDouble();
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  await ghl.close();
  await deletePrefix(redis, prefix);
  await Promise.all([redis, ...replicas].map((r) => r.quit()));
});
beforeEach(async () => {
  await ghl.reset();
  await deletePrefix(redis, prefix);
});

/** One worker replica's calendar port: its own Redis connection, client and cache; GHL calls counted by endpoint. */
function replica(options: GhlReadCacheOptions = {}) {
  const connection = new Redis(redisUrl());
  replicas.push(connection);
  const calls: GhlCall[] = [];
  const client = new GhlClient({
    baseUrl: ghl.url,
    token: ghl.token,
    locationId: ghl.locationId,
    timeZone: 'UTC',
    budget: new GhlRateBudget(connection, prefix, { limit: 1000 }),
    onCall: (c) => calls.push(c),
  });
  const cache = new GhlReadCache(connection, prefix, { slotsTtlMs: 60_000, calendarTtlMs: 60_000, ...options });
  const ports = ghlWorkflowPorts({ client, calendarId: ghl.calendarId, ledger: new EffectLedger(connection, prefix), cache });
  const count = (endpoint: string) => calls.filter((c) => c.endpoint === endpoint).length;
  return { ...ports, client, cache, count };
}

const DAY = 86_400_000;
/** Tomorrow 00:00 UTC and the next few days: the double is open 09:00-17:00 UTC every day. */
const window = () => {
  const from = Math.ceil(Date.now() / DAY) * DAY + 7 * 60_000; // off the 5-minute grid on purpose
  return { from, to: from + 3 * DAY };
};

describe('free slots', () => {
  it('are read from GHL once for every replica within the TTL, and only the window asked is answered', async () => {
    const a = replica();
    const b = replica();
    const { from, to } = window();
    const first = await a.calendar.freeSlots(from, to, 'UTC');
    const second = await b.calendar.freeSlots(from + 60_000, to - 60_000, 'UTC');
    expect(first.length).toBeGreaterThan(0);
    expect(a.count('freeSlots') + b.count('freeSlots')).toBe(1);
    expect(second).toEqual(first.filter((s) => Date.parse(s) >= from + 60_000 && Date.parse(s) <= to - 60_000));
    for (const slot of first) expect(Date.parse(slot)).toBeGreaterThanOrEqual(from);
  });

  it('turns of one replica asking at once share one GHL call', async () => {
    const a = replica();
    const { from, to } = window();
    const answers = await Promise.all(Array.from({ length: 10 }, () => a.calendar.freeSlots(from, to, 'UTC')));
    expect(new Set(answers.map((x) => JSON.stringify(x))).size).toBe(1);
    expect(a.count('freeSlots')).toBe(1);
  });

  it('are cached per zone: a window asked in another zone is read from GHL', async () => {
    const a = replica();
    const { from, to } = window();
    await a.calendar.freeSlots(from, to, 'UTC');
    const madrid = await a.calendar.freeSlots(from, to, 'Europe/Madrid');
    expect(a.count('freeSlots')).toBe(2);
    expect(madrid[0]).toMatch(/\+0[12]:00$/);
  });

  it('a booking on one replica takes its slot out of every replica’s cache: it is not offered again', async () => {
    const a = replica();
    const b = replica();
    const { from, to } = window();
    const before = await b.calendar.freeSlots(from, to, 'UTC');
    const contact = await ghl.seedContact({ phone: '+34611900001' });
    const endTime = new Date(Date.parse(before[1]) + 30 * 60_000).toISOString();
    expect(await a.calendar.book({ turnId: 'turn_cache_1', contactId: contact.id, startTime: before[1], endTime, title: 'Cut' })).toMatchObject({ ok: true });
    const after = await b.calendar.freeSlots(from, to, 'UTC');
    expect(after).toEqual(before.filter((slot) => slot !== before[1]));
    expect(b.count('freeSlots')).toBe(1); // what GHL would answer now, without asking it
    expect(await b.client.freeSlots(ghl.calendarId, from, to, 'UTC')).toEqual(after);
  });

  /** A slot read held open while `invalidate` runs: its older answer must not be cached after it. */
  async function readRacing(invalidate: (a: ReturnType<typeof replica>, from: number) => Promise<unknown>) {
    const a = replica();
    const { from, to } = window();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = a.cache.freeSlots(ghl.locationId, ghl.calendarId, from, to, 'UTC', async (f, t) => {
      const slots = await a.client.freeSlots(ghl.calendarId, f, t, 'UTC');
      await gate;
      return slots;
    });
    await eventually(() => expect(a.count('freeSlots')).toBe(1));
    await invalidate(a, from);
    release();
    await slow;
    await a.calendar.freeSlots(from, to, 'UTC');
    expect(a.count('freeSlots')).toBe(2);
  }

  it('a read that began before a booking does not put its older answer (with the booked slot) back', () =>
    readRacing((a, from) => a.cache.booked(ghl.locationId, from, from + 30 * 60_000)));

  it('a slot taken behind the cache’s back is refused by GHL, not booked twice, and the cache is dropped', async () => {
    const a = replica();
    const { from, to } = window();
    const cached = await a.calendar.freeSlots(from, to, 'UTC');
    const [other, mine] = await Promise.all([ghl.seedContact({ phone: '+34611900002' }), ghl.seedContact({ phone: '+34611900003' })]);
    // Someone books in GHL itself: nothing tells the cache.
    await a.client.createAppointment({ calendarId: ghl.calendarId, contactId: other.id, startTime: cached[0], title: 'In GHL' });
    const endTime = new Date(Date.parse(cached[0]) + 30 * 60_000).toISOString();
    expect(await a.calendar.book({ turnId: 'turn_cache_2', contactId: mine.id, startTime: cached[0], endTime, title: 'Cut' })).toEqual({ ok: false, reason: 'slot_taken' });
    expect((await ghl.appointments()).filter((x) => Date.parse(x.startTime) === Date.parse(cached[0]))).toHaveLength(1);
    expect(await a.calendar.freeSlots(from, to, 'UTC')).not.toContain(cached[0]);
    expect(a.count('freeSlots')).toBe(2);
  });

  it('a read that began before the cache was dropped does not put its older answer back', () =>
    readRacing((a) => a.cache.dropSlots(ghl.locationId))); // a slot found taken, while that read was out

  it('with a TTL of 0 nothing is cached', async () => {
    const a = replica({ slotsTtlMs: 0 });
    const { from, to } = window();
    await a.calendar.freeSlots(from, to, 'UTC');
    await a.calendar.freeSlots(from, to, 'UTC');
    expect(a.count('freeSlots')).toBe(2);
    expect(await redis.keys(`${prefix}:*ghl-cache*`)).toEqual([]);
  });
});

describe('calendar settings', () => {
  it('slot length and open hours come from one GHL read shared by replicas, read again after the TTL', async () => {
    const a = replica({ calendarTtlMs: 500 });
    const b = replica({ calendarTtlMs: 500 });
    expect(await a.calendar.slotMinutes()).toBe(30);
    expect(await b.calendar.openingHours!()).toMatchObject({ timeZone: 'UTC' });
    expect(await a.calendar.openingHours!()).toMatchObject({ timeZone: 'UTC' });
    expect(a.count('getCalendar') + b.count('getCalendar')).toBe(1);
    await eventually(async () => {
      await b.calendar.slotMinutes();
      expect(b.count('getCalendar')).toBe(1);
    }, 5_000, 100);
  });
});
