import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { z } from 'zod';
import { formatInTimeZone } from '@wab/shared';
import { RETRY_POLICY } from '../retry-policy';
import { workerTracer } from '../tracer';
import { staticCredentials, type GhlCredentials } from './credentials';
import { GhlApiError, GhlUncertainError, isUnknownContact } from './errors';
import { undiciTransport, type GhlHttpAnswer, type GhlTransport } from './http-transport';
import { retryAfterMs, type GhlRateBudget } from './rate-budget';
import { normaliseGhlTime, parseGhlTime } from './time';
import {
  calendarAnswer,
  contactAnswer,
  contactAppointmentsAnswer,
  conversationMessagesAnswer,
  conversationSearchAnswer,
  createdAppointmentAnswer,
  workflowEnrolmentAnswer,
  daySlots,
  duplicateAnswer,
  freeSlotsAnswer,
  sendMessageAnswer,
  tagsAnswer,
  upsertAnswer,
  updateContactAnswer,
  contactShape,
  type CreateAppointmentInput,
  type GhlAppointment,
  type GhlCalendar,
  type GhlContact,
  type GhlCreatedAppointment,
  type GhlMessage,
  type UpdateContactInput,
  type UpsertContactInput,
} from './types';

/** GHL requires a Version header, and each service wants its own. */
export const GHL_VERSIONS = { calendars: '2021-04-15', contacts: '2021-07-28', conversations: '2021-04-15' } as const;

export interface GhlCall {
  endpoint: string;
  locationId: string;
  status: number | 'network';
  ms: number;
}

/** Defaults in RETRY_POLICY.ghlCall. */
export interface GhlRetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** Backoff before attempt n+1 is random in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited out here: the error goes to the caller to reschedule. */
  maxRetryAfterMs?: number;
}

export interface GhlClientOptions {
  baseUrl: string;
  /** A static token (PIT), or credentials that refresh (OAuth). */
  token: string | GhlCredentials;
  locationId: string;
  /**
   * The location's (and its calendar's) IANA zone. GHL lists some times without an offset
   * ("2021-07-16 11:00:00"); they are read in this zone.
   */
  timeZone: string;
  /** Per attempt, answer body included. Default 10 s. */
  timeoutMs?: number;
  budget: GhlRateBudget;
  /** How requests travel (default undici's `request`); tests wrap it to see what is sent. */
  transport?: GhlTransport;
  /** Called once per HTTP attempt (metrics, logs). */
  onCall?: (call: GhlCall) => void;
  retry?: GhlRetryOptions;
}

/**
 * How a call may be repeated. `read` and `idempotent` (tags, upsert by phone) are retried on 429, 5xx and
 * no answer. `once` (create appointment, send message) is retried only on 429, where GHL refused before
 * doing anything; anything else that leaves the outcome open is a GhlUncertainError for the caller.
 */
type Repeat = 'read' | 'idempotent' | 'once';

interface CallSpec<S extends z.ZodType> {
  endpoint: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  version: string;
  repeat: Repeat;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  answer: S;
}

/** GHL free-slot ranges may span at most 31 days; 30 leaves room for however GHL counts days. */
const SLOT_RANGE_MS = 30 * 24 * 3600 * 1000;
const DATE_KEY = /^\d{4}-\d{2}-\d{2}$/;

/** A GHL API v2 client for one location, sharing a rate budget with every other replica. */
/** GHL's openHours as intervals per weekday; empty or unreadable → null (nothing known). */
function openHoursOf(
  openHours: Array<{ daysOfTheWeek: number[]; hours: Array<{ openHour: number; openMinute?: number | null; closeHour: number; closeMinute?: number | null }> }> | null | undefined,
): GhlCalendar['openHours'] {
  const days: Partial<Record<number, Array<[number, number]>>> = {};
  let any = false;
  for (const entry of openHours ?? []) {
    for (const h of entry.hours) {
      const open = h.openHour * 60 + (h.openMinute ?? 0);
      const close = h.closeHour * 60 + (h.closeMinute ?? 0);
      if (close <= open) continue;
      for (const d of entry.daysOfTheWeek) (days[d] ??= []).push([open, close]);
      any = true;
    }
  }
  return any ? days : null;
}

