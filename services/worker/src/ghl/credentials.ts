import { GhlApiError } from './errors';

/**
 * Where a location's bearer token comes from: a static Private Integration Token, or the Marketplace app's
 * OAuth pair (shared/src/oauth/oauth-connections.ts), refreshed before it expires and once when GHL says 401.
 */
export interface GhlCredentials {
  /** The token to send now. Throws GhlApiError when the location has none (not connected, needs reinstall). */
  accessToken(): Promise<string>;
  /** GHL refused `rejected` with 401: a fresher token to try once, or null when there is none. */
  renew(rejected: string): Promise<string | null>;
}

/** A PIT: the same token until someone rotates it in GHL. */
export function staticCredentials(token: string): GhlCredentials {
  return { accessToken: async () => token, renew: async () => null };
}

/** A location without any way in: every call fails visibly (GHL_API_ERROR) and the run stays replayable. */
export function noCredentials(locationId: string, why: string): GhlCredentials {
  const fail = async (): Promise<never> => {
    throw new GhlApiError('oauth', null, `location ${locationId} ${why}`, { retryable: false });
  };
  return { accessToken: fail, renew: fail };
}
