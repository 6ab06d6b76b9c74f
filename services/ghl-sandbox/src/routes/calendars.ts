import { randomUUID } from 'node:crypto';
import type { Response, Router } from 'express';
import { z } from 'zod';
import type { SandboxContext } from '../context';
import { endpoint } from '../endpoint';
import { caseSensitiveRouter, GhlHttpError, parseInput } from '../http';
import { ghlId } from '../ids';
import { requireAccess, requireLocation, type SandboxLocation } from '../locations';
import { APPOINTMENT_STATUSES, holdsSlot, type SandboxAppointment } from '../store/appointments';
import { isoWithOffset, isValidTimeZone, parseClock } from '../time';

export const SLOT_UNAVAILABLE = 'The slot you have selected is no longer available.';
const MAX_RANGE_MS = 31 * 24 * 3600 * 1000;

/** ISO 8601 with an offset or Z: without one the instant would depend on the server's zone. */
const isoDateTime = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'must be an ISO 8601 date-time with an offset, e.g. 2021-06-23T03:30:00+05:30',
  });

const epochMs = z.coerce.number().int().nonnegative();

const freeSlotsQuery = z.object({
  startDate: epochMs,
  endDate: epochMs,
  timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone').optional(),
});

const createBody = z.object({
  calendarId: z.string().min(1),
  locationId: z.string().min(1),
  contactId: z.string().min(1),
  startTime: isoDateTime,
  endTime: isoDateTime.optional(),
  title: z.string().optional(),
  appointmentStatus: z.enum(APPOINTMENT_STATUSES).optional(),
  assignedUserId: z.string().optional(),
  address: z.string().optional(),
  ignoreFreeSlotValidation: z.boolean().optional(),
  toNotify: z.boolean().optional(),
});

const updateBody = createBody
  .omit({ locationId: true, contactId: true })
  .partial();

