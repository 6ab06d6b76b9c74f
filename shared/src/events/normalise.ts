import { z } from 'zod';
import { AppError } from '../errors/codes';
import type { InboundEvent, JobData, TraceContext } from './inbound-event';
import {
  anyPayload,
  appInstallPayload,
  ghlAppointmentPayload,
  ghlContactDndPayload,
  ghlMessagePayload,
  idString,
  referenceAppointmentConfirmedPayload,
  referenceMessagePayload,
  referenceMessageStatusPayload,
} from './webhook-payloads';

export interface NormaliseOptions {
  /** Lower-case channel names the bot answers (`whatsapp`). */
  acceptedChannels: readonly string[];
}

export type Normalised =
  | {
      outcome: 'event';
      format: 'reference' | 'ghl';
      eventType: string;
      event: InboundEvent;
      locationId: string | null;
      contactKey: string | null;
      /** Sender phone for the per-phone rate limit, when the event has one. */
      phone: string | null;
      /** Ids that identify this delivery; a repeat of any of them is a duplicate. */
      dedupeIds: string[];
      /** The body's top-level `timestamp` (any format), checked for replays; `message.timestamp` is not. */
      deliveredAt: string | null;
    }
  | {
      /** The Marketplace app was installed or removed: handled by the ingest itself, never queued. */
      outcome: 'app';
      eventType: 'INSTALL' | 'UNINSTALL';
      appId: string;
      companyId: string | null;
      locationId: string | null;
      deliveredAt: string | null;
    }
  | { outcome: 'ignored'; eventType: string; reason: string; reasonCode: IgnoredReason };

/** Why an acknowledged webhook was not queued: a bounded metric label. */
export const IGNORED_REASONS = ['channel', 'outbound_source', 'event_type', 'location', 'other_app'] as const;
export type IgnoredReason = (typeof IGNORED_REASONS)[number];

/** The job the ingest queues for an accepted event (benchmarks build theirs the same way). */
export function toJobData(
  normalised: Extract<Normalised, { outcome: 'event' }>,
  ids: { runId: string; requestId: string; traceContext?: TraceContext },
): JobData {
  const { traceContext, ...rest } = ids;
  return {
    ...rest,
    ...(traceContext ? { traceContext } : {}),
    receivedAt: new Date().toISOString(),
    format: normalised.format,
    eventType: normalised.eventType,
    locationId: normalised.locationId,
    contactKey: normalised.contactKey,
    event: normalised.event,
  };
}

/** Parses with a schema, turning the first problem into the API reference's VALIDATION_ERROR. */
/** Whose conversation a message is: contact ids are unique across GHL; a phone is not (one customer may write to two businesses). */
export function contactKeyOf(contactId: string | null, locationId: string | null, phone: string): string {
  return contactId ?? (locationId ? `${locationId}:${phone}` : phone);
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join('.') || '(body)';
  const value = valueAt(body, issue.path);
  const details: Record<string, unknown> = { field };
  if (typeof value === 'string') details.value = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null) details.value = value;
  throw new AppError('VALIDATION_ERROR', `Invalid field ${field}: ${issue.message}`, details);
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = body;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/** GHL names WhatsApp inconsistently (`WhatsApp`, `TYPE_WHATSAPP`): reduce both fields to `whatsapp`. */
export function channelOf(messageType?: string, messageTypeString?: string): string {
  const raw = messageType ?? messageTypeString ?? '';
  return raw.toLowerCase().replace(/^type_/, '').replace(/[^a-z0-9]/g, '') || 'unknown';
}

const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/**
 * Turns a parsed webhook body (either format) into one job event, or says why it is ignored.
 * Throws AppError(VALIDATION_ERROR) for a body we should have understood but cannot.
 */
