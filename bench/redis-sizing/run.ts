/**
 * bench/redis-sizing: how much Redis memory the system needs per queued message and per conversation, to
 * size Redis (`maxmemory`, the pod's memory limit). A measurement script, not a test:
 *
 *   node -r ./bench/redis-sizing/register-ts.js bench/redis-sizing/run.ts [--messages 2000] [--conversations 32]
 *
 * 1. Queued message, BullMQ only: N reference messages, normalised as the ingest does, added with the
 *    ingest's job options (retries, retention) to an empty key prefix; MEMORY USAGE summed over the prefix.
 * 2. Queued message through the ingest: N signed webhooks to the real ingest app (in-process, no worker),
 *    so the dedupe markers and everything else the ingest writes per message are counted too.
 * 3. Conversation: C customers each book in four messages through the whole system in-process (ingest,
 *    worker, GHL sandbox); afterwards the keys are summed by kind: conversation state per contact
 *    (checkpoints, profile), and what each message leaves behind until retention removes it (completed job,
 *    run record, dedupe marker, effect ledger).
 *
 * MEMORY USAGE ... SAMPLES 0 counts every element of every key (exact, includes Redis's per-key overhead).
 * INFO used_memory deltas are printed too, but they are only meaningful on a Redis nobody else is using.
 * Needs Redis (REDIS_URL, else 127.0.0.1:6379, else a private redis-server); every key it writes is under a
 * fresh prefix and deleted at the end.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { INBOUND_QUEUE, findOrStartRedis, inboundJobOptions, loadConfig, normaliseWebhook, toJobData } from '@wab/shared';
import { referenceMessage, ghlInboundMessage, startIngest } from '../../test/support/ingest-harness';
import { deletePrefix } from '../../test/support/redis';
import { startSystem } from '../../test/support/system';

interface Options {
  messages: number;
  conversations: number;
}

function readOptions(argv: string[]): Options {
  const options: Options = { messages: 2000, conversations: 32 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '') as keyof Options;
    if (!(key in options) || !(Number(argv[i + 1]) > 0)) throw new Error(`usage: [--messages N] [--conversations N] (got ${argv[i]} ${argv[i + 1]})`);
    options[key] = Number(argv[i + 1]);
  }
  return options;
}

/** Every key under a prefix with its MEMORY USAGE (all elements counted). */
async function keysWithSize(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    const results = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => sizes.set(key, Number(results[i][1] ?? 0)));
  } while (cursor !== '0');
  return sizes;
}

const usedMemory = async (redis: Redis) => Number((await redis.info('memory')).match(/^used_memory:(\d+)/m)![1]);

/** Sums sizes by the first rule whose pattern matches the key (after the prefix). */
function byKind(sizes: Map<string, number>, prefix: string, kinds: [string, RegExp][]): Record<string, { keys: number; bytes: number }> {
  const out: Record<string, { keys: number; bytes: number }> = {};
  for (const [key, bytes] of sizes) {
    const rest = key.slice(prefix.length + 1);
    const kind = kinds.find(([, pattern]) => pattern.test(rest))?.[0] ?? 'other';
    out[kind] ??= { keys: 0, bytes: 0 };
    out[kind].keys += 1;
    out[kind].bytes += bytes;
  }
  return out;
}

/** The kinds, largest first, as table lines. */
const table = (kinds: Record<string, { keys: number; bytes: number }>) =>
  Object.entries(kinds)
    .sort(([, a], [, b]) => b.bytes - a.bytes)
    .map(([kind, v]) => `   ${kind.padEnd(30)} ${String(v.keys).padStart(6)} keys  ${kb(v.bytes).padStart(12)}`)
    .join('\n');

const total = (sizes: Map<string, number>) => [...sizes.values()].reduce((a, b) => a + b, 0);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;

/** BullMQ's keys; the first matching rule wins, so the queue's own keys come before job hashes. */
const BULL_KINDS: [string, RegExp][] = [
  ['events stream (capped)', /^inbound:events$/],
  ['queue lists/sets', /^inbound:(wait|paused|active|delayed|prioritized|completed|failed|marker|pc|id|meta|stalled-check|limiter|de)$/],
  ['job hashes', /^inbound:[^:]+$/],
];

