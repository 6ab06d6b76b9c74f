import { createHash } from 'node:crypto';

/**
 * Every Redis key name the product uses, built here and nowhere else (docs/operations.md shows the layout).
 *
 * On one Redis the names are plain (`bull:wab:inbox:<contact>:order`), exactly as before cluster support. On a
 * Redis Cluster (`cluster: true`) each family that a multi-key command or script touches carries a hash tag, so
 * that command stays in one slot while different contacts and locations spread over the nodes:
 * - BullMQ: one tag per queue prefix (`{bull}:inbound:*`), as BullMQ requires;
 * - a contact's inbox, lock and profile: `{<contact>}`; a conversation thread's keys: `{<thread>}`;
 * - a location's GHL rate budget and its GHL read cache: `{<location>}`;
 * - dedupe markers: `{dedupe}` (one delivery claims several ids in one script).
 * Single-key families (run records, counters, effects, rate limits) need no tag.
 */
export interface KeyLayoutOptions {
  /** Hash-tag the multi-key families for Redis Cluster. */
  cluster?: boolean;
}

/**
 * The hash tag for one id: its text in braces, or, when the id itself holds a brace (ids come from webhooks:
 * hostile), its SHA-256, so a `}` in an id can neither empty the tag nor split one id's keys over two slots.
 */
export function hashTag(id: string): string {
  return /[{}]/.test(id) || id === '' ? `{#${createHash('sha256').update(id).digest('hex')}}` : `{${id}}`;
}

export function productKeys(prefix: string, options: KeyLayoutOptions = {}) {
  const cluster = options.cluster ?? false;
  const root = `${prefix}:wab`;
  /** An id's segment: plain on one Redis, its hash tag on a cluster. */
  const part = (id: string) => (cluster ? hashTag(id) : id);

  return {
    root,
    /** BullMQ's `prefix` option: on a cluster every key of the queue shares the prefix's tag. */
    queuePrefix: cluster && !/\{[^{}]+\}/.test(prefix) ? `{${prefix}}` : prefix,
    dedupe: (id: string) => `${root}:${part('dedupe')}:${id}`,
    run: (runId: string) => `${root}:run:${runId}`,
    counters: `${root}:counters`,
    dependencies: `${root}:dependencies`,
    /** rate-limit-redis's key prefix: one key per client (single-key scripts). */
    rateLimit: (scope: string) => `${root}:ratelimit:${scope}:`,
    /** Location settings set through the admin API, by location id (JSON), over the file's. */
    locationOverrides: `${root}:locations`,
    /** Each OAuth location's connection state, by location id (JSON). */
    connections: `${root}:connections`,
    /** An OAuth token pair, encrypted: of a location, or of a company (agency, bulk install). */
    oauthToken: (owner: 'location' | 'company', id: string) => `${root}:oauth:${owner}:${id}`,
    /** Held by the one replica refreshing that token. */
    oauthRefreshLock: (owner: 'location' | 'company', id: string) => `${root}:oauth-lock:${owner}:${id}`,
    /** One effect's ledger entry (single key). */
    effect: (key: string) => `${root}:effect:${key}`,

    /** What belongs to one contact; the inbox keys change together in one transaction. */
    forContact(contactKey: string) {
      const c = part(contactKey);
      return {
        inboxOrder: `${root}:inbox:${c}:order`,
        inboxBodies: `${root}:inbox:${c}:bodies`,
        lock: `${root}:inbox:${c}:lock`,
        /** How many turns of the contact were answered: workflow-webhook dedupe tells a re-send from words said again. */
        turnsAnswered: `${root}:inbox:${c}:turns`,
        profile: `${root}:contact:${c}`,
      };
    },

    /** What belongs to one GHL location; the rate budget's script reads both keys. */
    forLocation(locationId: string) {
      const l = part(locationId);
      return {
        ghlBudgetWindow: `${root}:ghl-budget:${l}:window`,
        ghlBudgetBlockedUntil: `${root}:ghl-budget:${l}:blocked-until`,
        /** The location's running turns (fairness between locations; leases by holder). */
        turnSlots: `${root}:turn-slots:${l}`,
        /** Calendars' settings and open hours as GHL last gave them, by calendar id (JSON with its time). */
        ghlCalendarsCache: `${root}:ghl-cache:${l}:calendars`,
        /** Free slots by calendar, zone and window (a hash: a booking drops every window at once). */
        ghlSlotsCache: `${root}:ghl-cache:${l}:slots`,
      };
    },

    /** LangGraph checkpoints: a thread's keys change together; `threads` indexes every thread (its own slot). */
    conversation: {
      thread(threadId: string) {
        const t = part(threadId);
        return {
          ids: `${root}:cp:ids:${t}`,
          checkpoints: `${root}:cp:checkpoints:${t}`,
          blobs: `${root}:cp:blobs:${t}`,
          writes: `${root}:cp:writes:${t}`,
          writeIds: `${root}:cp:write-ids:${t}`,
        };
      },
      threads: `${root}:cp:threads`,
    },
  };
}

export type ProductKeys = ReturnType<typeof productKeys>;

/** The layout for a connection: tagged when it is a cluster client. */
export function keysFor(prefix: string, connection: { isCluster: boolean }): ProductKeys {
  return productKeys(prefix, { cluster: connection.isCluster });
}
