import { timingSafeEqual, createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { RunStore } from '@wab/shared';
import { sendError } from '../http/send-error';
import type { InboundQueue } from '../queue/inbound-queue';
import { parseSince } from './since';

/** Failed jobs are read in pages, newest first, until one is older than asked. */
const PAGE = 500;

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Accepts `Authorization: Bearer <ADMIN_TOKEN>`, or Basic auth with the token as password so a browser can
 * open the queue dashboard. Compared in constant time.
 */
export function requireAdmin(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    let given = '';
    if (header.startsWith('Bearer ')) given = header.slice(7);
    else if (header.startsWith('Basic ')) given = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').slice(1).join(':');
    if (given && timingSafeEqual(digest(given), expected)) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="admin"');
    sendError(res, 'UNAUTHORIZED', 'Admin token required');
  };
}

/**
 * Admin routes (authentication, origin and failure limits are the admin app's): the bull-board dashboard,
 * failed runs, and replay of one run or of every run failed since a time. A replayed job keeps its run id
 * and gets its attempts back.
 */
export function adminRouter(deps: { queue: InboundQueue; runStore: RunStore; logger: Logger; bullBoardWrite: boolean }): Router {
  const { queue, runStore, logger } = deps;
  const router = Router();

  // Read-only unless asked: bull-board's add, retry, promote, clean and remove would bypass the webhook's
  // signature, dedupe and limits; replays go through the routes below instead.
  const board = new ExpressAdapter().setBasePath('/admin/queues');
  createBullBoard({ queues: [new BullMQAdapter(queue.queue, { readOnlyMode: !deps.bullBoardWrite })], serverAdapter: board });
  router.use('/admin/queues', board.getRouter());

  async function failedSince(since: number, limit: number): Promise<Job[]> {
    const found: Job[] = [];
    for (let start = 0; found.length < limit; start += PAGE) {
      const page = await queue.queue.getJobs(['failed'], start, start + PAGE - 1, false);
      for (const job of page) {
        if ((job.finishedOn ?? 0) < since) return found;
        found.push(job);
        if (found.length >= limit) return found;
      }
      if (page.length < PAGE) return found;
    }
    return found;
  }

  async function replay(job: Job): Promise<void> {
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await runStore.forget(job.id!); // /runs reads the queue again until the new run ends
  }

  router.get('/admin/runs/failed', async (req, res) => {
    const since = req.query.since === undefined ? 0 : parseSince(req.query.since);
    const limit = Math.min(Math.max(Number(req.query.limit) || 100, 1), 1000);
    const jobs = await failedSince(since, limit);
    const records = await Promise.all(jobs.map((job) => runStore.get(job.id!)));
    res.json({
      runs: jobs.map((job, i) => ({
        workflow_run_id: job.id,
        event_type: job.name,
        failed_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
        attempts: job.attemptsMade,
        error: records[i]?.error ?? { code: 'WORKFLOW_ERROR', message: job.failedReason },
      })),
    });
  });

  router.post('/admin/runs/:id/replay', async (req, res) => {
    const job = await queue.job(req.params.id);
    if (!job) return sendError(res, 'NOT_FOUND', 'No such run in the queue (it may have been removed by retention)');
    if ((await job.getState()) !== 'failed') return sendError(res, 'VALIDATION_ERROR', 'Only failed runs can be replayed', { field: 'id' });
    await replay(job);
    logger.info({ runId: job.id }, 'run replayed');
    res.status(202).json({ replayed: [job.id] });
  });

  router.post('/admin/replay', async (req, res) => {
    const since = parseSince(req.query.since);
    const jobs = await failedSince(since, 100_000);
    for (const job of jobs) await replay(job);
    logger.info({ count: jobs.length, since: new Date(since).toISOString() }, 'failed runs replayed');
    res.status(202).json({ replayed: jobs.map((j) => j.id), since: new Date(since).toISOString() });
  });

  return router;
}
