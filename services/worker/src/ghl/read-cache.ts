import { keysFor, type ProductKeys, type RedisConnection } from '@wab/shared';
import type { GhlCalendar } from './types';

export interface GhlReadCacheOptions {
  /** How long free slots are reused (0 = never cached). A booking drops them sooner. */
  slotsTtlMs?: number;
  /** How long a calendar's settings and open hours are reused (0 = never cached). */
  calendarTtlMs?: number;
}

/** Free-slot windows are widened to this grid, so turns a few seconds apart ask for the same window. */
const WINDOW_GRID_MS = 5 * 60_000;
/** A busy location's hash of windows is emptied past this many (stale windows are skipped anyway). */
const MAX_WINDOWS = 64;
/** The generation outlives any read in flight (GHL's timeout × attempts), so a stale write is always seen. */
const GENERATION_TTL_MS = 3600_000;

/**
 * Writes one window's slots only if no booking dropped the cache since the read began (same generation).
 * KEYS: the slots hash. ARGV: field, value, generation seen ('' = none), max windows, ttl ms.
 */
const PUT_SLOTS_LUA = `
local gen = redis.call('HGET', KEYS[1], 'gen') or ''
if gen ~= ARGV[3] then return 0 end
if redis.call('HLEN', KEYS[1]) > tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1])
  if gen ~= '' then redis.call('HSET', KEYS[1], 'gen', gen) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/** Drops every window and moves the generation on. KEYS: the slots hash. ARGV: ttl ms. */
const DROP_SLOTS_LUA = `
local gen = tonumber(redis.call('HGET', KEYS[1], 'gen') or '0') + 1
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'gen', gen)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return gen`;

type CacheRedis = RedisConnection & {
  wabSlotsPut(key: string, field: string, value: string, gen: string, max: number, ttlMs: number): Promise<number>;
  wabSlotsDrop(key: string, ttlMs: number): Promise<number>;
};

/**
 * What GHL answers that does not change from turn to turn, shared by every replica through Redis: a calendar's
 * settings for minutes, a location's free slots for seconds. A stale slot costs at most a refused booking and a
 * retry (GHL refuses a taken slot), never a double booking. Reads of one key in this process share one GHL call.
 * Every key is one location's (hash-tagged on a cluster); each command touches one key.
 */
export class GhlReadCache {
  private readonly layout: ProductKeys;
  private readonly redis: CacheRedis;
  private readonly slotsTtlMs: number;
  private readonly calendarTtlMs: number;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** This process's copy of each calendar, valid until the shared entry's own expiry. */
  private readonly calendars = new Map<string, { calendar: GhlCalendar; until: number }>();

  constructor(redis: RedisConnection, prefix: string, options: GhlReadCacheOptions = {}) {
    this.layout = keysFor(prefix, redis);
    this.slotsTtlMs = options.slotsTtlMs ?? 10_000;
    this.calendarTtlMs = options.calendarTtlMs ?? 300_000;
    if (!('wabSlotsPut' in redis)) {
      redis.defineCommand('wabSlotsPut', { numberOfKeys: 1, lua: PUT_SLOTS_LUA });
      redis.defineCommand('wabSlotsDrop', { numberOfKeys: 1, lua: DROP_SLOTS_LUA });
    }
    this.redis = redis as CacheRedis;
  }

  /** The calendar's settings: this process's copy, else the shared one, else `read` (GHL), kept for the TTL. */
  async calendar(locationId: string, calendarId: string, read: () => Promise<GhlCalendar>): Promise<GhlCalendar> {
    if (this.calendarTtlMs <= 0) return read();
    const key = this.layout.forLocation(locationId).ghlCalendarsCache;
    const mine = this.calendars.get(`${key}|${calendarId}`);
    if (mine && Date.now() < mine.until) return mine.calendar;
    return this.once(`${key}|${calendarId}`, async () => {
      const stored = await this.redis.hget(key, calendarId).catch(() => null);
      const parsed = stored ? parseJson<{ at: number; calendar: GhlCalendar }>(stored) : null;
      if (parsed && Date.now() - parsed.at < this.calendarTtlMs) {
        this.calendars.set(`${key}|${calendarId}`, { calendar: parsed.calendar, until: parsed.at + this.calendarTtlMs });
        return parsed.calendar;
      }
      const calendar = await read();
      const at = Date.now();
      this.calendars.set(`${key}|${calendarId}`, { calendar, until: at + this.calendarTtlMs });
      await this.redis
        .multi()
        .hset(key, calendarId, JSON.stringify({ at, calendar }))
        .pexpire(key, this.calendarTtlMs)
        .exec()
        .catch(() => undefined);
      return calendar;
    });
  }

  /**
   * Free slot starts in [fromMs, toMs]. The window asked of GHL is widened to a 5-minute grid, so close turns
   * share it; what lies outside [fromMs, toMs] is left out here. A Redis failure only means asking GHL.
   */
  async freeSlots(
    locationId: string,
    calendarId: string,
    fromMs: number,
    toMs: number,
    timeZone: string,
    read: (fromMs: number, toMs: number) => Promise<string[]>,
  ): Promise<string[]> {
    if (this.slotsTtlMs <= 0) return read(fromMs, toMs);
    const from = Math.floor(fromMs / WINDOW_GRID_MS) * WINDOW_GRID_MS;
    const to = Math.ceil(toMs / WINDOW_GRID_MS) * WINDOW_GRID_MS;
    const key = this.layout.forLocation(locationId).ghlSlotsCache;
    const field = `${calendarId}|${timeZone}|${from}|${to}`;
    const slots = await this.once(`${key}|${field}`, async () => {
      const [stored, gen] = await this.redis.hmget(key, field, 'gen').catch(() => [null, null]);
      const parsed = stored ? parseJson<{ at: number; slots: string[] }>(stored) : null;
      if (parsed && Date.now() - parsed.at < this.slotsTtlMs) return parsed.slots;
      const fresh = await read(from, to);
      await this.redis.wabSlotsPut(key, field, JSON.stringify({ at: Date.now(), slots: fresh }), gen ?? '', MAX_WINDOWS, GENERATION_TTL_MS).catch(() => undefined);
      return fresh;
    });
    return slots.filter((slot) => {
      const ms = Date.parse(slot);
      return ms >= fromMs && ms <= toMs;
    });
  }

  /** After a booking (or a slot found taken): every replica reads the location's free slots from GHL again. */
  async dropSlots(locationId: string): Promise<void> {
    if (this.slotsTtlMs <= 0) return;
    const key = this.layout.forLocation(locationId).ghlSlotsCache;
    for (const pending of this.inFlight.keys()) if (pending.startsWith(`${key}|`)) this.inFlight.delete(pending);
    await this.redis.wabSlotsDrop(key, GENERATION_TTL_MS);
  }

  /** One read per key in flight in this process; a failed read is not kept. */
  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const started = read().finally(() => {
      if (this.inFlight.get(key) === started) this.inFlight.delete(key);
    });
    this.inFlight.set(key, started);
    return started;
  }
}

function parseJson<T>(raw: string): T | null {
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}
