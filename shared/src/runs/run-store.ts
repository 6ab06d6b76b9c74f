import type { RedisConnection } from '../redis/connection';
import { keysFor } from '../redis/keys';
import type { RunRecord } from './run-record';

export interface ClusterCounters {
  processed_messages: number;
  successful_bookings: number;
  failed_bookings: number;
  /** Mean seconds per processed message, over the cluster's life. */
  average_processing_time: number;
  last_error: { code: string; message: string; at: string } | null;
  /** The same counts per location (of the configured set: workers only run configured locations). */
  by_location: Record<string, { processed_messages: number; successful_bookings: number; failed_bookings: number }>;
}

export type DependencyName = 'ghl_api' | 'openai_api';
export interface DependencyStatus {
  status: 'connected' | 'error' | 'not_configured' | 'unknown';
  at: string | null;
  detail?: string;
}

/**
 * Run records and cluster-wide counters. The worker writes, the ingest reads; any replica sees the same
 * numbers because they live in Redis.
 */
export class RunStore {
  private readonly keys;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly recordTtlSeconds = 14 * 24 * 3600,
  ) {
    this.keys = keysFor(prefix, redis);
  }

  async save(record: RunRecord): Promise<void> {
    await this.redis.set(this.keys.run(record.workflow_run_id), JSON.stringify(record), 'EX', this.recordTtlSeconds);
  }

  async get(runId: string): Promise<RunRecord | null> {
    const raw = await this.redis.get(this.keys.run(runId));
    return raw ? (JSON.parse(raw) as RunRecord) : null;
  }

  /** Drops a run's record (a replayed run is read from the queue again until it ends). */
  async forget(runId: string): Promise<void> {
    await this.redis.del(this.keys.run(runId));
  }

  /** Counts processed messages (a turn may answer several) and a booking outcome, when there was one. */
  async countProcessed(outcome: { seconds: number; messages?: number; booking?: 'created' | 'failed'; locationId?: string | null }): Promise<void> {
    const messages = outcome.messages ?? 1;
    const tx = this.redis.multi();
    // One hash: the totals and each location's fields move together (and stay in one Cluster slot).
    for (const scope of outcome.locationId ? ['', `location:${outcome.locationId}:`] : ['']) {
      tx.hincrby(this.keys.counters, `${scope}processed`, messages);
      if (outcome.booking === 'created') tx.hincrby(this.keys.counters, `${scope}bookings_ok`, 1);
      if (outcome.booking === 'failed') tx.hincrby(this.keys.counters, `${scope}bookings_failed`, 1);
    }
    tx.hincrbyfloat(this.keys.counters, 'processing_seconds', outcome.seconds * messages);
    await tx.exec();
  }

  async recordError(code: string, message: string): Promise<void> {
    const value = JSON.stringify({ code, message: message.slice(0, 500), at: new Date().toISOString() });
    await this.redis.hset(this.keys.counters, 'last_error', value);
  }

  async counters(): Promise<ClusterCounters> {
    const h = await this.redis.hgetall(this.keys.counters);
    const processed = Number(h.processed ?? 0);
    const seconds = Number(h.processing_seconds ?? 0);
    return {
      processed_messages: processed,
      successful_bookings: Number(h.bookings_ok ?? 0),
      failed_bookings: Number(h.bookings_failed ?? 0),
      average_processing_time: processed ? Math.round((seconds / processed) * 1000) / 1000 : 0,
      last_error: h.last_error ? JSON.parse(h.last_error) : null,
      by_location: byLocation(h),
    };
  }

  /** What a worker last saw of an outside service, so /health need not probe it per request. */
  async reportDependency(name: DependencyName, status: DependencyStatus['status'], detail?: string): Promise<void> {
    const value: DependencyStatus = { status, at: new Date().toISOString(), ...(detail ? { detail: detail.slice(0, 200) } : {}) };
    await this.redis.hset(this.keys.dependencies, name, JSON.stringify(value));
  }

  /** The LangGraph version the workers run, for /status (the ingest does not load LangGraph). */
  async reportLanggraphVersion(version: string): Promise<void> {
    await this.redis.hset(this.keys.dependencies, 'langgraph_version', version);
  }

  async dependencies(): Promise<Record<DependencyName, DependencyStatus> & { langgraph_version: string | null }> {
    const h = await this.redis.hgetall(this.keys.dependencies);
    const read = (name: DependencyName): DependencyStatus =>
      h[name] ? (JSON.parse(h[name]) as DependencyStatus) : { status: 'unknown', at: null };
    return { ghl_api: read('ghl_api'), openai_api: read('openai_api'), langgraph_version: h.langgraph_version ?? null };
  }
}

function byLocation(h: Record<string, string>): ClusterCounters['by_location'] {
  const out: ClusterCounters['by_location'] = {};
  for (const [field, value] of Object.entries(h)) {
    const match = /^location:(.+):(processed|bookings_ok|bookings_failed)$/.exec(field);
    if (!match) continue;
    const counts = (out[match[1]] ??= { processed_messages: 0, successful_bookings: 0, failed_bookings: 0 });
    const n = Number(value);
    if (match[2] === 'processed') counts.processed_messages = n;
    else if (match[2] === 'bookings_ok') counts.successful_bookings = n;
    else counts.failed_bookings = n;
  }
  return out;
}
