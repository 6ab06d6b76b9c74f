/**
 * The job processor on its own (real Redis, a graph and GHL stood in for): how a job ends when it cannot
 * succeed, what the customer hears then, and that every accepted job ends visibly.
 */
import type { Job } from 'bullmq';
import pino from 'pino';
import { RunStore, type JobData } from '@wab/shared';
import { EffectLedger } from '../../../services/worker/src/effects/effect-ledger';
import { GhlApiError } from '../../../services/worker/src/ghl/errors';
import { createWorkerMetrics } from '../../../services/worker/src/metrics/worker-metrics';
import { ContactInbox } from '../../../services/worker/src/processing/contact-inbox';
import { ContactProfiles } from '../../../services/worker/src/processing/contact-profile';
import { NEEDS_HUMAN_TAG, createJobProcessor } from '../../../services/worker/src/processing/job-processor';
import { createTimeZoneCheck } from '../../../services/worker/src/processing/time-zone-check';
import type { BookingGraph } from '../../../services/worker/src/workflow/graph';
import type { ContactsPort } from '../../../services/worker/src/workflow/ports';
import { useTestRedis } from '../../support/redis';

const db = useTestRedis('job-processor');
const { prefix } = db;

/** A graph whose run throws: what a bug of ours (or GHL failing inside a node) looks like to the processor. */
const throwingGraph = (error: () => Error) =>
  ({
    stream: async () => {
      throw error();
    },
  }) as unknown as BookingGraph;

function setup(graph: BookingGraph, profiles = new ContactProfiles(db.redis, prefix, 3600), logger = pino({ level: 'silent' })) {
  const sent: { key: string; contactId: string; text: string }[] = [];
  const tags: string[] = [];
  const ledger = new EffectLedger(db.redis, prefix);
  const contacts: ContactsPort = {
    describe: async () => ({ name: 'Ana', email: null, timezone: '' }),
    ensureContact: async (c) => c.contactId ?? 'c_new',
    saveLearned: async () => undefined,
    addTags: async (_id, t) => void tags.push(...t),
    removeTags: async () => undefined,
  };
  const metrics = createWorkerMetrics();
  const runStore = new RunStore(db.redis, prefix, 3600);
  const processor = createJobProcessor({
    graph,
    inbox: new ContactInbox(db.redis, prefix, 5000),
    profiles,
    runStore,
    contacts,
    sendReply: (key, contactId, text) =>
      ledger.once(`reply:${key}`, {
        intent: { text },
        perform: async () => (sent.push({ key, contactId, text }), `msg_${sent.length}`),
        lookup: async () => null,
        isUncertain: () => false,
      }),
    pruneConversation: async () => undefined,
    checkTimeZone: createTimeZoneCheck({ logger, metrics }),
    metrics,
    logger,
    burstWindowMs: 0,
    botPauseMinutes: 60,
    timeZone: 'UTC',
  });
  return { processor, sent, tags, runStore, metrics };
}

let n = 0;
function job(overrides: { attemptsMade?: number; attempts?: number; kind?: 'customer_message' | 'human_reply'; body?: string } = {}): Job<JobData> {
  n++;
  const contactId = `c_${n}`;
  const event =
    overrides.kind === 'human_reply'
      ? { kind: 'human_reply' as const, contactId, conversationId: null, messageId: null }
      : {
          kind: 'customer_message' as const,
          contactId,
          phone: `+1555000${String(n).padStart(4, '0')}`,
          name: null,
          email: null,
          timezone: null,
          conversationId: null,
          messageId: `m_${n}`,
          body: overrides.body ?? 'I need marketing, budget $2000',
          channel: 'whatsapp',
          sentAt: null,
          attachments: 0,
        };
  return {
    id: `run_${n}`,
    data: { runId: `run_${n}`, requestId: `req_${n}`, receivedAt: new Date().toISOString(), format: 'ghl', eventType: 'InboundMessage', locationId: null, contactKey: contactId, event },
    attemptsMade: overrides.attemptsMade ?? 0,
    opts: { attempts: overrides.attempts ?? 3 },
    moveToDelayed: async () => undefined,
  } as unknown as Job<JobData>;
}

