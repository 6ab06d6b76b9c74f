/**
 * The product's own Redis keys, beside BullMQ's. They all start with the queue prefix, so a hash-tagged
 * prefix (`{bull}`) keeps every key in one Redis Cluster slot and multi-key scripts stay legal.
 */
export function productKeys(prefix: string) {
  const root = `${prefix}:wab`;
  return {
    dedupe: (id: string) => `${root}:dedupe:${id}`,
    run: (runId: string) => `${root}:run:${runId}`,
    counters: `${root}:counters`,
    dependencies: `${root}:dependencies`,
    rateLimit: (scope: string) => `${root}:ratelimit:${scope}:`,
    /** Location settings set through the admin API, by location id (JSON), over the file's. */
    locationOverrides: `${root}:locations`,
    /** Each OAuth location's connection state, by location id (JSON). */
    connections: `${root}:connections`,
    /** An OAuth token pair, encrypted: of a location, or of a company (agency, bulk install). */
    oauthToken: (owner: 'location' | 'company', id: string) => `${root}:oauth:${owner}:${id}`,
    /** Held by the one replica refreshing that token. */
    oauthRefreshLock: (owner: 'location' | 'company', id: string) => `${root}:oauth-lock:${owner}:${id}`,
    /** A contact's reply count: workflow-webhook dedupe tells a re-send from the same words said again. */
    repliesSent: (contactKey: string) => `${root}:replies-sent:${contactKey}`,
    root,
  };
}

export type ProductKeys = ReturnType<typeof productKeys>;
