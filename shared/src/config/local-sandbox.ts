import { isIP } from 'node:net';

/** The host compose's dev profile gives the GHL sandbox service (docker-compose.yml). */
export const COMPOSE_SANDBOX_HOST = 'ghl-sandbox';

/**
 * True when a GHL API base URL points at a local sandbox, never at a GHL anyone else can reach: a loopback
 * host (127.0.0.0/8, `localhost`, `::1`) or compose's dev sandbox service (`ghl-sandbox`). The published demo
 * webhook secret is allowed only then (see docs/security.md).
 */
export function isLocalSandboxUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host === COMPOSE_SANDBOX_HOST) return true;
  if (host === '[::1]') return true;
  return isIP(host) === 4 && host.split('.')[0] === '127';
}
