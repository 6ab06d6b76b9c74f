import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { GhlClient, GhlRateBudget, GhlRateBudgetError, undiciTransport } from '../../../services/worker/src/ghl';
import { startGhlDouble, type GhlDouble } from '../../support/ghl-double';
import { deletePrefix, eventually, redisUrl, testPrefix } from '../../support/redis';

const prefix = testPrefix('ghl-budget');
const connections: Redis[] = [];
const connect = () => {
  const r = new Redis(redisUrl());
  connections.push(r);
  return r;
};
const location = () => `loc-${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  await deletePrefix(connections[0] ?? connect(), prefix);
  await Promise.all(connections.map((r) => r.quit()));
});

describe('GhlRateBudget shared by replicas', () => {
  let ghl: GhlDouble;
  beforeAll(async () => {
    ghl = await startGhlDouble();
  });
  afterAll(async () => {
    await ghl.close();
  });

  it('keeps 3 clients with their own connections to 5 requests in any 2000 ms window', async () => {
    const sentAt: number[] = [];
    const clients = [1, 2, 3].map(
      () =>
        new GhlClient({
          baseUrl: ghl.url,
          token: ghl.token,
          locationId: ghl.locationId,
          timeZone: 'UTC',
          budget: new GhlRateBudget(connect(), prefix, { limit: 5, windowMs: 2000 }),
          transport: (exchange) => {
            sentAt.push(Date.now());
            return undiciTransport(exchange);
          },
        }),
    );
    const results = await Promise.all(clients.flatMap((c) => [1, 2, 3, 4, 5].map(() => c.getCalendar(ghl.calendarId))));
    expect(results).toHaveLength(15);
    expect(sentAt).toHaveLength(15);
    // Places are taken by Redis's clock and sent a moment later (longer on a loaded machine, where the event
    // loop can stall), so windows are checked with a fifth of the window as slack.
    const sorted = [...sentAt].sort((a, b) => a - b);
    const busiest = Math.max(...sorted.map((t) => sorted.filter((u) => u >= t && u < t + 1600).length));
    expect(busiest).toBeLessThanOrEqual(5);
    // And the budget did hold requests back: 15 at once would all have gone in the first window.
    expect(sorted.filter((t) => t < sorted[0] + 1600).length).toBeLessThanOrEqual(5);
  });
});

describe('GhlRateBudget', () => {
  it('keeps its keys under the prefix, per location', async () => {
    const redis = connect();
    const loc = location();
    const budget = new GhlRateBudget(redis, prefix, { limit: 2, windowMs: 60_000 });
    await budget.acquire(loc);
    const keys = await redis.keys(`*${loc}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith(`${prefix}:`)).toBe(true);
  });

  it('gives up with GhlRateBudgetError when no place frees up within maxWaitMs', async () => {
    const loc = location();
    const budget = new GhlRateBudget(connect(), prefix, { limit: 2, windowMs: 60_000, maxWaitMs: 200 });
    await budget.acquire(loc);
    await budget.acquire(loc);
    await expect(budget.acquire(loc)).rejects.toBeInstanceOf(GhlRateBudgetError);
    // Other locations have budgets of their own.
    await expect(budget.acquire(location())).resolves.toBeUndefined();
  });

  it('lets a place go again once the window has moved on', async () => {
    const loc = location();
    const budget = new GhlRateBudget(connect(), prefix, { limit: 1, windowMs: 300, maxWaitMs: 5_000 });
    await budget.acquire(loc);
    await expect(budget.acquire(loc)).resolves.toBeUndefined(); // waited for the first to leave the window
  });

  it('reports how long each acquire() waited, and when it gave up', async () => {
    const loc = location();
    const reports: { waitedMs: number; acquired: boolean }[] = [];
    const budget = new GhlRateBudget(connect(), prefix, { limit: 1, windowMs: 300, maxWaitMs: 5_000, onAcquire: (r) => reports.push(r) });
    await budget.acquire(loc); // a free place: no wait
    await budget.acquire(loc); // waits for the first to leave the window
    expect(reports).toHaveLength(2);
    expect(reports.map((r) => r.acquired)).toEqual([true, true]);
    expect(reports[0].waitedMs).toBeLessThan(100);
    expect(reports[1].waitedMs).toBeGreaterThanOrEqual(150);

    const impatient = new GhlRateBudget(connect(), prefix, { limit: 1, windowMs: 60_000, maxWaitMs: 100, onAcquire: (r) => reports.push(r) });
    const full = location();
    await impatient.acquire(full);
    await expect(impatient.acquire(full)).rejects.toBeInstanceOf(GhlRateBudgetError);
    expect(reports.slice(2).map((r) => r.acquired)).toEqual([true, false]);
  });

  it('a failing report hook never fails acquire()', async () => {
    const budget = new GhlRateBudget(connect(), prefix, {
      onAcquire: () => {
        throw new Error('metrics broke');
      },
    });
    await expect(budget.acquire(location())).resolves.toBeUndefined();
  });

  it('blocks the location when GHL reports Remaining 0, for GHL’s interval', async () => {
    const redis = connect();
    const loc = location();
    const budget = new GhlRateBudget(redis, prefix, { limit: 100, windowMs: 10_000, maxWaitMs: 50 });
    await budget.observe(loc, { 'X-RateLimit-Remaining': '7', 'X-RateLimit-Interval-Milliseconds': '400' }, 200);
    await expect(budget.acquire(loc)).resolves.toBeUndefined();
    await budget.observe(loc, new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-interval-milliseconds': '400' }), 200);
    expect(await redis.pttl(budget.keys(loc).blockedUntil)).toBeGreaterThan(0);
    await expect(budget.acquire(loc)).rejects.toBeInstanceOf(GhlRateBudgetError);
    await eventually(() => budget.acquire(loc), 5_000);
  });

  it('pushes the window out on a 429: by Retry-After when given, else a whole window', async () => {
    const redis = connect();
    const budget = new GhlRateBudget(redis, prefix, { limit: 100, windowMs: 5_000 });
    const withRetryAfter = location();
    await budget.observe(withRetryAfter, { 'Retry-After': '2' }, 429);
    const a = await redis.pttl(budget.keys(withRetryAfter).blockedUntil);
    expect(a).toBeGreaterThan(1_000);
    expect(a).toBeLessThanOrEqual(2_000);
    const without = location();
    await budget.observe(without, {}, 429);
    expect(await redis.pttl(budget.keys(without).blockedUntil)).toBeGreaterThan(2_000);
    // A shorter block never shortens a longer one.
    await budget.block(without, 10);
    expect(await redis.pttl(budget.keys(without).blockedUntil)).toBeGreaterThan(2_000);
  });
});
