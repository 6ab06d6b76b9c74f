import { startServiceTracing } from '@wab/shared/dist/tracing/sdk';

/**
 * Required first by main.ts. No auto-instrumentation by default: the webhook's own spans say more, and
 * express/ioredis spans cost throughput (README, Tracing); OTEL_NODE_ENABLED_INSTRUMENTATIONS adds them.
 */
export const tracing = startServiceTracing({ serviceName: 'whatsapp-booking-ingest', instrumentations: [] });

