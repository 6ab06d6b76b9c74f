import { z } from 'zod';
import { optionalText, requiredText } from '@wab/shared';

/**
 * What the client returns, and the shapes of GHL's answers it reads. Answers are checked only for the
 * fields used; everything else GHL sends is ignored, so additions on GHL's side break nothing.
 */

export interface GhlCalendar {
  id: string;
  name: string;
  slotDurationMinutes: number;
  slotIntervalMinutes: number;
  slotBufferMinutes: number;
  /** Open intervals per weekday (0 = Sunday), minutes from local midnight; null when GHL listed none. */
  openHours: Partial<Record<number, Array<[number, number]>>> | null;
}

export interface CreateAppointmentInput {
  calendarId: string;
  contactId: string;
  /** ISO 8601 with an offset, e.g. a slot string from freeSlots(). */
  startTime: string;
  /** Default (at GHL): start + the calendar's slot duration. */
  endTime?: string;
  title: string;
  appointmentStatus?: 'new' | 'confirmed';
  /** Skips GHL's check that the slot is free. */
  ignoreFreeSlotValidation?: boolean;
}

export interface GhlCreatedAppointment {
  id: string;
  startTime: string;
  endTime?: string;
  appointmentStatus?: string;
}

export interface GhlAppointment {
  id: string;
  calendarId?: string;
  contactId?: string;
  title?: string;
  /** ISO 8601 with an offset, whatever GHL sent (zone-less times are placed in the location's zone); null when unreadable. */
  startTime: string | null;
  endTime?: string;
  /** Epoch ms of startTime, null when GHL sent none or an unreadable one. */
  startMs: number | null;
  appointmentStatus?: string;
  /** False for cancelled (and invalid) appointments: they no longer hold the slot. */
  active: boolean;
}

export interface GhlContact {
  id: string;
  locationId?: string;
  /** `name`, else `firstName` + `lastName`, else undefined. */
  name?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  email?: string;
  /** As GHL wrote it (blank is undefined): check it with Intl before use. */
  timezone?: string;
  dnd: boolean;
  /** Per channel, e.g. `dndSettings.WhatsApp.status === 'active'` after a STOP. */
  dndSettings?: Record<string, { status?: string; message?: string; code?: string }>;
  tags: string[];
}

/** What the bot learned and writes back to the GHL contact (`PUT /contacts/{id}`). */
export interface UpdateContactInput {
  name?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  /** GHL's documented write shape: `[{ id, field_value }]`. */
  customFields?: Array<{ id: string; field_value: string }>;
}

export interface UpsertContactInput {
  phone: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  timezone?: string;
}

export interface GhlMessage {
  id: string;
  conversationId: string;
  contactId?: string;
  body: string;
  direction?: string;
  messageType?: string;
  status?: string;
  dateAdded?: string;
}

/** GHL's strings: `""`, null and a missing key all read as undefined (the shared blank rule). */
const text = optionalText;

export const calendarAnswer = z.object({
  calendar: z.object({
    id: requiredText,
    name: text,
    slotDuration: z.number().positive(),
    // Units are `mins` or `hours` in the docs; anything else (blank included) is read as minutes.
    slotDurationUnit: text,
    slotInterval: z.number().nonnegative().nullish(),
    slotIntervalUnit: text,
    slotBuffer: z.number().nonnegative().nullish(),
    slotBufferUnit: text,
    // Read leniently: a calendar whose open hours we cannot read still books; it only loses the "we're closed then" answer.
    openHours: z
      .array(
        z.object({
          daysOfTheWeek: z.array(z.number().int().min(0).max(6)),
          hours: z.array(
            z.object({
              openHour: z.number().int().min(0).max(24),
              openMinute: z.number().int().min(0).max(59).nullish(),
              closeHour: z.number().int().min(0).max(24),
              closeMinute: z.number().int().min(0).max(59).nullish(),
            }),
          ),
        }),
      )
      .nullish()
      .catch(null),
  }),
});

/** `{"2024-10-28": {"slots": [...]}, ..., "traceId": "..."}`: only date keys are days. */
export const freeSlotsAnswer = z.record(z.string(), z.unknown());
export const daySlots = z.object({ slots: z.array(z.string()) });

export const createdAppointmentAnswer = z.object({
  id: requiredText,
  startTime: text,
  endTime: text,
  appointmentStatus: text,
});

export const contactAppointmentsAnswer = z.object({
  events: z.array(
    z.object({
      id: requiredText,
      calendarId: text,
      contactId: text,
      title: text,
      startTime: text,
      endTime: text,
      appointmentStatus: text,
      status: text,
    }),
  ),
});

export const contactShape = z.object({
  id: requiredText,
  locationId: text,
  name: text,
  firstName: text,
  lastName: text,
  phone: text,
  email: text,
  timezone: text,
  dnd: z.boolean().nullish(),
  dndSettings: z.record(z.string(), z.object({ status: text, message: text, code: text })).nullish(),
  tags: z.array(z.string()).nullish(),
});

export const contactAnswer = z.object({ contact: contactShape });
export const duplicateAnswer = z.object({ contact: contactShape.nullish() });
export const upsertAnswer = z.object({ new: z.boolean().nullish(), contact: contactShape });
/** GHL spells it `succeded`; only the 2xx matters. */
export const updateContactAnswer = z.object({ contact: contactShape.nullish() }).optional();
/** Tag changes are done once GHL says 2xx; an empty body is no reason to fail. */
export const tagsAnswer = z.object({ tags: z.array(z.string()).nullish() }).optional();

export const sendMessageAnswer = z.object({ conversationId: requiredText, messageId: requiredText });

export const conversationSearchAnswer = z.object({
  conversations: z.array(z.object({ id: requiredText, contactId: text })),
});

const messageShape = z.object({
  id: requiredText,
  conversationId: text,
  contactId: text,
  body: text,
  direction: text,
  messageType: text,
  status: text,
  dateAdded: text,
});
const messagesPage = z.object({
  lastMessageId: text,
  nextPage: z.boolean().nullish(),
  messages: z.array(messageShape),
});
/** The OpenAPI file gives the page flat; integrators report it nested under `messages`. Accept both. */
export const conversationMessagesAnswer = z.union([messagesPage, z.object({ messages: messagesPage }).transform((a) => a.messages)]);

/** POST /contacts/{id}/workflow/{workflowId}: documented as `{succeeded: true}`; nothing in it is needed. */
export const workflowEnrolmentAnswer = z.unknown();
