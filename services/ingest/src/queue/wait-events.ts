import { QueueEvents } from 'bullmq';
import { INBOUND_QUEUE, keysFor, type RedisConnection } from '@wab/shared';

/**
 * The one QueueEvents reader behind `?wait=N`, created stopped: reading every queue event costs CPU on every
 * message (about 15% of the ingest's per-request CPU at full load, measured with bench/ingest), and only
 * waiting callers need it. The webhook router starts it with the first waiting request; it reads from the
 * start of BullMQ's capped event stream ('0'), so no completion of a job queued before that is missed.
 * It needs a connection of its own (blocking reads).
 */
export function createWaitEvents(connection: RedisConnection, prefix: string): QueueEvents {
  const events = new QueueEvents(INBOUND_QUEUE, { connection, prefix: keysFor(prefix, connection).queuePrefix, autorun: false, lastEventId: '0' });
  events.setMaxListeners(0); // every waiting request listens for its own job; there is no leak to warn about
  return events;
}
