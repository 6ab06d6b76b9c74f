import { z } from 'zod';

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
  startTime: string;
  endTime?: string;
  /** Epoch ms of startTime; null when GHL gave no zone and the caller gave none either. */
  startMs: number | null;
  appointmentStatus?: string;
  /** False for cancelled (and invalid) appointments: they no longer hold the slot. */
  active: boolean;
}

export interface GhlContact {
  id: string;
  locationId?: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  email?: string;
  timezone?: string;
  dnd: boolean;
  /** Per channel, e.g. `dndSettings.WhatsApp.status === 'active'` after a STOP. */
  dndSettings?: Record<string, { status?: string; message?: string; code?: string }>;
  tags: string[];
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

const text = z.string().nullish().transform((v) => v ?? undefined);

export const calendarAnswer = z.object({
  calendar: z.object({
    id: z.string(),
    name: z.string().nullish(),
    slotDuration: z.number().positive(),
    slotDurationUnit: z.enum(['mins', 'hours']).nullish(),
    slotInterval: z.number().positive().nullish(),
    slotIntervalUnit: z.enum(['mins', 'hours']).nullish(),
    slotBuffer: z.number().nonnegative().nullish(),
    slotBufferUnit: z.enum(['mins', 'hours']).nullish(),
  }),
});

/** `{"2024-10-28": {"slots": [...]}, ..., "traceId": "..."}`: only date keys are days. */
export const freeSlotsAnswer = z.record(z.string(), z.unknown());
export const daySlots = z.object({ slots: z.array(z.string()) });

export const createdAppointmentAnswer = z.object({
  id: z.string().min(1),
  startTime: text,
  endTime: text,
  appointmentStatus: text,
});

export const contactAppointmentsAnswer = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      calendarId: text,
      contactId: text,
      title: text,
      startTime: z.string(),
      endTime: text,
      appointmentStatus: text,
      status: text,
    }),
  ),
});

export const contactShape = z.object({
  id: z.string(),
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
/** Tag changes are done once GHL says 2xx; an empty body is no reason to fail. */
export const tagsAnswer = z.object({ tags: z.array(z.string()).nullish() }).optional();

export const sendMessageAnswer = z.object({ conversationId: z.string().min(1), messageId: z.string().min(1) });

export const conversationSearchAnswer = z.object({
  conversations: z.array(z.object({ id: z.string(), contactId: text })),
});

const messageShape = z.object({
  id: z.string(),
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