/** 1. BullMQ alone: the job the ingest would add, with its options. */
async function queuedMessageBull(redis: Redis, n: number) {
  const prefix = `sizing-${randomUUID().slice(0, 8)}`;
  const queue = new Queue(INBOUND_QUEUE, { connection: redis, prefix });
  const options = inboundJobOptions(loadConfig({}));
  try {
    const before = await usedMemory(redis);
    for (let i = 0; i < n; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, n - i) }, (_, j) => {
          const event = normaliseWebhook(referenceMessage({ id: `msg_${i + j}`, from: `+1555${String(i + j).padStart(7, '0')}` }), { acceptedChannels: ['whatsapp', 'sms'] });
          if (event.outcome !== 'event') throw new Error(`the reference message was not accepted: ${JSON.stringify(event)}`);
          const runId = `run_${randomUUID()}`;
          const data = toJobData(event, { runId, requestId: `req_${randomUUID()}` });
          return queue.add(data.eventType, data, { ...options, jobId: runId });
        }),
      );
    }
    const sizes = await keysWithSize(redis, prefix);
    return { prefix, n, total: total(sizes), usedMemoryDelta: (await usedMemory(redis)) - before, kinds: byKind(sizes, prefix, BULL_KINDS) };
  } finally {
    await queue.close();
    await deletePrefix(redis, prefix);
  }
}

/** 2. Through the real ingest: signed webhooks, dedupe markers and all. */
async function queuedMessageIngest(redis: Redis, n: number) {
  const ingest = await startIngest({ RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_PHONE: '0' });
  try {
    const before = await usedMemory(redis);
    for (let i = 0; i < n; i += 50) {
      const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) =>
        ingest.post(ghlInboundMessage({ contactId: `c_${i + j}`, from: `+1555${String(i + j).padStart(7, '0')}`, body: 'Hi, I need help with marketing. My budget is $2000' })),
      );
      for (const res of await Promise.all(batch)) if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    const sizes = await keysWithSize(redis, ingest.prefix);
    const kinds = byKind(sizes, ingest.prefix, [...BULL_KINDS, ['dedupe markers', /^wab:dedupe:/], ['run records', /^wab:run:/]]);
    return { n, total: total(sizes), usedMemoryDelta: (await usedMemory(redis)) - before, kinds };
  } finally {
    await ingest.close();
  }
}

