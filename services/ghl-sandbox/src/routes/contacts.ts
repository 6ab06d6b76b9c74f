import { randomUUID } from 'node:crypto';
import type { Response, Router } from 'express';
import { z } from 'zod';
import type { SandboxContext } from '../context';
import { endpoint } from '../endpoint';
import { caseSensitiveRouter, GhlHttpError, parseInput } from '../http';
import { requireAccess, requireLocation } from '../locations';
import type { SandboxAppointment } from '../store/appointments';
import { zonelessLocal } from '../time';

const optionalText = z.string().nullable().optional();

/**
 * UpsertContactDto. Strict, as GHL is: a property the DTO does not list is refused with 422 "property X
 * should not exist" (GHL's docs issue #262). Listed properties the sandbox does not keep are accepted and ignored.
 */
const upsertBody = z
  .object({
    locationId: z.string().min(1),
    name: optionalText,
    firstName: optionalText,
    lastName: optionalText,
    phone: optionalText,
    email: optionalText,
    timezone: optionalText,
    dnd: z.boolean().optional(),
    tags: z.array(z.string()).optional(),
    gender: optionalText,
    address1: optionalText,
    city: optionalText,
    state: optionalText,
    postalCode: optionalText,
    website: optionalText,
    source: optionalText,
    country: optionalText,
    companyName: optionalText,
    assignedTo: optionalText,
    dndSettings: z.record(z.string(), z.unknown()).optional(),
    inboundDndSettings: z.record(z.string(), z.unknown()).optional(),
    customFields: z.array(z.unknown()).optional(),
    dateOfBirth: z.unknown().optional(),
    createNewIfDuplicateAllowed: z.boolean().optional(),
  })
  .strict();

/** UpdateContactDto, strict like the upsert. */
const updateBody = upsertBody
  .omit({ locationId: true, createNewIfDuplicateAllowed: true, gender: true, source: true, companyName: true, assignedTo: true })
  .extend({ customFields: z.array(z.object({ id: z.string().min(1), key: z.string().optional(), field_value: z.unknown() }).strict()).optional() })
  .strict();

const tagsBody = z.object({ tags: z.array(z.string()).min(1) }).strict();

const duplicateQuery = z.object({
  locationId: z.string().min(1),
  number: z.string().optional(),
  email: z.string().optional(),
});

/** The contacts service documents 422 for invalid input. */
const INVALID = 422;

/** CreateWorkflowDto: the body is required, its one field optional. */
const workflowBody = z.object({ eventStartTime: z.string().optional() });

/**
 * GHL's contact routes document no 404 (200, 400, 401, 422): an id it does not know (deleted, or merged into a
 * duplicate) is a 400 with this message.
 */
const UNKNOWN_CONTACT = 'Contact not found';

