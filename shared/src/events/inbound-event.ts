import { z } from 'zod';

/**
 * The one event type the worker handles, whatever shape the webhook had (the API reference's or GHL's own).
 * Fields the sender did not give are null, never guessed.
 */
const nullableString = z.string().nullable();

export const customerMessageEvent = z.object({
  kind: z.literal('customer_message'),
  contactId: nullableString,
  phone: z.string(),
  name: nullableString,
  email: nullableString,
  timezone: nullableString,
  conversationId: nullableString,
  messageId: nullableString,
  body: z.string(),
  channel: z.string(),
  sentAt: nullableString,
  attachments: z.number().int().min(0),
});

/** A person replied from the GHL app: the bot steps back for this contact for a while. */
export const humanReplyEvent = z.object({
  kind: z.literal('human_reply'),
  contactId: z.string(),
  conversationId: nullableString,
  messageId: nullableString,
});

export const messageStatusEvent = z.object({
  kind: z.literal('message_status'),
  messageId: z.string(),
  status: z.string(),
  at: nullableString,
});

export const appointmentEvent = z.object({
  kind: z.literal('appointment'),
  action: z.enum(['confirmed', 'created', 'updated', 'deleted']),
  appointmentId: z.string(),
  contactId: nullableString,
  calendarId: nullableString,
  startTime: nullableString,
  endTime: nullableString,
  status: nullableString,
});

export const contactDndEvent = z.object({
  kind: z.literal('contact_dnd'),
  contactId: z.string(),
  phone: nullableString,
  /** True when the contact opted out of WhatsApp (DND on for the channel, or for everything). */
  whatsappOptOut: z.boolean(),
});

export const inboundEventSchema = z.discriminatedUnion('kind', [
  customerMessageEvent,
  humanReplyEvent,
  messageStatusEvent,
  appointmentEvent,
  contactDndEvent,
]);

export type InboundEvent = z.infer<typeof inboundEventSchema>;
export type CustomerMessageEvent = z.infer<typeof customerMessageEvent>;

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) of the webhook that queued a job, so the job's
 * trace continues the webhook's. Optional: jobs queued before tracing, or with it off, have none.
 */
export const traceContextSchema = z.object({
  traceparent: z.string().regex(/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/),
  tracestate: z.string().max(512).optional(),
});

export type TraceContext = z.infer<typeof traceContextSchema>;

/** What one queued job carries: the event plus where it came from. */
export const jobDataSchema = z.object({
  runId: z.string(),
  requestId: z.string(),
  receivedAt: z.string(),
  format: z.enum(['reference', 'ghl']),
  eventType: z.string(),
  locationId: nullableString,
  /** Runs of one contact are serialised on this key; null for events that belong to no contact. */
  contactKey: nullableString,
  event: inboundEventSchema,
  traceContext: traceContextSchema.optional(),
});

export type JobData = z.infer<typeof jobDataSchema>;
