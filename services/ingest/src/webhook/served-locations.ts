import { AppError, ConfigError, type Config, type LocationDirectory } from '@wab/shared';

/**
 * GHL signs every account's webhooks with the same public keys, so a valid Ed25519/RSA signature says "GHL
 * sent it", not "for this location": the location decides whether the event is ours (LocationDirectory).
 */
export function checkServedLocations(config: Config, locations: LocationDirectory): void {
  // With a public-key scheme on, anyone with a GHL account can deliver signed events: the location is the
  // only thing that tells ours apart. HMAC alone binds the sender to this deployment's secret.
  if (locations.size === 0 && config.SIGNATURE_SCHEMES.some((scheme) => scheme !== 'hmac')) {
    throw new ConfigError(
      'Invalid configuration: GHL_LOCATION_ID: required by the ingest when SIGNATURE_SCHEMES includes ed25519 or rsa (GHL signs every account with the same keys), unless LOCATIONS_FILE lists the locations',
    );
  }
}

const NOT_SERVED = { reason: 'location is not served by this deployment', log: 'webhook for a location this deployment does not serve: ignored' };
const UNINSTALLED = { reason: 'location has uninstalled the app', log: 'webhook for a location that uninstalled the app: ignored' };

/** What the location check decides: the event's location (filled in when the body had none), or why not. */
export type LocationVerdict = { served: true; locationId: string | null } | { served: false; reason: string; log: string };

/**
 * An event names its location, or belongs to the deployment's only one. With several locations, a body
 * without one cannot be placed (400). With none configured (HMAC-only trials), nothing is judged.
 */
export function placeEvent(locations: LocationDirectory, locationId: string | null): LocationVerdict {
  if (locations.size === 0) return { served: true, locationId };
  if (locationId !== null) {
    if (locations.serves(locationId)) return { served: true, locationId };
    const known = locations.get(locationId);
    return { served: false, ...(known ? UNINSTALLED : NOT_SERVED) };
  }
  const sole = locations.sole();
  if (sole) return locations.serves(sole.id) ? { served: true, locationId: sole.id } : { served: false, ...UNINSTALLED };
  throw new AppError('VALIDATION_ERROR', 'Invalid field locationId: required when the deployment serves several locations', { field: 'locationId' });
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
