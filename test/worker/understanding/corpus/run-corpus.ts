/**
 * Runs the understanding corpus (./messages, ./conversations) against any Understander: the offline
 * heuristic in `npm test` (corpus.test.ts), the model path with the OpenAI double in
 * `npm run bench:understanding`. No jest in here, so the bench can load it too.
 *
 * Messages are read at NOW (a Monday, 08:00 UTC) in UTC; conversations run through the booking graph
 * with in-memory ports whose calendar is the sandbox's default one (Monday to Friday, 09:00-17:00
 * UTC, 30-minute slots, those open hours).
 */
import { MemorySaver } from '@langchain/langgraph';
import { buildBookingGraph } from '../../../../services/worker/src/workflow/graph';
import type { BookResult, BusinessRules, CalendarPort, ContactsPort, WorkflowPorts } from '../../../../services/worker/src/workflow/ports';
import { turnInput, type Conversation } from '../../../../services/worker/src/workflow/state';
import type { Understander, Understanding, UnderstandingContext } from '../../../../services/worker/src/understanding/understanding';
import type { ConversationCase, CorpusClass, MessageCase } from './types';

export const NOW = new Date('2026-11-30T08:00:00Z');
export const TIME_ZONE = 'UTC';

/** '2026-12-01 15:00' for an ISO instant (UTC: the corpus's zone). */
export const local = (iso: string) => new Date(iso).toISOString().slice(0, 16).replace('T', ' ');

export interface CaseResult {
  class: CorpusClass;
  label: string;
  ok: boolean;
  /** what differed, when not ok */
  why?: string;
  /** customer turns the case took (1 for a message) */
  turns: number;
}

function contextOf(c: MessageCase): UnderstandingContext {
  return {
    now: NOW,
    timeZone: TIME_ZONE,
    offeredSlots: c.context?.offeredSlots ?? [],
    previousLanguage: c.context?.previousLanguage ?? null,
    expecting: c.context?.expecting ?? null,
    known: c.context?.known ?? {},
    hasBooking: c.context?.hasBooking ?? false,
  };
}

