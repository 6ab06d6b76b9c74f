import { ConfigError, type Config } from '@wab/shared';

/**
 * The GHL locations this deployment serves. GHL signs every account's webhooks with the same public keys,
 * so a valid Ed25519/RSA signature says "GHL sent it", not "for this location": events for other locations
 * are acknowledged and dropped. A set, so a multi-location configuration can extend it.
 */
export interface ServedLocations {
  /** False for a location id this deployment does not serve; events without one are not judged here. */
  serves(locationId: string): boolean;
  /** Empty: no location configured (allowed only when HMAC is the sole scheme; see below). */
  readonly ids: ReadonlySet<string>;
}

export function servedLocations(config: Config): ServedLocations {
  const ids = new Set(config.GHL_LOCATION_ID ? [config.GHL_LOCATION_ID] : []);
  // With a public-key scheme on, anyone with a GHL account can deliver signed events: the location is the
  // only thing that tells ours apart. HMAC alone binds the sender to this deployment's secret.
  if (ids.size === 0 && config.SIGNATURE_SCHEMES.some((scheme) => scheme !== 'hmac')) {
    throw new ConfigError(
      'Invalid configuration: GHL_LOCATION_ID: required by the ingest when SIGNATURE_SCHEMES includes ed25519 or rsa (GHL signs every account with the same keys)',
    );
  }
  return { ids, serves: (locationId) => ids.size === 0 || ids.has(locationId) };
}

/** Remembers which foreign locations were logged, so each is logged once with bounded memory. */
export class OncePerLocation {
  private readonly seen = new Set<string>();
  constructor(private readonly capacity = 1000) {}

  /** True the first time a location is seen, while there is room to remember it. */
  first(locationId: string): boolean {
    if (this.seen.has(locationId) || this.seen.size >= this.capacity) return false;
    this.seen.add(locationId);
    return true;
  }
}
