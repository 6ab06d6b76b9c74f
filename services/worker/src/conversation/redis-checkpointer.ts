import { isDeepStrictEqual } from 'node:util';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
} from '@langchain/langgraph-checkpoint';
import type { ChainableCommander } from 'ioredis';
import { keysFor, type ProductKeys, type RedisConnection } from '@wab/shared';

export interface RedisCheckpointSaverOptions {
  /** QUEUE_PREFIX: the keys are the product's (productKeys().conversation; hash-tagged per thread on a cluster). */
  prefix: string;
  /** A thread's keys expire this long after its last put/putWrites; unset keeps them forever. */
  ttlSeconds?: number;
}

/**
 * Key layout (productKeys().conversation), all under `<prefix>:wab:cp:`. The thread id is the last part of each
 * per-thread key (its hash tag on a cluster, so a thread's transactions stay in one slot), so any thread id is
 * safe and one EXPIRE/DEL per key covers the whole thread (every namespace, every checkpoint):
 *
 *   ids:<thread>         ZSET  ns\0id, score 0 – lexical order is checkpoint order (uuid6 ids sort by time)
 *   checkpoints:<thread> HASH  ns\0id -> StoredCheckpoint (checkpoint without channel_values, metadata, parent)
 *   blobs:<thread>       HASH  ns\0channel\0version -> a channel value, stored once per version
 *   writes:<thread>      HASH  ns\0id\0task\0idx -> StoredWrite
 *   write-ids:<thread>   ZSET  the writes fields, so one checkpoint's writes are a lexical range
 *   threads              ZSET  thread id, score = last write (ms); only for list() without a thread_id. Written
 *                        apart from the thread's transaction: on a cluster it lives in another slot.
 */
const SEP = '\u0000'; // sorts below every character of an id or namespace, so `ns\0` ranges are exact
const AFTER_SEP = '\u0001';
const PAGE_SIZE = 100;

/** Serde output as JSON-safe text: the bytes may be binary, so they are base64. */
interface Serialized {
  type: string;
  data: string;
}

interface StoredCheckpoint {
  checkpoint: Serialized;
  metadata: Serialized;
  parentId?: string;
}

interface StoredWrite {
  taskId: string;
  idx: number;
  channel: string;
  taskPath: string;
  value: Serialized;
}

/** A blob of `null` records that the channel changed version but holds no value (e.g. it was cleared). */
type StoredBlob = Serialized | null;

interface LoadedWrite {
  taskId: string;
  channel: string;
  value: unknown;
}

type ThreadKeys = ReturnType<RedisCheckpointSaver['threadKeys']>;

const join = (...parts: string[]): string => parts.join(SEP);

const configFor = (threadId: string, ns: string, checkpointId: string): RunnableConfig => ({
  configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpointId },
});

function requireThreadId(config: RunnableConfig, action: string): string {
  const threadId: unknown = config.configurable?.thread_id;
  if (typeof threadId !== 'string' || threadId === '') {
    throw new Error(`Failed to ${action}: config.configurable.thread_id must be a non-empty string`);
  }
  return threadId;
}

/** A MULTI/pipeline reports command errors per reply instead of rejecting, so surface the first one. */
async function execOrThrow(batch: ChainableCommander): Promise<void> {
  const replies = await batch.exec();
  if (!replies) throw new Error('Redis transaction was aborted');
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
}

export class RedisCheckpointSaver extends BaseCheckpointSaver {
  private readonly keys: ProductKeys['conversation'];
  private readonly ttlSeconds?: number;

  constructor(
    private readonly redis: RedisConnection,
    options: RedisCheckpointSaverOptions,
  ) {
    super();
    if (options.ttlSeconds !== undefined && !(Number.isInteger(options.ttlSeconds) && options.ttlSeconds > 0)) {
      throw new Error('ttlSeconds must be a positive integer');
    }
    this.keys = keysFor(options.prefix, redis).conversation;
    this.ttlSeconds = options.ttlSeconds;
  }

  /** Every key that belongs to one thread; put/putWrites refresh their TTL and deleteThread removes them. */
  threadKeys(threadId: string) {
    return this.keys.thread(threadId);
  }

