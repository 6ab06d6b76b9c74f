import type { Redis } from 'ioredis';
import type { SandboxKeys } from './keys';

export const APPOINTMENT_STATUSES = ['new', 'confirmed', 'cancelled', 'showed', 'noshow', 'invalid'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** Statuses that no longer hold the slot. */
const RELEASED: ReadonlySet<string> = new Set(['cancelled', 'invalid']);
export const holdsSlot = (status: string) => !RELEASED.has(status);

/** Stored exactly as the API returns it (GHL's CalendarEventDTO fields). */
export interface SandboxAppointment {
  id: string;
  calendarId: string;
  locationId: string;
  contactId: string;
  groupId: string;
  title: string;
  appointmentStatus: string;
  assignedUserId: string;
  users: string[];
  address: string;
  notes: string;
  isRecurring: boolean;
  /** ISO with the business time zone's offset. */
  startTime: string;
  endTime: string;
  dateAdded: string;
  dateUpdated: string;
}

/**
 * Writes an appointment, refusing (returning 0) when `check` is on and another active appointment of the
 * calendar overlaps it. One script, so two concurrent bookings of one slot give exactly one success.
 * KEYS: booked zset, booked-ends hash, appointment key, all-appointments list, contact zset.
 * ARGV: id, startMs, endMs, json, check (1/0), holds slot (1/0), is new (1/0).
 * Returns 1 on success, 0 on conflict, -1 when updating an appointment that does not exist.
 */
const WRITE_LUA = `
local id, startMs, endMs = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if ARGV[7] == '0' and redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
if ARGV[5] == '1' then
  -- Appointments starting before our end are candidates; they overlap when they end after our start.
  -- A sandbox holds few appointments, so the linear scan is fine.
  local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
  for _, other in ipairs(ids) do
    if other ~= id then
      local otherEnd = redis.call('HGET', KEYS[2], other)
      if otherEnd and tonumber(otherEnd) > startMs then return 0 end
    end
  end
end
redis.call('SET', KEYS[3], ARGV[4])
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[1], startMs, id)
  redis.call('HSET', KEYS[2], id, endMs)
else
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
redis.call('ZADD', KEYS[5], startMs, id)
if ARGV[7] == '1' then redis.call('RPUSH', KEYS[4], id) end
return 1
`;

export type WriteResult = 'ok' | 'conflict' | 'missing';

export class AppointmentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: SandboxKeys,
  ) {}

  async get(id: string): Promise<SandboxAppointment | null> {
    const json = await this.redis.get(this.keys.appointment(id));
    return json ? (JSON.parse(json) as SandboxAppointment) : null;
  }

  /** `checkConflicts` off is GHL's `ignoreFreeSlotValidation`. */
  async write(appointment: SandboxAppointment, options: { isNew: boolean; checkConflicts: boolean }): Promise<WriteResult> {
    const startMs = Date.parse(appointment.startTime);
    const endMs = Date.parse(appointment.endTime);
    const holds = holdsSlot(appointment.appointmentStatus);
    const reply = (await this.redis.eval(
      WRITE_LUA,
      5,
      this.keys.booked(appointment.calendarId),
      this.keys.bookedEnds(appointment.calendarId),
      this.keys.appointment(appointment.id),
      this.keys.appointmentsAll,
      this.keys.contactAppointments(appointment.contactId),
      appointment.id,
      startMs,
      endMs,
      JSON.stringify(appointment),
      options.checkConflicts && holds ? '1' : '0',
      holds ? '1' : '0',
      options.isNew ? '1' : '0',
    )) as number;
    return reply === 1 ? 'ok' : reply === 0 ? 'conflict' : 'missing';
  }

  /** Active bookings of a calendar that overlap [fromMs, toMs). */
  async busyIntervals(calendarId: string, fromMs: number, toMs: number): Promise<{ start: number; end: number }[]> {
    const flat = await this.redis.zrangebyscore(this.keys.booked(calendarId), '-inf', `(${toMs}`, 'WITHSCORES');
    const ids: string[] = [];
    const starts: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      ids.push(flat[i]);
      starts.push(Number(flat[i + 1]));
    }
    if (!ids.length) return [];
    const ends = await this.redis.hmget(this.keys.bookedEnds(calendarId), ...ids);
    return ids
      .map((_, i) => ({ start: starts[i], end: Number(ends[i] ?? starts[i]) }))
      .filter((b) => b.end > fromMs);
  }

  async forContact(contactId: string): Promise<SandboxAppointment[]> {
    return this.load(await this.redis.zrange(this.keys.contactAppointments(contactId), 0, '-1'));
  }

  /** Every appointment, in the order they were created. */
  async all(): Promise<SandboxAppointment[]> {
    return this.load(await this.redis.lrange(this.keys.appointmentsAll, 0, -1));
  }

  private async load(ids: string[]): Promise<SandboxAppointment[]> {
    if (!ids.length) return [];
    const jsons = await this.redis.mget(...ids.map((id) => this.keys.appointment(id)));
    return jsons.filter((j): j is string => j !== null).map((j) => JSON.parse(j) as SandboxAppointment);
  }
}
