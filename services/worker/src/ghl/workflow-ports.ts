import { inSpan } from '@wab/shared';
import type { BookResult, CalendarPort, CancelResult, ContactsPort } from '../workflow/ports';
import type { EffectLedger } from '../effects/effect-ledger';
import { beforeEffect } from '../effects/turn-guard';
import type { GhlClient } from './client';
import type { GhlReadCache } from './read-cache';
import type { GhlCalendar } from './types';
import { GhlUncertainError, isSlotUnavailable } from './errors';
import { workerTracer } from '../tracer';

const uncertain = (error: unknown) => error instanceof GhlUncertainError;

/** Custom field ids (GHL_CUSTOM_FIELD_*) the bot writes what it learned into; each optional. */
export interface CrmFields {
  goalFieldId?: string;
  budgetFieldId?: string;
}

/**
 * The workflow's ports on a real GHL client. Creating an appointment and sending a message go through the
 * effect ledger, keyed by the turn, so a repeated run (retry, stall, crash) never books or sends twice.
 */
export function ghlWorkflowPorts(options: { client: GhlClient; calendarId: string; ledger: EffectLedger; crmFields?: CrmFields; cache: GhlReadCache }) {
  const { client, calendarId, ledger, cache } = options;
  const crmFields = options.crmFields ?? {};
  // Shared by replicas through Redis (GHL_CALENDAR_CACHE_SECONDS), one read in flight at a time.
  const readCalendar = (): Promise<GhlCalendar> => cache.calendar(client.locationId, calendarId, () => client.getCalendar(calendarId));

  /** A failure to update the cache leaves it to its few seconds' TTL: the booking itself stands. */
  const dropSlots = () => cache.dropSlots(client.locationId).catch(() => undefined);

  type Booked = { ok: true; appointmentId: string; startTime: string };
  /**
   * A create whose answer was lost: GHL's list of the contact's appointments tells whether it happened. GHL
   * lists those times without an offset; the client reads them in the location's zone, so they compare.
   */
  const findAppointment = async (intent: { contactId: string; startMs: number; startTime?: string }): Promise<Booked | null> => {
    const found = (await client.contactAppointments(intent.contactId)).find(
      (a) => a.active && a.startMs === intent.startMs && (!a.calendarId || a.calendarId === calendarId),
    );
    return found ? { ok: true, appointmentId: found.id, startTime: intent.startTime ?? found.startTime! } : null;
  };

  /** A move whose answer was lost: the contact's appointments show the same appointment at the new time. */
  const findMoved = async (intent: { contactId: string; appointmentId: string; startMs: number; startTime: string }): Promise<Booked | null> => {
    const found = (await client.contactAppointments(intent.contactId)).find((a) => a.id === intent.appointmentId && a.active && a.startMs === intent.startMs);
    return found ? { ok: true, appointmentId: found.id, startTime: intent.startTime } : null;
  };
  /** A cancellation whose answer was lost: the appointment is listed inactive (or no longer listed at all). */
  const findCancelled = async (intent: { contactId: string; appointmentId: string }): Promise<CancelResult | null> => {
    const found = (await client.contactAppointments(intent.contactId)).find((a) => a.id === intent.appointmentId);
    return !found || !found.active ? { ok: true, appointmentId: intent.appointmentId } : null;
  };

  const calendar: CalendarPort = {
    bookedInTurn: (turnId) => ledger.recall<Booked, { contactId: string; startMs: number }>(`book:${turnId}`, findAppointment),
    slotMinutes: async () => (await readCalendar()).slotDurationMinutes,
    // The open hours are the location's (GHL keeps them in its zone); not knowing them is not an error.
    openingHours: async () => {
      const days = (await readCalendar().catch(() => null))?.openHours;
      return days ? { timeZone: client.timeZone, days } : null;
    },
    freeSlots: (fromMs, toMs, timeZone) =>
      cache.freeSlots(client.locationId, calendarId, fromMs, toMs, timeZone, (from, to) => client.freeSlots(calendarId, from, to, timeZone)),
    movedInTurn: (turnId) => ledger.recall<Booked, { contactId: string; appointmentId: string; startMs: number; startTime: string }>(`move:${turnId}`, findMoved),
    async move({ turnId, contactId, appointmentId, startTime, endTime }): Promise<BookResult> {
      try {
        return await ledger.once(`move:${turnId}`, {
          intent: { contactId, appointmentId, startMs: Date.parse(startTime), startTime },
          perform: async (): Promise<Booked> => {
            const moved = await client.updateAppointment(appointmentId, { startTime, endTime });
            // The old time is free again and the new one taken: every replica reads the slots anew.
            await dropSlots();
            return { ok: true, appointmentId: moved.id || appointmentId, startTime };
          },
          lookup: findMoved,
          isUncertain: uncertain,
        });
      } catch (error) {
        if (isSlotUnavailable(error)) return { ok: false, reason: 'slot_taken' };
        throw error;
      }
    },
    // Cancelled, not deleted: the appointment and its history stay in GHL for the team (README).
    cancel: ({ turnId, contactId, appointmentId }) =>
      ledger.once(`cancel:${turnId}`, {
        intent: { contactId, appointmentId },
        perform: async (): Promise<CancelResult> => {
          await client.updateAppointment(appointmentId, { appointmentStatus: 'cancelled' });
          await dropSlots();
          return { ok: true, appointmentId };
        },
        lookup: findCancelled,
        isUncertain: uncertain,
      }),
    async book({ turnId, contactId, startTime, endTime, title }): Promise<BookResult> {
      try {
        const booked = await ledger.once(`book:${turnId}`, {
          intent: { contactId, startMs: Date.parse(startTime), startTime },
          perform: async (): Promise<Booked> => {
            const created = await client.createAppointment({ calendarId, contactId, startTime, endTime, title, appointmentStatus: 'confirmed' });
            return { ok: true, appointmentId: created.id, startTime: created.startTime };
          },
          lookup: findAppointment,
          isUncertain: uncertain,
        });
        // That slot is no longer free for anyone; the others are.
        await cache.booked(client.locationId, Date.parse(booked.startTime), Date.parse(endTime)).catch(() => undefined);
        return booked;
      } catch (error) {
        if (isSlotUnavailable(error)) {
          await dropSlots(); // the cache offered a slot GHL knows is taken
          return { ok: false, reason: 'slot_taken' };
        }
        throw error;
      }
    },
  };

  const upsert = ({ phone, name, email }: { phone: string | null; name: string | null; email: string | null }) => {
    if (!phone) throw new Error('a contact needs an id or a phone');
    return client.upsertContact({ phone, ...(name ? { name } : {}), ...(email ? { email } : {}) });
  };

  const contacts: ContactsPort = {
    async describe(contactId) {
      const c = await client.getContact(contactId);
      if (!c) return null;
      return { name: c.name ?? null, email: c.email ?? null, timezone: c.timezone ?? null };
    },
    async ensureContact({ contactId, phone, name, email }) {
      if (contactId) return contactId;
      return (await upsert({ phone, name, email })).id;
    },
    // The upsert answers with the contact: no GET of it after.
    async findOrCreate(input) {
      const c = await upsert(input);
      return { contactId: c.id, details: { name: c.name ?? null, email: c.email ?? null, timezone: c.timezone ?? null } };
    },
    async saveLearned(contactId, learned) {
      const [firstName, ...rest] = (learned.name ?? '').split(/\s+/).filter(Boolean);
      const customFields = [
        ...(crmFields.goalFieldId && learned.goal ? [{ id: crmFields.goalFieldId, field_value: learned.goal }] : []),
        ...(crmFields.budgetFieldId && learned.budget !== undefined && learned.budget !== null
          ? [{ id: crmFields.budgetFieldId, field_value: String(learned.budget) }]
          : []),
      ];
      const update = {
        ...(firstName ? { firstName, ...(rest.length ? { lastName: rest.join(' ') } : {}) } : {}),
        ...(learned.email ? { email: learned.email } : {}),
        ...(customFields.length ? { customFields } : {}),
      };
      if (Object.keys(update).length === 0) return;
      await beforeEffect();
      await client.updateContact(contactId, update);
    },
    addTags: async (contactId, tags) => {
      await beforeEffect();
      await client.addTags(contactId, tags);
    },
    removeTags: async (contactId, tags) => {
      await beforeEffect();
      await client.removeTags(contactId, tags);
    },
  };

  /** Sends one turn's reply on WhatsApp, once. */
  async function sendReply(turnId: string, contactId: string, text: string): Promise<string> {
    return inSpan(workerTracer(), 'whatsapp send', { attributes: { 'wab.turn_id': turnId } }, () => sendOnce(turnId, contactId, text));
  }

  async function sendOnce(turnId: string, contactId: string, text: string): Promise<string> {
    const startedAt = Date.now();
    const sent = await ledger.once(`reply:${turnId}`, {
      intent: { contactId, text, startedAt },
      perform: async () => (await client.sendWhatsApp(contactId, text)).messageId,
      // A send whose answer was lost: the conversation shows whether the message went out.
      lookup: async (intent) => {
        const messages = await client.listConversationMessages(intent.contactId, { limit: 20 });
        const found = messages.find(
          (m) => m.body === intent.text && m.direction !== 'inbound' && (!m.dateAdded || Date.parse(m.dateAdded) >= intent.startedAt - 60_000),
        );
        return found ? found.id : null;
      },
      isUncertain: uncertain,
    });
    return sent;
  }

  /**
   * Enrols the contact in the location's window-closed workflow (it sends an approved template), once per
   * silence: keyed by the customer's last message, so every reply and nudge due in the same silence shares it.
   * GHL offers no way to see an enrolment afterwards: an answer lost on the way counts as done and is not
   * retried (a template sent twice is worse than one that may be missing; the log says which).
   */
  async function enrolWindowClosed(contactId: string, workflowId: string, lastInboundMs: number): Promise<'enrolled' | 'uncertain'> {
    return ledger.once(`window-closed:${contactId}:${workflowId}:${lastInboundMs}`, {
      intent: { contactId, workflowId },
      perform: async () => {
        try {
          await client.enrolInWorkflow(contactId, workflowId);
          return 'enrolled' as const;
        } catch (error) {
          if (uncertain(error)) return 'uncertain' as const;
          throw error;
        }
      },
      lookup: async () => null,
      isUncertain: () => false,
    });
  }

  return { calendar, contacts, sendReply, enrolWindowClosed };
}
