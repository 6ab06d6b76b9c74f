import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config, LocationDirectory } from '@wab/shared';

/** Who a static webhook token lets in: any served location (WEBHOOK_TOKENS), or the one it is bound to. */
export type TokenHolder = { locationId: string | null };

/**
 * GHL workflow webhooks (the "Custom Webhook" action of a PIT deployment) carry no signature: they
 * authenticate with a static token, `Authorization: Bearer <token>` or `X-Webhook-Token: <token>`. Compared in
 * constant time: both sides hashed to 32 bytes, and every candidate compared, so neither the length nor
 * the position of a match shows in the timing.
 */
export function webhookTokens(config: Config, locations: LocationDirectory) {
  const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();
  const global = config.WEBHOOK_TOKENS.map(digest);
  // Location-bound tokens can change through the admin API: hashed again only when the locations do.
  let bound: { version: number; digests: { locationId: string; digest: Buffer }[] } | null = null;
  const boundDigests = () => {
    if (bound?.version !== locations.version) {
      const digests = locations.all().flatMap((l) => (l.webhookToken ? [{ locationId: l.id, digest: digest(l.webhookToken) }] : []));
      bound = { version: locations.version, digests };
    }
    return bound.digests;
  };

  return {
    /** The token a request carries, if any (a signature header wins: this is only for unsigned bodies). */
    presented(header: { authorization?: string; webhookToken?: string }): string | null {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header.authorization ?? '')?.[1];
      return bearer ?? (header.webhookToken?.trim() || null);
    },

    /** Null when the token is not one of ours. */
    check(token: string): TokenHolder | null {
      const presented = digest(token);
      let holder: TokenHolder | null = null;
      for (const candidate of global) if (timingSafeEqual(candidate, presented)) holder = { locationId: null };
      for (const candidate of boundDigests()) if (timingSafeEqual(candidate.digest, presented)) holder = { locationId: candidate.locationId };
      return holder;
    },
  };
}