/** 3. Whole conversations through ingest, worker and the GHL sandbox. */
async function conversations(redis: Redis, count: number) {
  // GHL's real budget (100 calls / 10 s) would make this slow without changing what is stored.
  const system = await startSystem({ env: { GHL_RATE_LIMIT_PER_10S: '100000' } });
  // Each customer asks for a slot of its own (the GHL double is open 09:00-17:00 every day, 30-minute
  // slots), so the conversations book instead of being offered alternatives.
  const slot = (i: number) => `${['tomorrow', 'the day after tomorrow'][Math.floor(i / 16) % 2]} at ${9 + Math.floor((i % 16) / 2)}:${i % 2 ? '30' : '00'}`;
  const script = (i: number) => ['Hi', 'I need help with SEO', 'my budget is 2k', `I'm Ana, ${slot(i)}, ana@example.com`];
  const kinds: [string, RegExp][] = [
    ['checkpoints: channel values', /^wab:cp:blobs:/],
    ['checkpoints: checkpoints', /^wab:cp:checkpoints:/],
    ['checkpoints: pending writes', /^wab:cp:(writes|write-ids):/],
    ['checkpoints: ids, threads', /^wab:cp:/],
    ['contact profiles', /^wab:contact:/],
    ['contact inboxes', /^wab:inbox:/],
    ['effect ledger', /^wab:effect:/],
    ['run records', /^wab:run:/],
    ['dedupe markers', /^wab:dedupe:/],
    ['GHL sandbox (not ours)', /^sandbox:/],
    ...BULL_KINDS,
  ];
  try {
    const customers = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const contactId = `c_${randomUUID().slice(0, 8)}`;
        const phone = `+1556${String(i).padStart(7, '0')}`;
        await system.ghl.seedContact({ id: contactId, phone });
        return { i, contactId, phone, last: '' };
      }),
    );
    // Turn by turn for every customer at once, measuring the conversation state after each turn.
    const checkpointsAfterTurn: number[] = [];
    for (let turn = 0; turn < 4; turn++) {
      await Promise.all(
        customers.map(async (c) => {
          const res = await system.ingest.post(ghlInboundMessage({ contactId: c.contactId, from: c.phone, body: script(c.i)[turn] }), { query: '?wait=30' });
          if (res.status !== 200) throw new Error(`customer ${c.i}, turn ${turn + 1}: ${res.status} ${JSON.stringify(res.body)}`);
          c.last = String(res.body!.final_state);
        }),
      );
      const now = byKind(await keysWithSize(redis, system.prefix), system.prefix, kinds);
      checkpointsAfterTurn.push(Object.entries(now).filter(([kind]) => kind.startsWith('checkpoints')).reduce((sum, [, v]) => sum + v.bytes, 0));
    }
    const finalStates: Record<string, number> = {};
    for (const c of customers) finalStates[c.last] = (finalStates[c.last] ?? 0) + 1;
    const sizes = await keysWithSize(redis, system.prefix);
    // How many checkpoints a thread keeps: every step of every turn stays until the conversation's TTL.
    const ids = [...sizes.keys()].filter((key) => key.startsWith(`${system.prefix}:wab:cp:ids:`));
    const perThread = (await Promise.all(ids.map((key) => redis.zcard(key)))).reduce((a, b) => a + b, 0) / Math.max(1, ids.length);
    return { count, messages: count * 4, finalStates, kinds: byKind(sizes, system.prefix, kinds), checkpointsAfterTurn, checkpointsPerThread: perThread };
  } finally {
    await system.close();
  }
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const local = await findOrStartRedis(process.env.REDIS_URL || undefined);
  process.env.REDIS_URL = local.url; // the test harness reads it
  const redis = new Redis(local.url);
  try {
    const info = await redis.info('server');
    console.log(`Redis ${info.match(/^redis_version:(\S+)/m)?.[1]} at ${local.url}${local.started ? ' (private)' : ''}\n`);

    const bull = await queuedMessageBull(redis, options.messages);
    console.log(`1. Queued message, BullMQ job only (N=${bull.n}, the ingest's job options)`);
    console.log(table(bull.kinds));
    const jobBytes = (bull.kinds['job hashes']?.bytes ?? 0) + (bull.kinds['queue lists/sets']?.bytes ?? 0);
    console.log(`   per message: ${Math.round(bull.total / bull.n)} B with the events stream, ${Math.round(jobBytes / bull.n)} B without it (MEMORY USAGE); used_memory delta ${Math.round(bull.usedMemoryDelta / bull.n)} B\n`);

    const ing = await queuedMessageIngest(redis, options.messages);
    console.log(`2. Queued message through the ingest (N=${ing.n} signed GHL InboundMessage webhooks, no worker)`);
    console.log(table(ing.kinds));
    const ingNoEvents = ing.total - (ing.kinds['events stream (capped)']?.bytes ?? 0);
    console.log(`   per message: ${Math.round(ing.total / ing.n)} B with the events stream, ${Math.round(ingNoEvents / ing.n)} B without it; used_memory delta ${Math.round(ing.usedMemoryDelta / ing.n)} B\n`);

    const conv = await conversations(redis, options.conversations);
    console.log(`3. Conversations (${conv.count} customers, ${conv.messages} messages; final states ${JSON.stringify(conv.finalStates)})`);
    console.log(table(conv.kinds));
    const b = (kind: string) => conv.kinds[kind]?.bytes ?? 0;
    const checkpointBytes = Object.entries(conv.kinds).filter(([kind]) => kind.startsWith('checkpoints')).reduce((sum, [, v]) => sum + v.bytes, 0);
    const perContact = (checkpointBytes + b('contact profiles') + b('contact inboxes')) / conv.count;
    const perMessage = (b('job hashes') + b('run records') + b('dedupe markers') + b('effect ledger')) / conv.messages;
    console.log(`   per contact (conversation state, kept CONVERSATION_TTL_DAYS): ${Math.round(perContact)} B after 4 messages`);
    console.log(`   checkpoint bytes per contact after turn 1..4: ${conv.checkpointsAfterTurn.map((bytes) => Math.round(bytes / conv.count)).join(', ')} B (${conv.checkpointsPerThread} checkpoints kept per thread)`);
    console.log(`   per processed message (completed job, run record, dedupe marker, effects; kept until retention): ${Math.round(perMessage)} B`);
    console.log(`     of which completed job ${Math.round(b('job hashes') / conv.messages)} B (JOB_KEEP_COMPLETED_*), run record ${Math.round(b('run records') / conv.messages)} B (RUN_RECORD_TTL_DAYS), dedupe ${Math.round(b('dedupe markers') / conv.messages)} B (DEDUPE_TTL_SECONDS), effects ${Math.round(b('effect ledger') / conv.messages)} B`);
  } finally {
    redis.disconnect();
    await local.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