it('a failure of ours on the last attempt ends failed, and the customer hears once that a person will answer', async () => {
  const { processor, sent, tags, runStore, metrics } = setup(throwingGraph(() => new RangeError('Invalid time zone specified: ')));
  const j = job({ attemptsMade: 2, attempts: 3 });
  await expect(processor(j)).rejects.toThrow('Invalid time zone');
  expect(await runStore.get(j.data.runId)).toMatchObject({ final_state: 'failed', error: { code: 'WORKFLOW_ERROR', message: 'Invalid time zone specified: ' } });
  expect(sent).toEqual([expect.objectContaining({ contactId: j.data.contactKey, text: expect.stringMatching(/someone from the team/i) })]);
  expect(tags).toEqual([NEEDS_HUMAN_TAG]);
  expect((await metrics.handedToTeam.get()).values[0].value).toBe(1);

  // A replay that fails the same way does not tell the customer again.
  const replayed = { ...j, attemptsMade: 2 } as Job<JobData>;
  await expect(processor(replayed)).rejects.toThrow();
  expect(sent.filter((s) => s.contactId === j.data.contactKey)).toHaveLength(1);
});

it('a GHL refusal ends failed with GHL_API_ERROR and sends nothing (GHL would likely refuse that too)', async () => {
  const { processor, sent, tags, runStore } = setup(throwingGraph(() => new GhlApiError('freeSlots', 422, 'Calendar is misconfigured')));
  const j = job();
  await expect(processor(j)).rejects.toThrow('Calendar is misconfigured');
  expect(await runStore.get(j.data.runId)).toMatchObject({ final_state: 'failed', error: { code: 'GHL_API_ERROR' } });
  expect(sent).toEqual([]);
  expect(tags).toEqual([]);
});

it('a failure with attempts left goes back to the queue, with nothing recorded or sent', async () => {
  const { processor, sent, runStore } = setup(throwingGraph(() => new Error('flaky')));
  const j = job({ attemptsMade: 0, attempts: 3 });
  await expect(processor(j)).rejects.toThrow('flaky');
  expect(await runStore.get(j.data.runId)).toBeNull();
  expect(sent).toEqual([]);
  // Its message waits in the inbox for the next attempt.
  expect(await db.redis.zcard(`${prefix}:wab:inbox:${j.data.contactKey}:order`)).toBe(1);
});

it('a contact event that fails on its last attempt ends failed in its run record, not queued', async () => {
  const broken = new ContactProfiles(db.redis, prefix, 3600);
  broken.update = async () => {
    throw new Error('profile store unavailable');
  };
  const { processor, runStore } = setup(throwingGraph(() => new Error('unused')), broken);
  const j = job({ kind: 'human_reply', attemptsMade: 2, attempts: 3 });
  await expect(processor(j)).rejects.toThrow('profile store unavailable');
  expect(await runStore.get(j.data.runId)).toMatchObject({ final_state: 'failed', error: { code: 'WORKFLOW_ERROR', message: 'profile store unavailable' } });
});

it('counts message statuses under a bounded label: an unknown status is "other", never a series of its own', async () => {
  const { processor, metrics } = setup(throwingGraph(() => new Error('unused')));
  const statusJob = (status: string) => {
    const j = job({ kind: 'human_reply' });
    j.data.event = { kind: 'message_status', messageId: 'm1', status, at: null };
    j.data.contactKey = null;
    return j;
  };
  await processor(statusJob('Delivered'));
  await processor(statusJob(`x${'y'.repeat(200)}`));
  const labels = (await metrics.messageStatuses.get()).values.map((v) => v.labels.status);
  expect(labels.sort()).toEqual(['delivered', 'other']);
});

it('logs a turn at info without the phone number or the message: the contact is a short stable hash', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const answering = {
    stream: async () =>
      (async function* () {
        yield ['updates', { triage: {} }];
        yield ['values', { reply: 'What budget do you have in mind?', outcome: 'waiting_for_customer', optedOut: false, booking: null, name: null, goal: 'marketing', budget: null, email: null, preferredTime: null, language: 'en' }];
      })(),
  } as unknown as BookingGraph;
  const { processor } = setup(answering, undefined, logger);
  const j = job({ body: 'my secret plans for world domination' });
  j.data.contactKey = (j.data.event as { phone: string }).phone; // the reference format keys a contact without an id by phone
  await processor(j);
  const text = lines.join('\n');
  expect(text).toContain('turn answered');
  expect(text).not.toContain((j.data.event as { phone: string }).phone);
  expect(text).not.toContain('world domination');
  expect(text).toMatch(/"contact":"[0-9a-f]{12}"/);
});