export function contactRoutes(ctx: SandboxContext): Router {
  const router = caseSensitiveRouter();

  /** A contact of a location the caller may touch (another location's is 403); returns its location. */
  const requireContact = async (res: Response, contactId: string): Promise<string> => {
    const locationId = await ctx.contacts.locationOf(contactId);
    if (locationId === null) throw new GhlHttpError(400, UNKNOWN_CONTACT);
    requireAccess(res, locationId);
    return locationId;
  };
  const timeZoneOf = (locationId: string) => (ctx.locations.get(locationId) ?? ctx.locations.primary).grid.hours.timeZone;

  router.get(
    '/contacts/search/duplicate',
    endpoint(ctx, 'searchDuplicate', async (req, res) => {
      const query = parseInput(duplicateQuery, req.query, INVALID);
      requireLocation(res, ctx.locations, query.locationId);
      const byPhone = query.number ? await ctx.contacts.findByPhone(query.locationId, query.number) : null;
      const contact = byPhone ?? (query.email ? await ctx.contacts.findByEmail(query.locationId, query.email) : null);
      res.json({ contact });
    }),
  );

  router.post(
    '/contacts/upsert',
    endpoint(ctx, 'upsertContact', async (req, res) => {
      const body = parseInput(upsertBody, req.body, INVALID);
      requireLocation(res, ctx.locations, body.locationId);
      const { contact, isNew } = await ctx.contacts.upsert(body.locationId, body);
      res.json({ new: isNew, contact, traceId: randomUUID() });
    }),
  );

  router.get(
    '/contacts/:contactId/appointments',
    endpoint(ctx, 'contactAppointments', async (req, res) => {
      const contactId = String(req.params.contactId);
      const locationId = await requireContact(res, contactId);
      const events = (await ctx.appointments.forContact(contactId)).map((a) => eventBody(a, timeZoneOf(locationId)));
      res.json({ events });
    }),
  );

  router.post(
    '/contacts/:contactId/tags',
    endpoint(ctx, 'addTags', async (req, res) => {
      const body = parseInput(tagsBody, req.body, INVALID);
      const contactId = String(req.params.contactId);
      await requireContact(res, contactId);
      res.status(201).json({ tags: await ctx.contacts.addTags(contactId, body.tags) });
    }),
  );

  router.delete(
    '/contacts/:contactId/tags',
    endpoint(ctx, 'removeTags', async (req, res) => {
      const body = parseInput(tagsBody, req.body, INVALID);
      const contactId = String(req.params.contactId);
      await requireContact(res, contactId);
      res.json({ tags: await ctx.contacts.removeTags(contactId, body.tags) });
    }),
  );

  // No workflows run in the sandbox: an enrolment is recorded (GET /_sandbox/workflow-enrolments) and answered as documented.
  router.post(
    '/contacts/:contactId/workflow/:workflowId',
    endpoint(ctx, 'addContactToWorkflow', async (req, res) => {
      const body = parseInput(workflowBody, req.body, INVALID);
      const contactId = String(req.params.contactId);
      const locationId = await requireContact(res, contactId);
      const enrolment = { contactId, locationId, workflowId: String(req.params.workflowId), eventStartTime: body.eventStartTime ?? null, at: new Date().toISOString() };
      await ctx.redis.rpush(ctx.keys.workflowEnrolments, JSON.stringify(enrolment));
      res.json({ succeded: true }); // sic: ContactsWorkflowSuccessfulResponseDto
    }),
  );

  router.put(
    '/contacts/:contactId',
    endpoint(ctx, 'updateContact', async (req, res) => {
      const body = parseInput(updateBody, req.body, INVALID);
      await requireContact(res, String(req.params.contactId));
      const contact = await ctx.contacts.update(String(req.params.contactId), body);
      if (!contact) throw new GhlHttpError(400, UNKNOWN_CONTACT);
      res.json({ succeded: true, contact }); // sic: GHL's documented spelling
    }),
  );

  router.get(
    '/contacts/:contactId',
    endpoint(ctx, 'getContact', async (req, res) => {
      const contact = await ctx.contacts.get(String(req.params.contactId));
      if (!contact) throw new GhlHttpError(400, UNKNOWN_CONTACT);
      requireAccess(res, contact.locationId);
      res.json({ contact });
    }),
  );

  return router;
}

/**
 * The contacts service's GetEventSchema view of an appointment, as its documented example writes it:
 * times and dates on the calendar zone's wall clock with no offset (`2021-07-16 11:00:00`), and a coarse
 * `status` (`booked`, or `cancelled`) beside `appointmentStatus`.
 */
function eventBody(a: SandboxAppointment, timeZone: string) {
  const local = (iso: string) => zonelessLocal(Date.parse(iso), timeZone);
  return {
    id: a.id,
    calendarId: a.calendarId,
    locationId: a.locationId,
    contactId: a.contactId,
    groupId: a.groupId,
    title: a.title,
    status: a.appointmentStatus === 'cancelled' ? 'cancelled' : 'booked',
    appointmentStatus: a.appointmentStatus,
    assignedUserId: a.assignedUserId,
    users: a.users,
    notes: a.notes,
    address: a.address,
    startTime: local(a.startTime),
    endTime: local(a.endTime),
    dateAdded: local(a.dateAdded),
    dateUpdated: local(a.dateUpdated),
    assignedResources: [],
  };
}
