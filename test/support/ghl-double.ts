import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createSandboxApp, type SandboxOptions } from '../../services/ghl-sandbox/src/app';
import type { FaultRule } from '../../services/ghl-sandbox/src/faults';
import type { SandboxAppointment } from '../../services/ghl-sandbox/src/store/appointments';
import type { SandboxContact } from '../../services/ghl-sandbox/src/store/contacts';
import type { SandboxMessage } from '../../services/ghl-sandbox/src/store/conversations';
import type { OAuthStats, UserType } from '../../services/ghl-sandbox/src/store/tokens';
import type { WebhookTarget } from '../../services/ghl-sandbox/src/webhook';
import { TEST_LOCATION_ID } from './deployment';
import { deletePrefix, redisUrl, testPrefix } from './redis';
import { ed25519PrivatePem } from './signing';

export type GhlDoubleOptions = Partial<Omit<SandboxOptions, 'redis' | 'keyPrefix' | 'token'>> & {
  /** Default: a random `pit-...` token; `null` turns auth off. */
  token?: string | null;
};

export interface SeedContact {
  id?: string;
  /** Default: the primary (first) location. */
  locationId?: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  email?: string;
  timezone?: string;
  dnd?: boolean;
  tags?: string[];
}

/** What the ingest answered to an INSTALL / UNINSTALL webhook the sandbox sent. */
export interface IngestAnswer {
  status: number;
  body: unknown;
}

export interface GhlDouble {
  url: string;
  /** '' when auth is off. A PIT of the primary location, and the token of the /_sandbox controls. */
  token: string;
  /** The primary (first) location and its calendar. */
  locationId: string;
  calendarId: string;
  /** Every location, the primary first. */
  locations: { id: string; calendarId: string }[];
  /** Set when `oauth` was given: the app GHL knows, and the agency that installs it. */
  oauth: { clientId: string; clientSecret: string; appId: string; companyId: string } | null;
  keyPrefix: string;
  sentMessages(contactId?: string): Promise<SandboxMessage[]>;
  /** Every appointment, or a location's. */
  appointments(locationId?: string): Promise<SandboxAppointment[]>;
  /** Every workflow enrolment (POST /contacts/{id}/workflow/{workflowId}), oldest first, or a contact's. */
  workflowEnrolments(contactId?: string): Promise<{ contactId: string; locationId: string; workflowId: string; at: string }[]>;
  /** As if the user had approved the install on GHL's chooselocation page: a single-use code for /oauth/token. */
  /** `approveAll`: the installer ticked every location (GHL's answer then lists none). */
  authorize(userType: UserType, locationIds: string[], options?: { approveAll?: boolean }): Promise<string>;
  oauthStats(): Promise<OAuthStats>;
  /** The location's or company's tokens die (refresh: 400 invalid_grant, access: 401) until a new authorize. */
  revoke(subject: { locationId: string } | { companyId: string }): Promise<void>;
  /** Sends GHL's INSTALL webhook (an agency install without a location) to `installWebhooks.ingestUrl`. */
  sendInstall(locationId?: string): Promise<IngestAnswer>;
  /** Uninstalls the app from the location (its tokens die) and sends UNINSTALL. */
  sendUninstall(locationId: string): Promise<IngestAnswer>;
  seedContact(contact: SeedContact): Promise<SandboxContact>;
  /** Every contact the sandbox keeps, as GHL would answer them. */
  contacts(): Promise<SandboxContact[]>;
  /** The next `responses.length` matching requests fail that way (see FaultResponse). */
  injectFaults(rule: FaultRule): Promise<void>;
  reset(): Promise<void>;
  /**
   * One more sandbox app on this double's state (same Redis keys and settings) whose chat page (/sandbox)
   * delivers to `chat.ingestUrl`: for a system whose ingest starts after its GHL. Closed with the double.
   */
  withChat(chat: WebhookTarget): Promise<{ url: string; close(): Promise<void> }>;
  /**
   * For a system whose ingest starts after its GHL: sends this double's INSTALL / UNINSTALL webhooks to
   * `ingestUrl`, signed with the test Ed25519 key the test ingest trusts.
   */
  installsTo(ingestUrl: string): Promise<Pick<GhlDouble, 'sendInstall' | 'sendUninstall'>>;
  close(): Promise<void>;
}

async function listen(app: ReturnType<typeof createSandboxApp>): Promise<{ url: string; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // held-open requests and event streams
      }),
  };
}