export function normaliseWebhook(body: unknown, options: NormaliseOptions): Normalised {
  const top = parse(anyPayload, body);
  const deliveredAt = nul(top.timestamp);
  const locationId = nul(top.locationId);
  const webhookIds = top.webhookId ? [`wh:${top.webhookId}`] : [];
  const base = { locationId, deliveredAt, eventType: top.type };

  switch (top.type) {
    case 'INSTALL':
    case 'UNINSTALL': {
      const p = parse(appInstallPayload, body);
      return { outcome: 'app', eventType: p.type, appId: p.appId, companyId: nul(p.companyId), locationId, deliveredAt };
    }
    case 'message': {
      const p = parse(referenceMessagePayload, body);
      const contactId = p.contactId ?? p.contact?.id ?? null;
      return {
        ...base,
        outcome: 'event',
        format: 'reference',
        event: {
          kind: 'customer_message',
          contactId,
          phone: p.message.from,
          name: nul(p.contact?.name),
          email: nul(p.contact?.email),
          timezone: nul(p.contact?.timezone),
          conversationId: nul(p.conversationId),
          messageId: nul(p.message.id),
          body: p.message.body,
          channel: 'whatsapp',
          sentAt: nul(p.message.timestamp),
          attachments: p.message.attachments?.length ?? 0,
        },
        contactKey: contactKeyOf(contactId, locationId, p.message.from),
        phone: p.message.from,
        dedupeIds: [...webhookIds, ...(p.message.id ? [`msg:${p.message.id}`] : [])],
      };
    }
    case 'message_status': {
      const p = parse(referenceMessageStatusPayload, body);
      return {
        ...base,
        outcome: 'event',
        format: 'reference',
        event: { kind: 'message_status', messageId: p.messageId, status: p.status, at: deliveredAt },
        contactKey: null,
        phone: null,
        dedupeIds: [...webhookIds, `status:${p.messageId}:${p.status}`],
      };
    }
    case 'appointment_confirmed': {
      const p = parse(referenceAppointmentConfirmedPayload, body);
      return {
        ...base,
        outcome: 'event',
        format: 'reference',
        event: {
          kind: 'appointment',
          action: 'confirmed',
          appointmentId: p.appointmentId,
          contactId: nul(p.contactId),
          calendarId: null,
          startTime: nul(p.scheduledTime),
          endTime: null,
          status: 'confirmed',
        },
        contactKey: nul(p.contactId),
        phone: null,
        dedupeIds: [...webhookIds, `appt:${p.appointmentId}:confirmed`],
      };
    }
    case 'InboundMessage':
    case 'OutboundMessage': {
      const loose = parse(ghlMessagePayload, body);
      const channel = channelOf(loose.messageType, loose.messageTypeString);
      if (!options.acceptedChannels.includes(channel)) {
        return { outcome: 'ignored', eventType: top.type, reason: `channel ${channel} is not handled`, reasonCode: 'channel' };
      }
      const msgIds = [...webhookIds, ...(loose.messageId ? [`msg:${loose.messageId}`] : [])];
      if (top.type === 'OutboundMessage') {
        // Only a person writing from the GHL app matters; api/workflow sends include our own replies.
        if (loose.source !== 'app') {
          return { outcome: 'ignored', eventType: top.type, reason: `outbound message from ${loose.source ?? 'unknown source'}`, reasonCode: 'outbound_source' };
        }
        const p = parse(ghlMessagePayload.extend({ contactId: idString }), body);
        return {
          ...base,
          outcome: 'event',
          format: 'ghl',
          event: { kind: 'human_reply', contactId: p.contactId, conversationId: nul(p.conversationId), messageId: nul(p.messageId) },
          contactKey: p.contactId,
          phone: null,
          dedupeIds: msgIds,
        };
      }
      const p = parse(
        ghlMessagePayload.extend({ contactId: idString, from: referenceMessagePayload.shape.message.shape.from }),
        body,
      );
      return {
        ...base,
        outcome: 'event',
        format: 'ghl',
        event: {
          kind: 'customer_message',
          contactId: p.contactId,
          phone: p.from,
          name: null,
          email: null,
          timezone: null,
          conversationId: nul(p.conversationId),
          messageId: nul(p.messageId),
          body: p.body,
          channel,
          sentAt: nul(p.dateAdded),
          attachments: p.attachments?.length ?? 0,
        },
        contactKey: p.contactId,
        phone: p.from,
        dedupeIds: msgIds,
      };
    }
    case 'AppointmentCreate':
    case 'AppointmentUpdate':
    case 'AppointmentDelete': {
      const p = parse(ghlAppointmentPayload, body);
      const action = ({ AppointmentCreate: 'created', AppointmentUpdate: 'updated', AppointmentDelete: 'deleted' } as const)[p.type];
      const a = p.appointment;
      return {
        ...base,
        outcome: 'event',
        format: 'ghl',
        event: {
          kind: 'appointment',
          action,
          appointmentId: a.id,
          contactId: nul(a.contactId),
          calendarId: nul(a.calendarId),
          startTime: nul(a.startTime),
          endTime: nul(a.endTime),
          status: nul(a.appointmentStatus),
        },
        contactKey: nul(a.contactId),
        phone: null,
        dedupeIds: webhookIds,
      };
    }
    case 'ContactDndUpdate': {
      const p = parse(ghlContactDndPayload, body);
      const whatsapp = p.dndSettings?.WhatsApp?.status;
      return {
        ...base,
        outcome: 'event',
        format: 'ghl',
        event: {
          kind: 'contact_dnd',
          contactId: p.id,
          phone: nul(p.phone),
          whatsappOptOut: whatsapp !== undefined ? whatsapp.toLowerCase() === 'active' : p.dnd === true,
        },
        contactKey: p.id,
        phone: null,
        dedupeIds: webhookIds,
      };
    }
    default:
      // GHL sends many event types an app may be subscribed to; refusing them would count as failed
      // deliveries and can make GHL pause the endpoint.
      return { outcome: 'ignored', eventType: top.type, reason: `event type ${top.type} is not handled`, reasonCode: 'event_type' };
  }
}