export class GhlClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly transport: GhlTransport;
  private readonly retry: Required<GhlRetryOptions>;
  private readonly credentials: GhlCredentials;
  readonly locationId: string;
  readonly timeZone: string;

  constructor(private readonly options: GhlClientOptions) {
    this.credentials = typeof options.token === 'string' ? staticCredentials(options.token) : options.token;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.locationId = options.locationId;
    this.timeZone = options.timeZone;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.transport = options.transport ?? undiciTransport;
    this.retry = { ...RETRY_POLICY.ghlCall, ...options.retry };
  }

  async getCalendar(calendarId: string): Promise<GhlCalendar> {
    const { calendar: c } = await this.call({
      endpoint: 'getCalendar',
      method: 'GET',
      path: `/calendars/${enc(calendarId)}`,
      version: GHL_VERSIONS.calendars,
      repeat: 'read',
      answer: calendarAnswer,
    });
    const minutes = (n: number | null | undefined, unit: string | undefined) => (n ?? 0) * (/^hours?$/i.test(unit ?? '') ? 60 : 1);
    const duration = minutes(c.slotDuration, c.slotDurationUnit);
    return {
      id: c.id,
      name: c.name ?? '',
      slotDurationMinutes: duration,
      // Without an interval, slots follow each other back to back.
      slotIntervalMinutes: c.slotInterval ? minutes(c.slotInterval, c.slotIntervalUnit) : duration,
      slotBufferMinutes: minutes(c.slotBuffer, c.slotBufferUnit),
      openHours: openHoursOf(c.openHours),
    };
  }

  /**
   * Slot start times (ISO with offset) in [fromMs, toMs], ascending, however long the range. A slot GHL
   * writes without an offset is read in `timeZone`, the zone the slots were asked in.
   */
  async freeSlots(calendarId: string, fromMs: number, toMs: number, timeZone: string): Promise<string[]> {
    const found = new Map<string, number>();
    for (let start = fromMs; start <= toMs; start += SLOT_RANGE_MS + 1) {
      const end = Math.min(toMs, start + SLOT_RANGE_MS);
      const answer = await this.call({
        endpoint: 'freeSlots',
        method: 'GET',
        path: `/calendars/${enc(calendarId)}/free-slots`,
        query: { startDate: start, endDate: end, timezone: timeZone },
        version: GHL_VERSIONS.calendars,
        repeat: 'read',
        answer: freeSlotsAnswer,
      });
      for (const [key, value] of Object.entries(answer)) {
        if (!DATE_KEY.test(key)) continue; // traceId and whatever else GHL adds
        const day = daySlots.safeParse(value);
        if (!day.success) throw new GhlApiError('freeSlots', 200, `unexpected slots for ${key}`, { retryable: false });
        for (const slot of day.data.slots) {
          const ms = parseGhlTime(slot, timeZone);
          if (ms !== null) found.set(this.isoOf(ms, timeZone), ms);
        }
      }
    }
    return [...found.entries()].sort((a, b) => a[1] - b[1]).map(([slot]) => slot);
  }

  /**
   * Books a slot. Throws GhlApiError (permanent 400, see isSlotUnavailable) when the slot is taken, and
   * GhlUncertainError when it cannot tell whether the booking happened: check contactAppointments() first.
   */
  async createAppointment(input: CreateAppointmentInput): Promise<GhlCreatedAppointment> {
    const created = await this.call({
      endpoint: 'createAppointment',
      method: 'POST',
      path: '/calendars/events/appointments',
      body: { ...input, locationId: this.locationId },
      version: GHL_VERSIONS.calendars,
      repeat: 'once',
      answer: createdAppointmentAnswer,
    });
    // What we asked for is the time: GHL's echo may come back zone-less or not at all.
    return {
      id: created.id,
      startTime: input.startTime,
      endTime: input.endTime ?? this.normaliseTime(created.endTime) ?? undefined,
      appointmentStatus: created.appointmentStatus,
    };
  }

  /**
   * Moves an appointment (a new start and end) or changes its status (`cancelled`): PUT
   * /calendars/events/appointments/{id}. The same PUT again leaves the same appointment, so it is retried
   * like a read; a taken slot is the same permanent 400 as for a create (isSlotUnavailable).
   */
  async updateAppointment(appointmentId: string, input: { startTime?: string; endTime?: string; appointmentStatus?: string }): Promise<GhlCreatedAppointment> {
    const updated = await this.call({
      endpoint: 'updateAppointment',
      method: 'PUT',
      path: `/calendars/events/appointments/${enc(appointmentId)}`,
      body: input,
      version: GHL_VERSIONS.calendars,
      repeat: 'idempotent',
      answer: createdAppointmentAnswer,
    });
    return {
      id: updated.id,
      startTime: input.startTime ?? this.normaliseTime(updated.startTime) ?? '',
      endTime: input.endTime ?? this.normaliseTime(updated.endTime) ?? undefined,
      appointmentStatus: updated.appointmentStatus,
    };
  }

  /**
   * Enrols the contact in a GHL workflow (POST /contacts/{id}/workflow/{workflowId}): how a WhatsApp template
   * is sent outside the 24-hour window. Not repeated on an open outcome: a second enrolment may send twice.
   */
  async enrolInWorkflow(contactId: string, workflowId: string): Promise<void> {
    await this.call({
      endpoint: 'addContactToWorkflow',
      method: 'POST',
      path: `/contacts/${enc(contactId)}/workflow/${enc(workflowId)}`,
      body: {},
      version: GHL_VERSIONS.contacts,
      repeat: 'once',
      answer: workflowEnrolmentAnswer,
    });
  }

  /**
   * The contact's appointments, cancelled ones included (`active` false). GHL documents these times
   * without an offset ("2021-07-16 11:00:00"): they are read in the location's zone.
   */
  async contactAppointments(contactId: string): Promise<GhlAppointment[]> {
    const { events } = await this.call({
      endpoint: 'contactAppointments',
      method: 'GET',
      path: `/contacts/${enc(contactId)}/appointments`,
      version: GHL_VERSIONS.contacts,
      repeat: 'read',
      answer: contactAppointmentsAnswer,
    });
    return events.map((e) => {
      const status = e.appointmentStatus ?? e.status;
      const startMs = parseGhlTime(e.startTime, this.timeZone);
      return {
        id: e.id,
        calendarId: e.calendarId,
        contactId: e.contactId,
        title: e.title,
        startTime: startMs === null ? null : this.isoOf(startMs),
        endTime: this.normaliseTime(e.endTime) ?? undefined,
        startMs,
        appointmentStatus: status,
        active: status !== 'cancelled' && status !== 'invalid',
      };
    });
  }

  /** Null when GHL does not know the contact. */
  async getContact(contactId: string): Promise<GhlContact | null> {
    try {
      const { contact } = await this.call({
        endpoint: 'getContact',
        method: 'GET',
        path: `/contacts/${enc(contactId)}`,
        version: GHL_VERSIONS.contacts,
        repeat: 'read',
        answer: contactAnswer,
      });
      return toContact(contact);
    } catch (error) {
      if (isUnknownContact(error)) return null;
      throw error;
    }
  }

  async findContactByPhone(phone: string): Promise<GhlContact | null> {
    const { contact } = await this.call({
      endpoint: 'searchDuplicate',
      method: 'GET',
      path: '/contacts/search/duplicate',
      query: { locationId: this.locationId, number: phone }, // URLSearchParams sends "+" as %2B, as GHL needs
      version: GHL_VERSIONS.contacts,
      repeat: 'read',
      answer: duplicateAnswer,
    });
    return contact ? toContact(contact) : null;
  }

  /** Finds the contact by phone or makes it; repeating it is harmless, so it is retried like a read. */
  async upsertContact(input: UpsertContactInput): Promise<GhlContact & { isNew: boolean }> {
    const answer = await this.call({
      endpoint: 'upsertContact',
      method: 'POST',
      path: '/contacts/upsert',
      body: { ...input, locationId: this.locationId },
      version: GHL_VERSIONS.contacts,
      repeat: 'idempotent',
      answer: upsertAnswer,
    });
    return { ...toContact(answer.contact), isNew: answer.new ?? false };
  }

  /** Writes what the bot learned (name, email, custom fields) to the contact. Repeating it is harmless. */
  async updateContact(contactId: string, input: UpdateContactInput): Promise<void> {
    if (Object.keys(input).length === 0) return;
    await this.call({
      endpoint: 'updateContact',
      method: 'PUT',
      path: `/contacts/${enc(contactId)}`,
      body: input,
      version: GHL_VERSIONS.contacts,
      repeat: 'idempotent',
      answer: updateContactAnswer,
    });
  }

  /** Adds tags, leaving the others (a PUT on the contact would replace them all). Returns GHL's answer's tags. */
  async addTags(contactId: string, tags: string[]): Promise<string[]> {
    return this.tags('addTags', 'POST', contactId, tags);
  }

  async removeTags(contactId: string, tags: string[]): Promise<string[]> {
    return this.tags('removeTags', 'DELETE', contactId, tags);
  }

  private async tags(endpoint: string, method: 'POST' | 'DELETE', contactId: string, tags: string[]): Promise<string[]> {
    if (!tags.length) return [];
    const answer = await this.call({
      endpoint,
      method,
      path: `/contacts/${enc(contactId)}/tags`,
      body: { tags },
      version: GHL_VERSIONS.contacts,
      repeat: 'idempotent',
      answer: tagsAnswer,
    });
    return answer?.tags ?? [];
  }

  /**
   * Sends a WhatsApp message. GhlUncertainError means it may have gone out: check
   * listConversationMessages() before sending again, or the customer may get it twice.
   */
  async sendWhatsApp(contactId: string, message: string): Promise<{ messageId: string; conversationId: string }> {
    const answer = await this.call({
      endpoint: 'sendMessage',
      method: 'POST',
      path: '/conversations/messages',
      body: { type: 'WhatsApp', contactId, message },
      version: GHL_VERSIONS.conversations,
      repeat: 'once',
      answer: sendMessageAnswer,
    });
    return { messageId: answer.messageId, conversationId: answer.conversationId };
  }

  /** The contact's most recent messages (up to `limit`), oldest first: for checking whether a send happened. */
  async listConversationMessages(contactId: string, options: { limit?: number } = {}): Promise<GhlMessage[]> {
    const limit = options.limit ?? 50;
    const { conversations } = await this.call({
      endpoint: 'searchConversations',
      method: 'GET',
      path: '/conversations/search',
      query: { locationId: this.locationId, contactId },
      version: GHL_VERSIONS.conversations,
      repeat: 'read',
      answer: conversationSearchAnswer,
    });
    const messages: GhlMessage[] = [];
    for (const conversation of conversations) {
      const newestFirst: GhlMessage[] = []; // GHL pages from the newest message back
      let lastMessageId: string | undefined;
      while (newestFirst.length < limit) {
        const page = await this.call({
          endpoint: 'conversationMessages',
          method: 'GET',
          path: `/conversations/${enc(conversation.id)}/messages`,
          query: { limit: Math.min(100, limit - newestFirst.length), lastMessageId },
          version: GHL_VERSIONS.conversations,
          repeat: 'read',
          answer: conversationMessagesAnswer,
        });
        for (const m of page.messages) {
          newestFirst.push({
            ...m,
            body: m.body ?? '',
            conversationId: m.conversationId ?? conversation.id,
            dateAdded: this.normaliseTime(m.dateAdded) ?? undefined,
          });
        }
        if (!page.nextPage || !page.lastMessageId || !page.messages.length) break;
        lastMessageId = page.lastMessageId;
      }
      messages.push(...newestFirst.reverse());
    }
    // Stable sort: messages of one millisecond keep GHL's order.
    return messages.sort((a, b) => (Date.parse(a.dateAdded ?? '') || 0) - (Date.parse(b.dateAdded ?? '') || 0));
  }

  /** A GHL time as ISO with an offset (zone-less ones read in the location's zone); null when absent or unreadable. */
  private normaliseTime(value: string | undefined): string | null {
    return normaliseGhlTime(value, this.timeZone);
  }

  private isoOf(ms: number, timeZone = this.timeZone): string {
    return formatInTimeZone(new Date(ms), timeZone);
  }

  /** One logical call: rate budget, attempts, and the retry rules of its `repeat` kind. */
  private async call<S extends z.ZodType>(spec: CallSpec<S>): Promise<z.infer<S>> {
    let token = await this.credentials.accessToken();
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      await this.options.budget.acquire(this.locationId);
      let answer = await this.send(spec, attempt, token);
      // An expired or revoked token did nothing at GHL: renew it once and repeat the same attempt.
      if (answer.kind === 'answer' && answer.status === 401 && !renewed) {
        renewed = true;
        const fresh = await this.credentials.renew(token);
        if (fresh !== null) {
          token = fresh;
          await this.options.budget.acquire(this.locationId);
          answer = await this.send(spec, attempt, token);
        }
      }
      const last = attempt >= this.retry.maxAttempts;

      if (answer.kind === 'none') {
        if (spec.repeat === 'once') throw new GhlUncertainError(spec.endpoint, null, answer.error);
        const error = new GhlApiError(spec.endpoint, null, describe(answer.error), { cause: answer.error });
        if (last) throw error;
        await sleep(this.backoff(attempt));
        continue;
      }

      await this.options.budget.observe(this.locationId, answer.headers, answer.status).catch(() => undefined);

      if (answer.status >= 200 && answer.status < 300) {
        const parsed = spec.answer.safeParse(answer.json);
        if (parsed.success) return parsed.data;
        const why = answer.json === undefined ? 'unreadable answer' : `unexpected answer: ${parsed.error.issues[0]?.message ?? ''}`;
        // The write went through but we cannot tell what it made: the caller must look.
        if (spec.repeat === 'once') throw new GhlUncertainError(spec.endpoint, answer.status, new Error(why));
        throw new GhlApiError(spec.endpoint, answer.status, why, { retryable: false });
      }

      const wait = retryAfterMs(answer.headers);
      const error = new GhlApiError(spec.endpoint, answer.status, ghlMessage(answer.json, answer.status), { retryAfterMs: wait });
      if (answer.status >= 500 && spec.repeat === 'once') throw new GhlUncertainError(spec.endpoint, answer.status, error);
      if (!error.retryable || last) throw error;
      if (wait !== undefined && wait > this.retry.maxRetryAfterMs) throw error;
      await sleep(wait ?? this.backoff(attempt));
    }
  }

  /**
   * One HTTP attempt, in a span of its own: endpoint, method, attempt and status only. Never the URL (its
   * query can hold a phone number), the token or a body.
   */
  private async send(spec: CallSpec<z.ZodType>, attempt: number, token: string): Promise<
    { kind: 'answer'; status: number; headers: GhlHttpAnswer['headers']; json: unknown } | { kind: 'none'; error: unknown }
  > {
    const attributes = { 'ghl.endpoint': spec.endpoint, 'http.request.method': spec.method, 'ghl.attempt': attempt };
    return workerTracer().startActiveSpan(`GHL ${spec.endpoint}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const answer = await this.attempt(spec, token);
      if (answer.kind === 'answer') {
        span.setAttribute('http.response.status_code', answer.status);
        if (answer.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      } else {
        span.setAttribute('error.type', describe(answer.error));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
      return answer;
    });
  }

  private async attempt(spec: CallSpec<z.ZodType>, token: string): Promise<
    { kind: 'answer'; status: number; headers: GhlHttpAnswer['headers']; json: unknown } | { kind: 'none'; error: unknown }
  > {
    const url = new URL(this.baseUrl + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      Version: spec.version,
    };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    const started = performance.now();
    try {
      const res = await this.transport({
        method: spec.method,
        url,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        timeoutMs: this.timeoutMs,
      });
      this.report(spec.endpoint, res.status, started);
      let json: unknown;
      try {
        json = res.text ? JSON.parse(res.text) : undefined;
      } catch {
        json = undefined;
      }
      return { kind: 'answer', status: res.status, headers: res.headers, json };
    } catch (error) {
      this.report(spec.endpoint, 'network', started);
      return { kind: 'none', error };
    }
  }

  private report(endpoint: string, status: number | 'network', started: number): void {
    try {
      this.options.onCall?.({ endpoint, locationId: this.locationId, status, ms: Math.round(performance.now() - started) });
    } catch {
      // a metrics hook must never break a GHL call
    }
  }

  /** Exponential backoff with full jitter, so replicas retrying together spread out. */
  private backoff(attempt: number): number {
    return Math.random() * Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
  }
}

function toContact(c: z.infer<typeof contactShape>): GhlContact {
  return {
    id: c.id,
    locationId: c.locationId,
    name: c.name ?? ([c.firstName, c.lastName].filter(Boolean).join(' ') || undefined),
    firstName: c.firstName,
    lastName: c.lastName,
    phone: c.phone,
    email: c.email,
    timezone: c.timezone,
    dnd: c.dnd ?? false,
    dndSettings: c.dndSettings ?? undefined,
    tags: c.tags ?? [],
  };
}

/** GHL's `message` is a string or a list of strings. */
function ghlMessage(json: unknown, status: number): string {
  const message = (json as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && message) return message;
  if (Array.isArray(message) && message.length) return message.map(String).join('; ');
  return `HTTP ${status}`;
}

function describe(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

const enc = encodeURIComponent;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
