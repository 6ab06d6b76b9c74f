import { Router } from 'express';
import type { RunRecord, RunStore } from '@wab/shared';
import { sendError } from '../http/send-error';
import type { InboundQueue } from '../queue/inbound-queue';

const RUN_ID = /^run_[A-Za-z0-9-]{1,64}$/;

/**
 * GET /runs/:id: the worker's record when the run has ended; before that, what the queue says (`queued`
 * or `running`, with the last error while attempts remain). A job the queue failed without a record (it
 * stalled too often, or its worker died on the last attempt) reads `failed` with the queue's reason, so
 * every accepted message ends visibly and can be replayed.
 */
export function runsRouter(deps: { runStore: RunStore; queue: InboundQueue }): Router {
  const router = Router();
  router.get('/runs/:id', async (req, res) => {
    const id = req.params.id;
    const notFound = () => sendError(res, 'NOT_FOUND', `No run ${id.slice(0, 80)}`, { workflow_run_id: id.slice(0, 80) });
    if (!RUN_ID.test(id)) return notFound();
    try {
      const record = await deps.runStore.get(id);
      if (record) return void res.json(record);
      let job = await deps.queue.job(id);
      if (!job) return notFound();
      let state = await job.getState();
      // The job was read before BullMQ failed it: read it again so the reason comes with the state.
      if (state === 'failed' && !job.failedReason) {
        const again = await deps.queue.job(id);
        if (again) {
          job = again;
          state = await job.getState();
        }
      }
      const pending: RunRecord = {
        workflow_run_id: id,
        final_state: state === 'failed' ? 'failed' : state === 'active' ? 'running' : 'queued',
        nodes_executed: [],
        result: null,
        execution_time: null,
        event_type: job.name,
        attempts: job.attemptsMade,
        error: job.failedReason ? { code: 'WORKFLOW_ERROR', message: job.failedReason } : state === 'failed' ? { code: 'WORKFLOW_ERROR', message: 'the job failed' } : null,
      };
      res.json(pending);
    } catch {
      res.setHeader('Retry-After', '5');
      sendError(res, 'QUEUE_UNAVAILABLE', 'Run records are unavailable; retry later');
    }
  });
  return router;
}