  private get threadsKey(): string {
    return this.keys.threads;
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId: unknown = config.configurable?.thread_id;
    if (typeof threadId !== 'string' || threadId === '') return undefined;
    const ns: string = config.configurable?.checkpoint_ns ?? '';
    const checkpointId = getCheckpointId(config) || (await this.latestId(threadId, ns));
    return checkpointId ? this.loadTuple(threadId, ns, checkpointId) : undefined;
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    let remaining = options.limit;
    if (remaining !== undefined && remaining <= 0) return;
    const threadId: string | undefined = config.configurable?.thread_id;
    const ns: string | undefined = config.configurable?.checkpoint_ns; // undefined: every namespace
    const onlyId: string | undefined = config.configurable?.checkpoint_id;
    const beforeId: string | undefined = before?.configurable?.checkpoint_id;
    // Without a filter nothing is dropped after loading, so fetch no more than the limit asks for.
    const pageSize = filter || onlyId ? PAGE_SIZE : Math.min(PAGE_SIZE, remaining ?? PAGE_SIZE);

    // Listing every thread is an admin/test path; it reads the whole (TTL-pruned) thread index.
    const threads = threadId !== undefined ? [threadId] : await this.redis.zrange(this.threadsKey, '0', '-1', 'REV');
    for (const thread of threads) {
      for await (const page of this.idPages(thread, ns, beforeId, pageSize)) {
        const wanted = onlyId ? page.filter(([, id]) => id === onlyId) : page;
        // Concurrent loads share the connection, so ioredis pipelines them.
        const tuples = await Promise.all(wanted.map(([pageNs, id]) => this.loadTuple(thread, pageNs, id, filter)));
        for (const tuple of tuples) {
          if (!tuple) continue;
          yield tuple;
          if (remaining !== undefined && --remaining <= 0) return;
        }
      }
    }
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = requireThreadId(config, 'put checkpoint');
    const ns: string = config.configurable?.checkpoint_ns ?? '';
    const parentId: string | undefined = config.configurable?.checkpoint_id;
    const { channel_values: values, ...body } = copyCheckpoint(checkpoint);

    // Channel values live in `blobs`, keyed by version, and only channels in newVersions are written:
    // an unchanged channel keeps pointing at the blob an ancestor stored.
    const blobFields: string[] = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      const blob: StoredBlob = Object.hasOwn(values, channel) ? await this.dump(values[channel]) : null;
      blobFields.push(join(ns, channel, String(version)), JSON.stringify(blob));
    }
    const stored: StoredCheckpoint = {
      checkpoint: await this.dump(body),
      metadata: await this.dump(metadata),
      ...(parentId ? { parentId } : {}),
    };

    const keys = this.threadKeys(threadId);
    const member = join(ns, checkpoint.id);
    const tx = this.redis.multi().zadd(keys.ids, 0, member).hset(keys.checkpoints, member, JSON.stringify(stored));
    if (blobFields.length) tx.hset(keys.blobs, ...blobFields);
    this.touch(tx, threadId);
    await execOrThrow(tx);
    await this.index(threadId);
    return configFor(threadId, ns, checkpoint.id);
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    const threadId = requireThreadId(config, 'put writes');
    const ns: string = config.configurable?.checkpoint_ns ?? '';
    const checkpointId: unknown = config.configurable?.checkpoint_id;
    if (typeof checkpointId !== 'string' || checkpointId === '') {
      throw new Error('Failed to put writes: config.configurable.checkpoint_id is required');
    }

