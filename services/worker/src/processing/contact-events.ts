import type { Job } from 'bullmq';
import { MESSAGE_STATUSES, boundedLabel, type JobData, type JobResult, type RunStore } from '@wab/shared';
import { normaliseGhlTime } from '../ghl/time';
import type { WorkerMetrics } from '../metrics/worker-metrics';
import type { ContactProfiles } from './contact-profile';
import type { RunRecorder } from './run-recorder';

/**
 * Events that change what we know about a contact, without a conversation turn: a person answering from
 * the GHL app, WhatsApp DND, appointments made, moved or cancelled in GHL, message statuses.
 */
export function createContactEvents(deps: {
  profiles: ContactProfiles;
  runStore: RunStore;
  recordRuns: RunRecorder;
  metrics: WorkerMetrics;
  botPauseMinutes: number;
  /** The location's zone: appointment times GHL sends without an offset are read in it. */
  timeZone: string;
  now: () => Date;
}) {
  const { profiles, metrics } = deps;

  return async function contactEvent(job: Job<JobData>): Promise<JobResult> {
    const { event, contactKey } = job.data;
    const started = Date.now();
    switch (event.kind) {
      case 'human_reply':
        await profiles.update(contactKey!, { pausedUntil: new Date(deps.now().getTime() + deps.botPauseMinutes * 60_000).toISOString() });
        break;
      case 'contact_dnd':
        await profiles.update(contactKey!, { optedOut: event.whatsappOptOut });
        break;
      case 'appointment': {
        if (!contactKey) break;
        const profile = await profiles.get(contactKey);
        const cancelled = event.action === 'deleted' || /cancel|invalid|noshow/i.test(event.status ?? '');
        // Stored with its offset, so every later reading places it the same way.
        const startTime = normaliseGhlTime(event.startTime, deps.timeZone);
        if (cancelled && profile.booking?.appointmentId === event.appointmentId) {
          await profiles.update(contactKey, { booking: null }); // the customer may book again
        } else if (!cancelled && startTime !== null) {
          await profiles.update(contactKey, { booking: { appointmentId: event.appointmentId, startTime } });
        }
        break;
      }
      case 'message_status':
        metrics.messageStatuses.inc({ status: boundedLabel(event.status.toLowerCase(), MESSAGE_STATUSES) });
        break;
      case 'customer_message':
        throw new Error('customer messages are turns');
    }
    const seconds = (Date.now() - started) / 1000;
    await deps.runStore.countProcessed({ seconds, locationId: job.data.locationId });
    return deps.recordRuns(job, { final_state: 'completed', nodes_executed: [], result: null, execution_time: seconds, event_type: job.data.eventType, error: null });
  };
}
