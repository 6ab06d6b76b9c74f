import type { Job, JobsOptions, Queue } from 'bullmq';
import { BACKLOG_STATES, QUEUE_STATES, type JobData } from '@wab/shared';
import type { QueueSnapshot } from '../metrics/ingest-metrics';

/** The ingest's side of the queue: add jobs, read the backlog. */
export class InboundQueue {
  constructor(
    readonly queue: Queue,
    private readonly jobOptions: JobsOptions,
  ) {}

  /** Resolves only once Redis has stored the job: the acknowledgement depends on it. */
  async enqueue(data: JobData): Promise<Job> {
    return this.queue.add(data.eventType, data, { ...this.jobOptions, jobId: data.runId });
  }

  async job(runId: string): Promise<Job | undefined> {
    return this.queue.getJob(runId);
  }

  /** Counts per state (O(1) each, fine with a large backlog) and the oldest waiting job's age. */
  async snapshot(): Promise<QueueSnapshot> {
    const [counts, oldest] = await Promise.all([
      this.queue.getJobCounts(...QUEUE_STATES),
      this.queue.getJobs(['wait'], 0, 0, true),
    ]);
    const first = oldest[0];
    return { counts, oldestWaitingAgeSeconds: first ? Math.max(0, (Date.now() - first.timestamp) / 1000) : null };
  }

  static backlog(counts: Record<string, number>): number {
    return BACKLOG_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
  }

  /** Workers connected to the queue; null where the Redis service forbids CLIENT LIST. */
  async workers(): Promise<number | null> {
    try {
      return await this.queue.getWorkersCount();
    } catch {
      return null;
    }
  }
}
