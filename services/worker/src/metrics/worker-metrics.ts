import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BOOKING_DURATION_BUCKETS, METRICS } from '@wab/shared';

/** The worker's Prometheus metrics, on a registry of its own. */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    bookingDuration: new Histogram({
      name: METRICS.bookingDuration,
      help: 'Time taken to process a conversation turn, from the worker picking it up to the reply',
      buckets: BOOKING_DURATION_BUCKETS,
      registers,
    }),
    activeWorkflows: new Gauge({ name: METRICS.activeWorkflows, help: 'Number of active workflows', registers }),
    // `location`: the configured location ids only (a worker runs no other), so the series stay bounded.
    runs: new Counter({ name: METRICS.runs, help: 'Finished runs by final state and location', labelNames: ['final_state', 'location'] as const, registers }),
    nodeDuration: new Histogram({
      name: METRICS.nodeDuration,
      help: 'Time spent in each workflow node',
      labelNames: ['node'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    }),
    llmCalls: new Counter({ name: METRICS.llmCalls, help: 'Model calls by outcome', labelNames: ['outcome'] as const, registers }),
    llmTokens: new Counter({ name: METRICS.llmTokens, help: 'Model tokens used', registers }),
    ghlCalls: new Counter({ name: METRICS.ghlCalls, help: 'GHL API calls by endpoint, status and location', labelNames: ['endpoint', 'status', 'location'] as const, registers }),
    ghlRateBudgetWait: new Histogram({
      name: METRICS.ghlRateBudgetWait,
      help: "Time a GHL call waited for a place in the location's shared rate budget, by outcome (acquired or gave_up)",
      labelNames: ['outcome'] as const,
      // 0 for most calls; GHL's window is 10 s and acquire() gives up after 30 s.
      buckets: [0.005, 0.05, 0.25, 1, 2.5, 5, 10, 20, 30],
      registers,
    }),
    retries: new Counter({ name: METRICS.retries, help: 'Job attempts that failed and will be retried', registers }),
    messageStatuses: new Counter({ name: METRICS.messageStatuses, help: 'Message status events by status (unknown ones as other)', labelNames: ['status'] as const, registers }),
    ignoredTimeZones: new Counter({
      name: METRICS.ignoredTimeZones,
      help: 'Contact time zones that Intl does not know (blank or invalid), ignored for the business zone, by source',
      labelNames: ['source'] as const,
      registers,
    }),
    windowClosed: new Counter({
      name: METRICS.windowClosed,
      help: "Sends held back because WhatsApp's 24-hour window had closed, by what was done instead (enrolled in the workflow, or nothing)",
      labelNames: ['instead'] as const,
      registers,
    }),
    nudges: new Counter({
      name: METRICS.nudges,
      help: 'Follow-up nudges by outcome: sent, or skipped and why (answered, opted_out, paused, booked, window_closed, closed_hours)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    handedToTeam: new Counter({
      name: METRICS.handedToTeam,
      help: 'Turns that failed on our side and were handed to a person (customer told, contact tagged needs-human)',
      registers,
    }),
    turnsDeferred: new Counter({
      name: METRICS.turnsDeferred,
      help: 'Turns put back because their location already ran LOCATION_MAX_ACTIVE_TURNS turns (fairness between locations)',
      registers,
    }),
    oauthRenewals: new Counter({
      name: METRICS.oauthRenewals,
      help: 'Marketplace-app tokens renewed (refreshed, or minted from the Company token), by owner and outcome',
      labelNames: ['owner', 'outcome'] as const,
      registers,
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