export function calendarRoutes(ctx: SandboxContext): Router {
  const router = caseSensitiveRouter();
  const slotMs = (l: SandboxLocation) => l.grid.durationMinutes * 60_000;

  /** A calendar of a location the caller may touch: unknown is `status`, another location's 403. */
  const requireCalendar = (res: Response, calendarId: string, status: 400 | 404): SandboxLocation => {
    const location = ctx.locations.ofCalendar(calendarId);
    if (!location) throw new GhlHttpError(status, 'Calendar not found');
    requireAccess(res, location.id);
    return location;
  };

  /** The location of an appointment's calendar (every stored appointment has one). */
  const locationOf = (a: SandboxAppointment): SandboxLocation => ctx.locations.ofCalendar(a.calendarId) ?? ctx.locations.primary;

  /** Free now: on the grid, not in the past, and (unless told otherwise) not overlapping a booking. */
  const assertBookable = (location: SandboxLocation, startMs: number, endMs: number) => {
    if (startMs < Date.now() || !location.grid.fits(startMs, endMs)) throw new GhlHttpError(400, SLOT_UNAVAILABLE);
  };

  router.get(
    '/calendars/events/appointments/:eventId',
    endpoint(ctx, 'getAppointment', async (req, res) => {
      const event = await ctx.appointments.get(String(req.params.eventId));
      if (!event) throw new GhlHttpError(404, 'Appointment not found');
      requireAccess(res, event.locationId);
      res.json({ event: calendarEventBody(event, locationOf(event).grid.hours.timeZone) });
    }),
  );

  router.post(
    '/calendars/events/appointments',
    endpoint(ctx, 'createAppointment', async (req, res) => {
      const body = parseInput(createBody, req.body, 400);
      requireLocation(res, ctx.locations, body.locationId);
      const location = requireCalendar(res, body.calendarId, 400);
      if (location.id !== body.locationId) throw new GhlHttpError(400, 'Calendar not found');
      const contactLocation = await ctx.contacts.locationOf(body.contactId);
      if (contactLocation === null) throw new GhlHttpError(400, 'Contact not found');
      requireAccess(res, contactLocation);
      if (contactLocation !== body.locationId) throw new GhlHttpError(400, 'Contact not found');
      const tz = location.grid.hours.timeZone;
      const startMs = Date.parse(body.startTime);
      const endMs = body.endTime ? Date.parse(body.endTime) : startMs + slotMs(location);
      if (endMs <= startMs) throw new GhlHttpError(400, 'endTime must be after startTime');
      const status = body.appointmentStatus ?? 'confirmed';
      const check = !body.ignoreFreeSlotValidation && holdsSlot(status);
      if (check) assertBookable(location, startMs, endMs);
      const now = new Date().toISOString();
      const appointment: SandboxAppointment = {
        id: ghlId(),
        calendarId: body.calendarId,
        locationId: body.locationId,
        contactId: body.contactId,
        groupId: '',
        title: body.title ?? 'Appointment',
        appointmentStatus: status,
        assignedUserId: body.assignedUserId ?? '',
        users: body.assignedUserId ? [body.assignedUserId] : [],
        address: body.address ?? '',
        notes: '',
        isRecurring: false,
        startTime: isoWithOffset(startMs, tz),
        endTime: isoWithOffset(endMs, tz),
        dateAdded: now,
        dateUpdated: now,
      };
      const result = await ctx.appointments.write(appointment, { isNew: true, checkConflicts: check });
      if (result === 'conflict') throw new GhlHttpError(400, SLOT_UNAVAILABLE);
      res.json(appointmentAnswer(appointment)); // 200: the OpenAPI file's only success for create-appointment
    }),
  );

  router.put(
    '/calendars/events/appointments/:eventId',
    endpoint(ctx, 'updateAppointment', async (req, res) => {
      const body = parseInput(updateBody, req.body, 400);
      const existing = await ctx.appointments.get(String(req.params.eventId));
      if (!existing) throw new GhlHttpError(404, 'Appointment not found');
      requireAccess(res, existing.locationId);
      const location = body.calendarId !== undefined ? requireCalendar(res, body.calendarId, 400) : locationOf(existing);
      if (location.id !== existing.locationId) throw new GhlHttpError(400, 'Calendar not found');
      const tz = location.grid.hours.timeZone;
      const oldStart = Date.parse(existing.startTime);
      const oldEnd = Date.parse(existing.endTime);
      const startMs = body.startTime ? Date.parse(body.startTime) : oldStart;
      // Moving the start keeps the length unless a new end is given.
      const endMs = body.endTime ? Date.parse(body.endTime) : body.startTime ? startMs + (oldEnd - oldStart) : oldEnd;
      if (endMs <= startMs) throw new GhlHttpError(400, 'endTime must be after startTime');
      const status = body.appointmentStatus ?? existing.appointmentStatus;
      const takesNewSlot = holdsSlot(status) && (startMs !== oldStart || endMs !== oldEnd || !holdsSlot(existing.appointmentStatus));
      const check = takesNewSlot && !body.ignoreFreeSlotValidation;
      if (check) assertBookable(location, startMs, endMs);
      const updated: SandboxAppointment = {
        ...existing,
        title: body.title ?? existing.title,
        appointmentStatus: status,
        assignedUserId: body.assignedUserId ?? existing.assignedUserId,
        address: body.address ?? existing.address,
        startTime: isoWithOffset(startMs, tz),
        endTime: isoWithOffset(endMs, tz),
        dateUpdated: new Date().toISOString(),
      };
      const result = await ctx.appointments.write(updated, { isNew: false, checkConflicts: check });
      if (result === 'missing') throw new GhlHttpError(404, 'Appointment not found');
      if (result === 'conflict') throw new GhlHttpError(400, SLOT_UNAVAILABLE);
      res.json(appointmentAnswer(updated));
    }),
  );

  router.get(
    '/calendars/:calendarId/free-slots',
    endpoint(ctx, 'freeSlots', async (req, res) => {
      const query = parseInput(freeSlotsQuery, req.query, 400);
      const location = requireCalendar(res, String(req.params.calendarId), 404);
      const tz = location.grid.hours.timeZone;
      const slot = slotMs(location);
      if (query.endDate < query.startDate) throw new GhlHttpError(400, 'endDate must be after startDate');
      if (query.endDate - query.startDate > MAX_RANGE_MS) throw new GhlHttpError(400, 'Date range cannot be more than 31 days');
      const outTz = query.timezone ?? tz;
      const now = Date.now();
      const busy = await ctx.appointments.busyIntervals(location.calendarId, query.startDate, query.endDate + slot);
      const days: Record<string, { slots: string[] }> = {};
      for (const start of location.grid.startsBetween(query.startDate, query.endDate)) {
        if (start < now || busy.some((b) => b.start < start + slot && b.end > start)) continue;
        const iso = isoWithOffset(start, outTz);
        (days[iso.slice(0, 10)] ??= { slots: [] }).slots.push(iso);
      }
      res.json({ ...days, traceId: randomUUID() });
    }),
  );

  router.get(
    '/calendars/:calendarId',
    endpoint(ctx, 'getCalendar', async (req, res) => {
      res.json({ calendar: calendarBody(requireCalendar(res, String(req.params.calendarId), 404)) });
    }),
  );

  return router;
}

