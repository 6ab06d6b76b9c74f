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

/**
 * Takes a booked interval out of every cached window and moves the generation on, so a read in flight
 * (which may still list it) is not written back. KEYS: the slots hash. ARGV: start ms, end ms, slot length ms.
 */
const TAKE_SLOT_LUA = `
local gen = tonumber(redis.call('HGET', KEYS[1], 'gen') or '0') + 1
local fields = redis.call('HGETALL', KEYS[1])
local s, e, len = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 1, #fields, 2 do
  if fields[i] ~= 'gen' then
    local ok, v = pcall(cjson.decode, fields[i + 1])
    if ok and type(v) == 'table' and type(v.ms) == 'table' and type(v.slots) == 'table' then
      local slots, ms = {}, {}
      for j, m in ipairs(v.ms) do
        if not (m < e and m + len > s) then
          slots[#slots + 1] = v.slots[j]
          ms[#ms + 1] = m
        end
      end
      v.slots, v.ms = slots, ms
      redis.call('HSET', KEYS[1], fields[i], cjson.encode(v))
    else
      redis.call('HDEL', KEYS[1], fields[i])
    end
  end
end
redis.call('HSET', KEYS[1], 'gen', gen)
return gen`;

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
  wabSlotsTake(key: string, startMs: number, endMs: number, slotMs: number): Promise<number>;
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
      redis.defineCommand('wabSlotsTake', { numberOfKeys: 1, lua: TAKE_SLOT_LUA });
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
      const parsed = stored ? parseJson<{ at: number; slots: unknown }>(stored) : null;
      // Lua's cjson writes an emptied list as {}.
      if (parsed && Date.now() - parsed.at < this.slotsTtlMs) return Array.isArray(parsed.slots) ? (parsed.slots as string[]) : [];
      const fresh = await read(from, to);
      const entry = { at: Date.now(), slots: fresh, ms: fresh.map((slot) => Date.parse(slot)) };
      await this.redis.wabSlotsPut(key, field, JSON.stringify(entry), gen ?? '', MAX_WINDOWS, GENERATION_TTL_MS).catch(() => undefined);
      return fresh;
    });
    return slots.filter((slot) => {
      const ms = Date.parse(slot);
      return ms >= fromMs && ms <= toMs;
    });
  }

  /**
   * After a slot found taken, or an appointment moved: every replica reads the location's free slots from GHL
   * again.
   */
  async dropSlots(locationId: string): Promise<void> {
    if (this.slotsTtlMs <= 0) return;
    const key = this.forgetInFlight(locationId);
    await this.redis.wabSlotsDrop(key, GENERATION_TTL_MS);
  }

  /**
   * After our own booking of [startMs, endMs): the slots it overlaps leave every cached window of the location,
   * on every replica, and the other slots stay (what GHL would now answer, but for buffers and shared slots: a
   * slot that is gone after all is refused by GHL, which drops the whole cache).
   */
  async booked(locationId: string, startMs: number, endMs: number): Promise<void> {
    if (this.slotsTtlMs <= 0) return;
    const key = this.forgetInFlight(locationId);
    await this.redis.wabSlotsTake(key, startMs, endMs, Math.max(1, endMs - startMs));
  }

  /** Reads of the location's slots in flight here may list what just changed: later turns do not join them. */
  private forgetInFlight(locationId: string): string {
    const key = this.layout.forLocation(locationId).ghlSlotsCache;
    for (const pending of this.inFlight.keys()) if (pending.startsWith(`${key}|`)) this.inFlight.delete(pending);
    return key;
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
