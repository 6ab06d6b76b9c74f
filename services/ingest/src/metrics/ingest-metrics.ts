import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CONNECTION_STATES, METRICS, QUEUE_STATES, type ConnectionState } from '@wab/shared';

export interface QueueSnapshot {
  counts: Record<string, number>;
  oldestWaitingAgeSeconds: number | null;
  /** Workers connected to the queue; null where Redis forbids CLIENT LIST. */
  workers?: number | null;
}

/** The ingest's Prometheus metrics, on a registry of its own (tests build many apps in one process). */
export function createIngestMetrics(readQueue: () => Promise<QueueSnapshot>, readConnections: () => Promise<ConnectionState[]> = async () => []) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const webhookRequests = new Counter({
    name: METRICS.webhookRequests,
    help: 'Webhook requests by outcome (status is success or error, as in the API reference)',
    labelNames: ['status', 'outcome'] as const,
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: METRICS.httpRequestDuration,
    help: 'HTTP request duration by route and status code',
    labelNames: ['method', 'route', 'code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const signatureFailures = new Counter({
    name: METRICS.signatureFailures,
    help: 'Webhooks refused for their signature, by reason and scheme',
    labelNames: ['reason', 'scheme'] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: METRICS.rateLimited,
    help: 'Webhooks refused by a rate limit, by limit',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  const duplicates = new Counter({ name: METRICS.duplicates, help: 'Webhook deliveries recognised as duplicates', registers: [registry] });
  const ignored = new Counter({
    name: METRICS.ignored,
    help: 'Webhooks acknowledged but not queued (other channels, unhandled event types, other locations), by event type and reason',
    labelNames: ['event_type', 'reason'] as const,
    registers: [registry],
  });

  // Read at scrape time, so the numbers are the queue's, shared by every replica.
  let snapshot: Promise<QueueSnapshot | null> | null = null;
  const readOnce = () => (snapshot ??= readQueue().catch(() => null).finally(() => setImmediate(() => (snapshot = null))));
  new Gauge({
    name: METRICS.queueJobs,
    help: 'Jobs in the inbound queue by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const s = await readOnce();
      if (!s) return;
      for (const state of QUEUE_STATES) this.set({ state }, s.counts[state] ?? 0);
    },
  });
  new Gauge({
    name: METRICS.queueOldestWaitingAge,
    help: 'Age of the oldest job waiting to be picked up, in seconds (0 when none waits)',
    registers: [registry],
    async collect() {
      const s = await readOnce();
      if (s) this.set(s.oldestWaitingAgeSeconds ?? 0);
    },
  });

  new Gauge({
    name: METRICS.queueWorkers,
    help: 'Workers connected to the inbound queue (absent where Redis forbids CLIENT LIST)',
    registers: [registry],
    async collect() {
      const s = await readOnce();
      if (typeof s?.workers === 'number') this.set(s.workers);
    },
  });

  new Gauge({
    name: METRICS.locationConnections,
    help: 'Locations served, by how they reach GHL (static token, connected, needs_reinstall, uninstalled, not_connected)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const states = await readConnections().catch(() => null);
      if (!states) return;
      for (const state of CONNECTION_STATES) this.set({ state }, states.filter((s) => s === state).length);
    },
  });

  return { registry, webhookRequests, requestDuration, signatureFailures, rateLimited, duplicates, ignored };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