/**
 * AppointmentSchemaResponse, what create and update answer: no dateAdded/dateUpdated, users or notes
 * (GHL's docs issue #246 reports the create and update answers lack the dates).
 */
function appointmentAnswer(a: SandboxAppointment) {
  return {
    id: a.id,
    calendarId: a.calendarId,
    locationId: a.locationId,
    contactId: a.contactId,
    title: a.title,
    startTime: a.startTime,
    endTime: a.endTime,
    appointmentStatus: a.appointmentStatus,
    assignedUserId: a.assignedUserId,
    address: a.address,
    isRecurring: a.isRecurring,
  };
}

/** CalendarEventDTO (GET /calendars/events/appointments/{id}): its dates too carry the calendar zone's offset. */
function calendarEventBody(a: SandboxAppointment, timeZone: string) {
  return {
    ...a,
    assignedResources: [],
    dateAdded: isoWithOffset(Date.parse(a.dateAdded), timeZone),
    dateUpdated: isoWithOffset(Date.parse(a.dateUpdated), timeZone),
  };
}

/** GHL's CalendarDTO, with the sandbox's business hours as `openHours` (GHL numbers days 0 = Sunday). */
function calendarBody(location: SandboxLocation) {
  const { hours, durationMinutes, intervalMinutes } = location.grid;
  const open = parseClock(hours.open);
  const close = parseClock(hours.close);
  return {
    id: location.calendarId,
    locationId: location.id,
    name: `${location.name} calendar`,
    description: 'A local stand-in for a GHL calendar',
    calendarType: 'event',
    eventType: 'RoundRobin_OptimizeForAvailability',
    isActive: true,
    teamMembers: [],
    slotDuration: durationMinutes,
    slotDurationUnit: 'mins',
    slotInterval: intervalMinutes,
    slotIntervalUnit: 'mins',
    slotBuffer: 0,
    slotBufferUnit: 'mins',
    preBuffer: 0,
    preBufferUnit: 'mins',
    appoinmentPerSlot: 1,
    appoinmentPerDay: 0,
    autoConfirm: true,
    allowReschedule: true,
    allowCancellation: true,
    openHours: [
      {
        daysOfTheWeek: hours.days.map((d) => d % 7),
        hours: [{ openHour: Math.floor(open / 60), openMinute: open % 60, closeHour: Math.floor(close / 60), closeMinute: close % 60 }],
      },
    ],
  };
}

