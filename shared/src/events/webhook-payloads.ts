import { z } from 'zod';
import { optionalText, requiredText } from '../input/absent';
import { e164 } from './phone';

/**
 * The webhook bodies we accept. Lenient about fields we do not use (GHL adds fields and its docs have
 * typos), strict about the ones we do. `.loose()` keeps unknown keys instead of refusing them. Every
 * string goes through the blank rule (`input/absent`): GHL's `""` is a missing value, not a value.
 */
const optionalString = optionalText;
/** An id or code that must be there: blank counts as missing. */
export const idString = requiredText;

/** GHL's delivery envelope: present on real GHL deliveries, absent from the API reference's examples. */
const envelope = {
  webhookId: optionalString,
  timestamp: optionalString,
  locationId: optionalString,
};

export const referenceMessagePayload = z
  .object({
    type: z.literal('message'),
    ...envelope,
    contactId: optionalString,
    conversationId: optionalString,
    message: z
      .object({
        id: optionalString,
        body: z.string().max(16_000).default(''),
        from: e164,
        to: optionalString,
        timestamp: optionalString,
        attachments: z.array(z.unknown()).optional(),
      })
      .loose(),
    contact: z
      .object({
        id: optionalString,
        name: optionalString,
        phone: optionalString,
        email: optionalString,
        timezone: optionalString,
      })
      .loose()
      .optional(),
  })
  .loose();

export const referenceMessageStatusPayload = z
  .object({ type: z.literal('message_status'), ...envelope, status: idString, messageId: idString })
  .loose();

export const referenceAppointmentConfirmedPayload = z
  .object({
    type: z.literal('appointment_confirmed'),
    ...envelope,
    appointmentId: idString,
    scheduledTime: optionalString,
    contactId: optionalString,
  })
  .loose();

/** GHL `InboundMessage` / `OutboundMessage`: flat, one message per body. */
export const ghlMessagePayload = z
  .object({
    type: z.enum(['InboundMessage', 'OutboundMessage']),
    ...envelope,
    contactId: optionalString,
    conversationId: optionalString,
    messageId: optionalString,
    body: z.string().max(16_000).default(''),
    from: optionalString,
    to: optionalString,
    messageType: optionalString,
    messageTypeString: optionalString,
    source: optionalString,
    dateAdded: optionalString,
    attachments: z.array(z.unknown()).optional(),
  })
  .loose();

export const ghlAppointmentPayload = z
  .object({
    type: z.enum(['AppointmentCreate', 'AppointmentUpdate', 'AppointmentDelete']),
    ...envelope,
    appointment: z
      .object({
        id: idString,
        calendarId: optionalString,
        contactId: optionalString,
        appointmentStatus: optionalString,
        startTime: optionalString,
        endTime: optionalString,
      })
      .loose(),
  })
  .loose();

const dndChannel = z.object({ status: optionalString }).loose();

export const ghlContactDndPayload = z
  .object({
    type: z.literal('ContactDndUpdate'),
    ...envelope,
    id: idString,
    phone: optionalString,
    dnd: z.boolean().optional(),
    dndSettings: z.object({ WhatsApp: dndChannel.optional() }).loose().optional(),
  })
  .loose();

/** The Marketplace app's INSTALL / UNINSTALL (an agency install or uninstall names no location). */
export const appInstallPayload = z
  .object({ type: z.enum(['INSTALL', 'UNINSTALL']), ...envelope, appId: idString, companyId: optionalString })
  .loose();

/** The top of any body: enough to pick the schema and read the envelope. */
export const anyPayload = z.object({ type: idString, ...envelope }).loose();
