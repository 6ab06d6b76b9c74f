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
    root,
  };
}

export type ProductKeys = ReturnType<typeof productKeys>;