    const keys = this.threadKeys(threadId);
    const tx = this.redis.multi();
    for (const [i, [channel, value]] of writes.entries()) {
      const idx = WRITES_IDX_MAP[channel] ?? i;
      const field = join(ns, checkpointId, taskId, String(idx));
      const stored: StoredWrite = { taskId, idx, channel, taskPath, value: await this.dump(value) };
      // As in MemorySaver: special channels (error, interrupt, resume…) have negative indexes and replace the
      // earlier write; a regular write is kept as first stored, so a retried task cannot change it.
      if (idx < 0) tx.hset(keys.writes, field, JSON.stringify(stored));
      else tx.hsetnx(keys.writes, field, JSON.stringify(stored));
      tx.zadd(keys.writeIds, 0, field);
    }
    this.touch(tx, threadId);
    await execOrThrow(tx);
    await this.index(threadId);
  }

  async deleteThread(threadId: string): Promise<void> {
    await execOrThrow(this.redis.multi().del(...Object.values(this.threadKeys(threadId))));
    await this.redis.zrem(this.threadsKey, threadId);
  }

  /**
   * Keeps only the newest `keep` checkpoints of each namespace of a thread, with the channel values and
   * writes they use, and deletes the rest. A conversation needs its latest state, not its history, and the
   * history grows with every node of every turn. Call it when no run of the thread is active (the worker
   * holds the contact's lock); the kept checkpoints' parent links then point at nothing, which only
   * matters for time travel, which the product does not use.
   */
  async prune(threadId: string, keep = 1): Promise<void> {
    const keys = this.threadKeys(threadId);
    const members = await this.redis.zrange(keys.ids, '0', '-1');
    const byNs = new Map<string, string[]>();
    for (const member of members) {
      const ns = member.slice(0, member.indexOf(SEP));
      byNs.set(ns, [...(byNs.get(ns) ?? []), member]);
    }
    const kept = new Set<string>();
    const dropped: string[] = [];
    for (const list of byNs.values()) {
      list.slice(-keep).forEach((m) => kept.add(m));
      dropped.push(...list.slice(0, -keep));
    }
    if (dropped.length === 0) return;

    // Blobs are shared between checkpoints: keep every one a kept checkpoint points at.
    const keptRaw = await this.redis.hmget(keys.checkpoints, ...kept);
    const usedBlobs = new Set<string>();
    for (const [i, member] of [...kept].entries()) {
      if (!keptRaw[i]) continue;
      const ns = member.slice(0, member.indexOf(SEP));
      const body = (await this.load((JSON.parse(keptRaw[i]!) as StoredCheckpoint).checkpoint)) as Omit<Checkpoint, 'channel_values'>;
      for (const [channel, version] of Object.entries(body.channel_versions)) usedBlobs.add(join(ns, channel, String(version)));
    }
    const [blobFields, writeFields] = await Promise.all([this.redis.hkeys(keys.blobs), this.redis.zrange(keys.writeIds, '0', '-1')]);
    const staleBlobs = blobFields.filter((field) => !usedBlobs.has(field));
    const checkpointOf = (field: string) => field.split(SEP).slice(0, 2).join(SEP);
    const staleWrites = writeFields.filter((field) => !kept.has(checkpointOf(field)));

    const tx = this.redis.multi().zrem(keys.ids, ...dropped).hdel(keys.checkpoints, ...dropped);
    if (staleBlobs.length) tx.hdel(keys.blobs, ...staleBlobs);
    if (staleWrites.length) tx.hdel(keys.writes, ...staleWrites).zrem(keys.writeIds, ...staleWrites);
    await execOrThrow(tx);
  }

  /** Restarts the TTL on all of the thread's keys, inside the caller's transaction. */
  private touch(tx: ChainableCommander, threadId: string): void {
    if (this.ttlSeconds === undefined) return;
    for (const key of Object.values(this.threadKeys(threadId))) tx.expire(key, this.ttlSeconds);
  }

  /**
   * Marks the thread active in the index, after its transaction (the index is in another cluster slot). A
   * failure here fails the write, so the turn is retried; the checkpoint before it is already stored.
   */
  private async index(threadId: string): Promise<void> {
    const now = Date.now();
    const tx = this.redis.multi().zadd(this.threadsKey, now, threadId);
    // Threads idle past the TTL have expired keys; drop them from the index so it stays bounded.
    if (this.ttlSeconds !== undefined) tx.zremrangebyscore(this.threadsKey, '-inf', `(${now - this.ttlSeconds * 1000}`);
    await execOrThrow(tx);
  }

  private async latestId(threadId: string, ns: string): Promise<string | undefined> {
    const [member] = await this.redis.zrange(
      this.threadKeys(threadId).ids,
      `(${ns}${AFTER_SEP}`,
      `[${ns}${SEP}`,
      'BYLEX',
      'REV',
      'LIMIT',
      0,
      1,
    );
    return member?.slice(ns.length + 1);
  }

  /** Checkpoint ids of one thread as [ns, id], newest first, in pages. */
  private async *idPages(
    threadId: string,
    ns: string | undefined,
    beforeId: string | undefined,
    pageSize: number,
  ): AsyncGenerator<Array<[string, string]>> {
    const key = this.threadKeys(threadId).ids;
    if (ns === undefined) {
      // Namespaces interleave in time, so read them all and order by id (a thread holds few subgraph namespaces).
      const all = (await this.redis.zrange(key, '0', '-1'))
        .map((member): [string, string] => {
          const at = member.indexOf(SEP);
          return [member.slice(0, at), member.slice(at + 1)];
        })
        .filter(([, id]) => beforeId === undefined || id < beforeId)
        .sort(([nsA, a], [nsB, b]) => (a !== b ? (a < b ? 1 : -1) : nsA < nsB ? -1 : 1));
      for (let i = 0; i < all.length; i += pageSize) yield all.slice(i, i + pageSize);
      return;
    }
    let max = beforeId !== undefined ? `(${join(ns, beforeId)}` : `(${ns}${AFTER_SEP}`;
    const min = `[${ns}${SEP}`;
    for (;;) {
      const members = await this.redis.zrange(key, max, min, 'BYLEX', 'REV', 'LIMIT', 0, pageSize);
      if (members.length) yield members.map((member): [string, string] => [ns, member.slice(ns.length + 1)]);
      if (members.length < pageSize) return;
      max = `(${members[members.length - 1]}`;
    }
  }

  private async loadTuple(
    threadId: string,
    ns: string,
    checkpointId: string,
    filter?: Record<string, unknown>,
  ): Promise<CheckpointTuple | undefined> {
    const keys = this.threadKeys(threadId);
    const raw = await this.redis.hget(keys.checkpoints, join(ns, checkpointId));
    if (raw === null) return undefined;
    const stored = JSON.parse(raw) as StoredCheckpoint;
    const metadata = (await this.load(stored.metadata)) as CheckpointMetadata;
    // Filter on metadata before loading the heavier parts.
    if (filter && !Object.entries(filter).every(([k, v]) => isDeepStrictEqual((metadata as Record<string, unknown>)[k], v))) {
      return undefined;
    }
    const body = (await this.load(stored.checkpoint)) as Omit<Checkpoint, 'channel_values'>;
    const [channelValues, writes] = await Promise.all([
      this.loadChannelValues(keys, ns, body.channel_versions),
      this.loadWrites(keys, ns, checkpointId),
    ]);
    const checkpoint: Checkpoint = { ...body, channel_values: channelValues };
    if (checkpoint.v < 4 && stored.parentId !== undefined) {
      await this.migratePendingSends(checkpoint, keys, ns, stored.parentId);
    }
    const tuple: CheckpointTuple = {
      config: configFor(threadId, ns, checkpointId),
      checkpoint,
      metadata,
      pendingWrites: writes.map(({ taskId, channel, value }) => [taskId, channel, value]),
    };
    if (stored.parentId !== undefined) tuple.parentConfig = configFor(threadId, ns, stored.parentId);
    return tuple;
  }

  private async loadChannelValues(keys: ThreadKeys, ns: string, versions: ChannelVersions): Promise<Record<string, unknown>> {
    const channels = Object.keys(versions);
    if (!channels.length) return {};
    const raw = await this.redis.hmget(keys.blobs, ...channels.map((channel) => join(ns, channel, String(versions[channel]))));
    const values: Record<string, unknown> = {};
    await Promise.all(
      channels.map(async (channel, i) => {
        const blob = raw[i] === null ? null : (JSON.parse(raw[i]!) as StoredBlob);
        if (blob) values[channel] = await this.load(blob);
      }),
    );
    return values;
  }

  /** One checkpoint's writes in writesSortKey order, the order live execution applies them in. */
  private async loadWrites(keys: ThreadKeys, ns: string, checkpointId: string): Promise<LoadedWrite[]> {
    const start = join(ns, checkpointId);
    const fields = await this.redis.zrange(keys.writeIds, `[${start}${SEP}`, `(${start}${AFTER_SEP}`, 'BYLEX');
    if (!fields.length) return [];
    const stored = (await this.redis.hmget(keys.writes, ...fields))
      .filter((raw): raw is string => raw !== null)
      .map((raw) => JSON.parse(raw) as StoredWrite)
      .sort((a, b) =>
        compareWritesSortKeys(writesSortKey(a.taskPath, a.taskId, a.idx), writesSortKey(b.taskPath, b.taskId, b.idx)),
      );
    return Promise.all(
      stored.map(async ({ taskId, channel, value }) => ({ taskId, channel, value: await this.load(value) })),
    );
  }

  /** Checkpoints before format v4 kept pending sends as writes on the parent; move them into the TASKS channel. */
  private async migratePendingSends(checkpoint: Checkpoint, keys: ThreadKeys, ns: string, parentId: string): Promise<void> {
    const parentWrites = await this.loadWrites(keys, ns, parentId);
    checkpoint.channel_values[TASKS] = parentWrites.filter((w) => w.channel === TASKS).map((w) => w.value);
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] = versions.length ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }

  private async dump(value: unknown): Promise<Serialized> {
    const [type, bytes] = await this.serde.dumpsTyped(value);
    return { type, data: Buffer.from(bytes).toString('base64') };
  }

  private load({ type, data }: Serialized): Promise<unknown> {
    return this.serde.loadsTyped(type, new Uint8Array(Buffer.from(data, 'base64')));
  }
}