/** Every difference between what a case expects and what was understood; empty when none. */
export function differences(c: MessageCase, u: Understanding): string[] {
  const e = c.expect;
  const out: string[] = [];
  const same = (field: string, want: unknown, got: unknown) => {
    if (want !== undefined && JSON.stringify(want) !== JSON.stringify(got)) out.push(`${field}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  };
  same('intent', e.intent, u.intent);
  if (e.notIntent !== undefined && u.intent === e.notIntent) out.push(`intent: must not be ${e.notIntent}`);
  same('language', e.language, u.language);
  same('budget', e.budget, u.budget?.amount ?? null);
  same('goal', e.goal, u.goal);
  same('name', e.name, u.name);
  same('slotChoice', e.slotChoice, u.slotChoice);
  same('shift', e.shift, u.shift ?? null);
  if (e.time !== undefined) {
    const t = u.preferredTime;
    if (e.time === null) {
      if (t) out.push(`time: want none, got ${local(t.from)}–${local(t.to)} ${t.precision}`);
    } else if (!t) {
      out.push(`time: want ${e.time.from}, got none`);
    } else {
      same('time.from', e.time.from, local(t.from));
      same('time.to', e.time.to, e.time.to === undefined ? undefined : local(t.to));
      same('time.precision', e.time.precision, e.time.precision === undefined ? undefined : t.precision);
    }
  }
  return out;
}

export async function runMessages(understander: Understander, cases: readonly MessageCase[]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const u = await understander.understand(c.text, contextOf(c));
    const diff = differences(c, u);
    results.push({ class: c.class, label: JSON.stringify(c.text), ok: diff.length === 0, why: diff.join('; ') || undefined, turns: 1 });
  }
  return results;
}

const SLOT_MS = 30 * 60_000;

/** In-memory ports on the sandbox's default calendar; `taken` slots are booked by someone else. */
export function corpusPorts(understander: Understander, rules: Partial<BusinessRules> = {}, taken: readonly string[] = []) {
  /** The active appointments' starts, by id (moves replace, cancellations remove). */
  const appointments = new Map<string, string>();
  const booked: string[] = [];
  let made = 0;
  const sync = () => booked.splice(0, booked.length, ...appointments.values());
  const busy = new Set(taken.map((t) => Date.parse(`${t.replace(' ', 'T')}:00Z`)));
  const tags = new Set<string>();
  const calendar: CalendarPort = {
    bookedInTurn: async () => null,
    slotMinutes: async () => 30,
    openingHours: async () => ({ timeZone: 'UTC', days: { 1: [[540, 1020]], 2: [[540, 1020]], 3: [[540, 1020]], 4: [[540, 1020]], 5: [[540, 1020]] } }),
    freeSlots: async (fromMs, toMs) => {
      const slots: string[] = [];
      const day = new Date(fromMs);
      day.setUTCHours(0, 0, 0, 0);
      for (let t = day.getTime(); t < toMs; t += SLOT_MS) {
        const d = new Date(t);
        const open = d.getUTCHours() >= 9 && d.getUTCHours() < 17 && d.getUTCDay() !== 0 && d.getUTCDay() !== 6;
        if (t >= fromMs && open && !busy.has(t)) slots.push(d.toISOString());
      }
      return slots;
    },
    book: async ({ startTime }): Promise<BookResult> => {
      if (busy.has(Date.parse(startTime))) return { ok: false, reason: 'slot_taken' };
      busy.add(Date.parse(startTime));
      const appointmentId = `apt_${++made}`;
      appointments.set(appointmentId, startTime);
      sync();
      return { ok: true, appointmentId, startTime };
    },
    movedInTurn: async () => null,
    move: async ({ appointmentId, startTime }): Promise<BookResult> => {
      if (busy.has(Date.parse(startTime))) return { ok: false, reason: 'slot_taken' };
      busy.delete(Date.parse(appointments.get(appointmentId)!));
      busy.add(Date.parse(startTime));
      appointments.set(appointmentId, startTime);
      sync();
      return { ok: true, appointmentId, startTime };
    },
    cancel: async ({ appointmentId }) => {
      busy.delete(Date.parse(appointments.get(appointmentId)!));
      appointments.delete(appointmentId);
      sync();
      return { ok: true, appointmentId };
    },
  };
  const contacts: ContactsPort = {
    describe: async () => null,
    ensureContact: async (c) => c.contactId ?? 'c_corpus',
    saveLearned: async () => undefined,
    addTags: async (_id, t) => void t.forEach((x) => tags.add(x)),
    removeTags: async (_id, t) => void t.forEach((x) => tags.delete(x)),
  };
  const ports: WorkflowPorts = {
    understander,
    calendar,
    contacts,
    rules: { minBudget: 500, services: [], minNoticeMinutes: 60, maxDaysAhead: 60, timeZone: 'UTC', currency: 'USD', ...rules },
  };
  return { ports, booked, tags };
}

export async function runConversation(understander: Understander, c: ConversationCase): Promise<CaseResult> {
  const { ports, booked, tags } = corpusPorts(understander, c.rules, c.taken);
  const graph = buildBookingGraph(ports, new MemorySaver());
  const thread = { configurable: { thread_id: 'corpus' } };
  const problems: string[] = [];
  let state: Conversation | null = null;
  let turn = 0;
  for (const step of c.turns) {
    const { say, reply, notReply } = typeof step === 'string' ? { say: step, reply: undefined, notReply: undefined } : step;
    turn++;
    const contact = { contactId: 'c_corpus', phone: '+15550000000', name: c.contactName ?? null, email: null, timezone: null };
    await graph.invoke(turnInput({ turnId: `t${turn}`, message: say, now: NOW, contact, booking: turn === 1 ? null : undefined }), thread);
    state = (await graph.getState(thread)).values as Conversation;
    const said = state.reply ?? '';
    if (reply && !reply.test(said)) problems.push(`turn ${turn} ${JSON.stringify(say)}: reply ${JSON.stringify(said)} does not match ${reply}`);
    if (notReply && notReply.test(said)) problems.push(`turn ${turn} ${JSON.stringify(say)}: reply ${JSON.stringify(said)} matches ${notReply}`);
  }
  const e = c.expect;
  if (e.booked !== undefined) {
    const got = booked.map(local);
    const want = e.booked === null ? [] : [e.booked];
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`booked: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  if (e.optedOut !== undefined && (state?.optedOut ?? false) !== e.optedOut) problems.push(`optedOut: want ${e.optedOut}`);
  if (e.optedOut === true && !tags.has('opted-out')) problems.push('the contact is not tagged opted-out');
  return { class: c.class, label: c.name, ok: problems.length === 0, why: problems.join('; ') || undefined, turns: c.turns.length };
}

export async function runConversations(understander: Understander, cases: readonly ConversationCase[]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) results.push(await runConversation(understander, c));
  return results;
}

export interface ClassScore {
  class: CorpusClass;
  passed: number;
  total: number;
  rate: number;
}

export function scoreByClass(results: readonly CaseResult[]): ClassScore[] {
  const by = new Map<CorpusClass, { passed: number; total: number }>();
  for (const r of results) {
    const s = by.get(r.class) ?? { passed: 0, total: 0 };
    s.total++;
    if (r.ok) s.passed++;
    by.set(r.class, s);
  }
  return [...by].map(([cls, s]) => ({ class: cls, ...s, rate: s.passed / s.total }));
}

/** A Markdown table of the scores (the README's). */
export function scoreTable(scores: readonly ClassScore[]): string {
  const rows = scores.map((s) => `| ${s.class} | ${s.passed}/${s.total} | ${(100 * s.rate).toFixed(1)}% |`);
  return ['| class | right | rate |', '| --- | --- | --- |', ...rows].join('\n');
}
