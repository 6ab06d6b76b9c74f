import type { KeyObject } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { FaultInjector } from './faults';
import type { Locations } from './locations';
import type { RateLimiter } from './rate-limit';
import type { AppointmentStore } from './store/appointments';
import type { ContactStore } from './store/contacts';
import type { ConversationStore } from './store/conversations';
import type { SandboxKeys } from './store/keys';
import type { TokenStore } from './store/tokens';
import type { WebhookTarget } from './webhook';

/** The Marketplace app the sandbox plays GHL for (see routes/oauth.ts). */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /** What GHL puts in webhooks and expects in /oauth/installedLocations: the client id up to its first `-`. */
  appId: string;
  accessTokenTtlSeconds: number;
  companyId: string;
}

/** What every route needs; built once by createSandboxApp. */
export interface SandboxContext {
  redis: Redis;
  keys: SandboxKeys;
  /** The control token of /_sandbox (and a PIT of the primary location), when set. */
  token?: string;
  /** PIT -> the location it belongs to. */
  pits: Map<string, string>;
  /** True when API calls need a valid token (a PIT is set or OAuth is on). */
  authRequired: boolean;
  locations: Locations;
  contacts: ContactStore;
  appointments: AppointmentStore;
  conversations: ConversationStore;
  tokens: TokenStore;
  oauth?: OAuthApp;
  /** Where INSTALL / UNINSTALL webhooks go, signed with this Ed25519 key. */
  installWebhooks?: { ingestUrl: string; privateKey: KeyObject; publicKeyPem: string };
  faults: FaultInjector;
  rate: RateLimiter;
  /** How long `timeout` faults hold a request open before cutting it. */
  holdMs: number;
  /** Where the chat page's messages are delivered as webhooks; the chat is off without it. */
  chat?: WebhookTarget;
}