/**
 * A real GHL sandbox on 127.0.0.1 (a free port), with keys of its own in the test Redis. Open every day
 * 09:00-17:00 UTC by default so tests do not depend on the weekday they run on.
 */
export async function startGhlDouble(options: GhlDoubleOptions = {}): Promise<GhlDouble> {
  const keyPrefix = testPrefix('ghl');
  const token = options.token === null ? '' : (options.token ?? `pit-${randomUUID()}`);
  const locations = options.locations?.length
    ? options.locations.map((l) => ({ id: l.id, calendarId: l.calendarId }))
    : [{ id: options.locationId ?? TEST_LOCATION_ID, calendarId: options.calendarId ?? 'cal_test' }];
  const { id: locationId, calendarId } = locations[0];
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 2 });
  const sandboxOptions: SandboxOptions = {
    businessHours: { timeZone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '17:00' },
    ...options,
    redis,
    keyPrefix,
    token: token || undefined,
    locationId,
    calendarId,
  };
  const main = await listen(createSandboxApp(sandboxOptions));
  const url = main.url;
  const extra: { close(): Promise<void> }[] = [];

  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/_sandbox${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };

  /** The ingest's answer passed through: any status is an answer, not a failure of the sandbox. */
  const deliver = (path: string, body: unknown) => deliverTo(url, path, body);
  const deliverTo = async (base: string, path: string, body: unknown): Promise<IngestAnswer> => {
    const res = await fetch(`${base}/_sandbox${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status === 502 || res.status === 503) throw new Error(`sandbox POST ${path}: ${res.status} ${text}`);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the text itself
    }
    return { status: res.status, body: parsed };
  };
  const oauth = options.oauth
    ? { clientId: options.oauth.clientId, clientSecret: options.oauth.clientSecret, appId: options.oauth.clientId.split('-')[0], companyId: options.oauth.companyId ?? 'comp_sandbox' }
    : null;

  return {
    url,
    token,
    locationId,
    calendarId,
    locations,
    oauth,
    keyPrefix,
    sentMessages: async (contactId) =>
      (await control<{ messages: SandboxMessage[] }>('GET', `/messages${contactId ? `?contactId=${encodeURIComponent(contactId)}` : ''}`)).messages,
    appointments: async (location) =>
      (await control<{ appointments: SandboxAppointment[] }>('GET', `/appointments${location ? `?locationId=${encodeURIComponent(location)}` : ''}`)).appointments,
    workflowEnrolments: async (contactId) =>
      (await control<{ enrolments: { contactId: string; locationId: string; workflowId: string; at: string }[] }>('GET', `/workflow-enrolments${contactId ? `?contactId=${encodeURIComponent(contactId)}` : ''}`)).enrolments,
    authorize: async (userType, locationIds, options = {}) => (await control<{ code: string }>('POST', '/oauth/authorize', { userType, locationIds, ...options })).code,
    oauthStats: () => control<OAuthStats>('GET', '/oauth/stats'),
    revoke: async (subject) => {
      await control('POST', '/oauth/revoke', subject);
    },
    sendInstall: (location) => deliver('/oauth/install', location === undefined ? {} : { locationId: location }),
    sendUninstall: (location) => deliver('/oauth/uninstall', { locationId: location }),
    seedContact: async (contact) => (await control<{ contact: SandboxContact }>('POST', '/contacts', contact)).contact,
    contacts: async () => (await control<{ contacts: SandboxContact[] }>('GET', '/contacts')).contacts,
    injectFaults: async (rule) => {
      await control('POST', '/faults', rule);
    },
    reset: () => control('POST', '/reset'),
    async withChat(chat) {
      const server = await listen(createSandboxApp({ ...sandboxOptions, chat }));
      extra.push(server);
      return server;
    },
    async installsTo(ingestUrl) {
      const server = await listen(createSandboxApp({ ...sandboxOptions, installWebhooks: { ingestUrl, privateKeyPem: ed25519PrivatePem() } }));
      extra.push(server);
      const send = (path: string, body: unknown) => deliverTo(server.url, path, body);
      return {
        sendInstall: (location) => send('/oauth/install', location === undefined ? {} : { locationId: location }),
        sendUninstall: (location) => send('/oauth/uninstall', { locationId: location }),
      };
    },
    async close() {
      await Promise.all([main, ...extra].map((s) => s.close()));
      await deletePrefix(redis, keyPrefix);
      await redis.quit();
    },
  };
}
