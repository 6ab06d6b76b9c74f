import type { Redis } from 'ioredis';
import type { FaultInjector } from './faults';
import type { RateLimiter } from './rate-limit';
import type { SlotGrid } from './slots';
import type { AppointmentStore } from './store/appointments';
import type { ContactStore } from './store/contacts';
import type { ConversationStore } from './store/conversations';
import type { SandboxKeys } from './store/keys';
import type { WebhookTarget } from './webhook';

/** What every route needs; built once by createSandboxApp. */
export interface SandboxContext {
  redis: Redis;
  keys: SandboxKeys;
  token?: string;
  locationId: string;
  calendarId: string;
  grid: SlotGrid;
  contacts: ContactStore;
  appointments: AppointmentStore;
  conversations: ConversationStore;
  faults: FaultInjector;
  rate: RateLimiter;
  /** How long `timeout` faults hold a request open before cutting it. */
  holdMs: number;
  /** Where the chat page's messages are delivered as webhooks; the chat is off without it. */
  chat?: WebhookTarget;
}
