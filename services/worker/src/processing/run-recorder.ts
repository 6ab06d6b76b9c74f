import type { Job } from 'bullmq';
import type { JobData, JobResult, RunRecord, RunStore } from '@wab/shared';
import type { WorkerMetrics } from '../metrics/worker-metrics';

export const resultOf = (record: RunRecord): JobResult => ({
  final_state: record.final_state as JobResult['final_state'],
  booking_id: record.result?.appointment_id ?? null,
  reply: record.reply ?? null,
});

/** Writes how runs ended: one record per run id answered (a burst's messages share a turn), counted once each. */
export function createRunRecorder(deps: { runStore: RunStore; metrics: WorkerMetrics; locationId?: string }) {
  return async function recordRuns(job: Job<JobData>, record: Omit<RunRecord, 'workflow_run_id'>, runIds = [job.data.runId]): Promise<JobResult> {
    const finishedAt = new Date().toISOString();
    await Promise.all(runIds.map((id) => deps.runStore.save({ ...record, workflow_run_id: id, finished_at: finishedAt })));
    deps.metrics.runs.inc({ final_state: record.final_state, location: deps.locationId ?? job.data.locationId ?? 'none' }, runIds.length);
    return resultOf({ ...record, workflow_run_id: job.data.runId });
  };
}

export type RunRecorder = ReturnType<typeof createRunRecorder>;
