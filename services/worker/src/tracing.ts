import { startServiceTracing } from '@wab/shared/dist/tracing/sdk';

/**
 * Required first by main.ts. ioredis spans by default: a job's Redis work (inbox, lock, ledger, checkpoints)
 * is a large part of a turn, and only commands inside a job are traced (not BullMQ's polling).
 */
export const tracing = startServiceTracing({ serviceName: 'whatsapp-booking-worker', instrumentations: ['ioredis'] });
