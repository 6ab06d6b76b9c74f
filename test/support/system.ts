import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createRedis, loadConfig, waitForRedis } from '@wab/shared';
import { createWorker, type BookingWorker } from '../../services/worker/src/worker';
import { startGhlDouble, type GhlDouble, type GhlDoubleOptions } from './ghl-double';
import { ghlInboundMessage, startIngest, type Ingest } from './ingest-harness';
import { eventually, redisUrl, testPrefix } from './redis';
import { TEST_SECRET } from './signing';

export interface System {
  ingest: Ingest;
  ghl: GhlDouble;
  /** The in-process worker (null with `workers: 0`). */
  worker: BookingWorker | null;
  /** The settings every worker of this system gets (for workers started as processes). */
  env: Record<string, string>;
  prefix: string;
  /** Starts one more worker on the same queue (another replica). */
  addWorker(env?: Record<string, string>): Promise<BookingWorker>;
  close(): Promise<void>;
}

/**
 * The whole product in-process against real Redis: the ingest app, a worker, and GHL doubled by the
 * sandbox on loopback. The worker reaches GHL only through GHL_API_BASE_URL, as in production.
 */
export async function startSystem(options: { env?: Record<string, string>; ghl?: GhlDoubleOptions; workers?: 0 | 1 } = {}): Promise<System> {
  const prefix = testPrefix('e2e');
  const ghl = await startGhlDouble(options.ghl);
  const env = {
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_PHONE: '0',
    BURST_WINDOW_MS: '300',
    GHL_API_BASE_URL: ghl.url,
    GHL_API_TOKEN: ghl.token,
    GHL_LOCATION_ID: ghl.locationId,
    GHL_CALENDAR_ID: ghl.calendarId,
    JOB_BACKOFF_MS: '50',
    ...options.env,
  };
  const ingest = await startIngest(env, { prefix });
  const connections: ReturnType<typeof createRedis>[] = [];
  const workers: BookingWorker[] = [];

  async function addWorker(extra: Record<string, string> = {}): Promise<BookingWorker> {
    const config = loadConfig({ REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', ...env, ...extra });
    const connection = createRedis(config, 'worker');
    const redis = createRedis(config, 'worker', { enableAutoPipelining: true }); // as services/worker/src/main.ts
    connections.push(connection, redis);
    await waitForRedis(redis, () => undefined);
    const worker = createWorker({ config, connection, redis, logger: pino({ level: 'silent' }) });
    await worker.worker.waitUntilReady();
    workers.push(worker);
    return worker;
  }

  const worker = options.workers === 0 ? null : await addWorker();
  return {
    ingest,
    ghl,
    worker,
    env: { REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix, WEBHOOK_SECRET: TEST_SECRET, ...env },
    prefix,
    addWorker,
    async close() {
      await Promise.all(workers.map((w) => w.worker.close(true)));
      await ingest.close();
      await ghl.close();
      for (const c of connections) c.disconnect();
    },
  };
}

/** A run's record once it has ended (anything but queued or running), as `/runs/:id` tells it. */
export function finishedRun(system: System, runId: string, timeoutMs = 25_000) {
  return eventually(async () => {
    const run = (await system.ingest.get(`/runs/${runId}`)).body;
    if (run.final_state === 'queued' || run.final_state === 'running') throw new Error(run.final_state);
    return run;
  }, timeoutMs);
}

/** Another customer takes a slot straight in GHL (the team, or a booking widget). */
export async function bookAsSomeoneElse(system: System, startTime: string): Promise<void> {
  const other = await system.ghl.seedContact({ id: `c_${randomUUID().slice(0, 8)}`, phone: `+1666${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, name: 'Other' });
  const res = await fetch(`${system.ghl.url}/calendars/events/appointments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${system.ghl.token}`, Version: '2021-04-15', 'Content-Type': 'application/json' },
    body: JSON.stringify({ calendarId: system.ghl.calendarId, locationId: system.ghl.locationId, contactId: other.id, startTime }),
  });
  if (res.status !== 200) throw new Error(`the sandbox refused the other booking: ${res.status}`);
}

/** A customer GHL already knows by name, writing on WhatsApp through the signed webhook. */
export async function seededCustomer(system: System, name: string) {
  const contactId = `c_${randomUUID().slice(0, 8)}`;
  const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  await system.ghl.seedContact({ id: contactId, phone, name });
  const post = (body: string, query = '?wait=25') => system.ingest.post(ghlInboundMessage({ contactId, from: phone, body }), { query });
  const replies = async () => (await system.ghl.sentMessages(contactId)).map((m) => m.body);
  const appointments = async () => (await system.ghl.appointments()).filter((a) => a.contactId === contactId);
  return { contactId, phone, post, replies, appointments };
}
