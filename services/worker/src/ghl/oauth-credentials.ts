import { NotConnectedError, OAuthRefusedError, type OAuthConnections } from '@wab/shared';
import type { GhlCredentials } from './credentials';
import { GhlApiError } from './errors';

/**
 * A location's Marketplace-app tokens as the GHL client wants them. A location that needs a reinstall (or
 * was never installed) fails its calls as GHL_API_ERROR, permanent for this attempt, so the run is visibly
 * failed and replayable once the app is installed again; GHL out of reach is retried like any GHL outage.
 */
export function oauthCredentials(connections: OAuthConnections, locationId: string): GhlCredentials {
  const token = async (rejected?: string): Promise<string> => {
    try {
      return await connections.accessToken(locationId, rejected);
    } catch (error) {
      const permanent = error instanceof NotConnectedError || error instanceof OAuthRefusedError;
      throw new GhlApiError('oauth', permanent ? 401 : null, (error as Error).message, { retryable: !permanent, cause: error });
    }
  };
  return { accessToken: () => token(), renew: (rejected) => token(rejected) };
}
