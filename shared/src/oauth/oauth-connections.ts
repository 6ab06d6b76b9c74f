import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis/connection';
import type { Config } from '../config/schema';
import { connectionInfoSchema, type LocationDirectory } from '../locations/location-directory';
import { keysFor } from '../redis/keys';
import { OAuthClient, OAuthRefusedError, OAuthUnavailableError, type OAuthToken } from './oauth-client';
import { TokenVault } from './token-vault';

type Owner = 'location' | 'company';

/** The location's connection is gone for good (GHL refused a refresh, or it was never installed). */
export class NotConnectedError extends Error {
  override name = 'NotConnectedError';
  constructor(
    readonly locationId: string,
    readonly state: 'not_connected' | 'needs_reinstall',
    why: string,
  ) {
    super(`location ${locationId} ${state === 'needs_reinstall' ? 'needs a reinstall of the app' : 'is not connected'}: ${why}`);
  }
}

export interface OAuthConnectionsOptions {
  /** How long one replica may hold a refresh before another may try (longer than a token call can take). */
  lockMs: number;
  /** How long a replica waits for another's refresh before giving up for now (the job retries). */
  waitMs: number;
  /** Once per token GHL issued (a refresh, or a location token minted from a Company token). */
  onRenewed?: (owner: Owner, outcome: 'ok' | 'refused' | 'unavailable') => void;
  /** The clock tokens are judged by (tests move it instead of waiting). */
  now?: () => number;
}

/** Deletes the lock only if it is still ours (a lock that expired may be someone else's by now). */
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * The Marketplace app's token pairs, per location and per company (agency bulk installs), sealed in Redis.
 *
 * Refresh tokens are single-use, so a second refresh of the same pair kills the connection. A token is
 * renewed when less than a tenth of its lifetime (at most 5 minutes) is left, or once when GHL answers 401;
 * only the replica holding the owner's Redis lock renews, and it persists the new pair before using it. The
 * others wait and read the new pair. In one process, concurrent callers share one renewal.
 */
export class OAuthConnections {
  private readonly keys;
  private readonly cache = new Map<string, OAuthToken>();
  private readonly renewing = new Map<string, Promise<OAuthToken>>();
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly vault: TokenVault,
    readonly client: OAuthClient,
    private readonly directory: LocationDirectory,
    private readonly options: OAuthConnectionsOptions,
  ) {
    this.keys = keysFor(prefix, redis);
    this.now = options.now ?? Date.now;
  }

  /** The location's access token now; renewed first when it is close to expiry, or when `rejected` is it. */
  async accessToken(locationId: string, rejected?: string): Promise<string> {
    const cached = this.cache.get(`location:${locationId}`);
    if (cached && !rejected && isFresh(cached, this.now())) return cached.accessToken;
    const stored = await this.load('location', locationId);
    if (!stored) throw await this.notConnected(locationId);
    if (isUsable(stored, this.now(), rejected)) return stored.accessToken;
    return (await this.renew('location', locationId, rejected)).accessToken;
  }

  /** /oauth/callback: the install's code becomes stored tokens; answers the locations it connected. */
  async connectWithCode(code: string): Promise<{ userType: 'Company' | 'Location'; companyId: string | null; locations: string[] }> {
    const token = await this.client.exchangeCode(code);
    if (token.userType === 'Location') {
      if (!token.locationId) throw new OAuthUnavailableError('GHL /oauth/token: a Location token without locationId');
      await this.connect(token.locationId, token);
      return { userType: 'Location', companyId: token.companyId, locations: [token.locationId] };
    }
    if (!token.companyId) throw new OAuthUnavailableError('GHL /oauth/token: a Company token without companyId');
    await this.save('company', token.companyId, token);
    const approved = token.approvedLocations.length ? token.approvedLocations : await this.client.installedLocations(token);
    const locations: string[] = [];
    for (const locationId of approved) {
      await this.connect(locationId, await this.client.locationToken(token, locationId));
      locations.push(locationId);
    }
    return { userType: 'Company', companyId: token.companyId, locations };
  }

  /**
   * GHL's INSTALL webhook. A location installed under an agency that connected in bulk gets its token minted
   * now; a Location install brings its own code through /oauth/callback.
   */
  async installed(event: { companyId: string | null; locationId: string | null }): Promise<string[]> {
    if (!event.companyId) return [];
    const company = await this.load('company', event.companyId);
    if (!company) return [];
    const fresh = await this.companyToken(event.companyId, company);
    const ids = event.locationId ? [event.locationId] : await this.client.installedLocations(fresh);
    for (const locationId of ids) await this.connect(locationId, await this.client.locationToken(fresh, locationId));
    return ids;
  }

  /** GHL's UNINSTALL webhook: a location's, or (without one) every location of the agency. */
  async uninstalled(event: { companyId: string | null; locationId: string | null }): Promise<string[]> {
    const ids = event.locationId
      ? [event.locationId]
      : this.locationsOfCompany(event.companyId);
    if (!event.locationId && event.companyId) await this.forget('company', event.companyId);
    for (const locationId of ids) {
      await this.forget('location', locationId);
      await this.directory.setConnection(locationId, { state: 'uninstalled', companyId: event.companyId });
    }
    return ids;
  }

  private async connect(locationId: string, token: OAuthToken): Promise<void> {
    await this.save('location', locationId, token);
    await this.directory.setConnection(locationId, { state: 'connected', companyId: token.companyId, reason: null });
  }

  private async companyToken(companyId: string, stored?: OAuthToken): Promise<OAuthToken> {
    const token = stored ?? (await this.load('company', companyId));
    if (!token) throw new OAuthRefusedError(`no Company token for ${companyId}`);
    return isFresh(token, this.now()) ? token : this.renew('company', companyId);
  }

  /** One renewal per owner at a time, in this process (shared promise) and across replicas (Redis lock). */
  private renew(owner: Owner, id: string, rejected?: string): Promise<OAuthToken> {
    const key = `${owner}:${id}`;
    let pending = this.renewing.get(key);
    if (!pending) {
      pending = this.renewAcrossReplicas(owner, id, rejected).finally(() => this.renewing.delete(key));
      this.renewing.set(key, pending);
    }
    return pending;
  }

  private async renewAcrossReplicas(owner: Owner, id: string, rejected?: string): Promise<OAuthToken> {
    const lockKey = this.keys.oauthRefreshLock(owner, id);
    const deadline = Date.now() + this.options.waitMs;
    for (;;) {
      const holder = randomUUID();
      if (await this.redis.set(lockKey, holder, 'PX', this.options.lockMs, 'NX')) {
        try {
          return await this.renewHoldingLock(owner, id, rejected);
        } finally {
          await this.redis.eval(RELEASE_LUA, 1, lockKey, holder).catch(() => undefined);
        }
      }
      // Another replica is renewing: its new pair appears in Redis, or its lock goes and we try ourselves.
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const stored = await this.load(owner, id);
        if (!stored) throw await this.missing(owner, id);
        if (isUsable(stored, this.now(), rejected)) return stored;
        if (!(await this.redis.exists(lockKey))) break;
      }
      if (Date.now() >= deadline) throw new OAuthUnavailableError(`another replica is still renewing the ${owner} token`);
    }
  }

  private async renewHoldingLock(owner: Owner, id: string, rejected?: string): Promise<OAuthToken> {
    // Read again under the lock: another replica may have renewed just before we took it.
    const current = await this.load(owner, id);
    if (!current) throw await this.missing(owner, id);
    if (isUsable(current, this.now(), rejected)) return current;
    let next: OAuthToken;
    try {
      if (current.refreshToken) {
        next = { ...(await this.client.refresh(current)), approvedLocations: current.approvedLocations };
        next.companyId ??= current.companyId;
        next.locationId ??= current.locationId;
      } else {
        if (!current.companyId) throw new OAuthRefusedError('a token with neither a refresh token nor a company');
        next = await this.client.locationToken(await this.companyToken(current.companyId), id);
      }
    } catch (error) {
      if (error instanceof OAuthRefusedError || error instanceof NotConnectedError) {
        this.options.onRenewed?.(owner, 'refused');
        await this.lose(owner, id, current, error.message);
        throw owner === 'location' ? new NotConnectedError(id, 'needs_reinstall', error.message) : error;
      }
      this.options.onRenewed?.(owner, 'unavailable');
      throw error;
    }
    // Persisted before use: with single-use refresh tokens, a pair only this process knew would be lost with it.
    await this.save(owner, id, next);
    this.options.onRenewed?.(owner, 'ok');
    return next;
  }

  /** GHL refused: the pair is dead. Its locations need a reinstall, and say so (/status, the admin API, metrics). */
  private async lose(owner: Owner, id: string, token: OAuthToken, reason: string): Promise<void> {
    await this.forget(owner, id);
    const locations = owner === 'location' ? [id] : this.locationsOfCompany(id);
    for (const locationId of locations) {
      if (owner === 'company') await this.forget('location', locationId);
      await this.directory.setConnection(locationId, { state: 'needs_reinstall', companyId: token.companyId, reason: reason.slice(0, 200) });
    }
  }

  /** The locations a Company install connected. */
  private locationsOfCompany(companyId: string | null): string[] {
    return this.directory.all().filter((l) => this.directory.connectionOf(l.id)?.companyId === companyId).map((l) => l.id);
  }

  /** No token stored for this owner. */
  private async missing(owner: Owner, id: string): Promise<Error> {
    return owner === 'location' ? this.notConnected(id) : new OAuthRefusedError(`no Company token for ${id}`);
  }

  private async notConnected(locationId: string): Promise<NotConnectedError> {
    const stored = await this.redis.hget(this.keys.connections, locationId);
    const info = stored ? connectionInfoSchema.safeParse(JSON.parse(stored)) : null;
    return info?.success && info.data.state === 'needs_reinstall'
      ? new NotConnectedError(locationId, 'needs_reinstall', 'GHL refused to refresh its token')
      : new NotConnectedError(locationId, 'not_connected', 'install the Marketplace app on it');
  }

  private async save(owner: Owner, id: string, token: OAuthToken): Promise<void> {
    const key = this.keys.oauthToken(owner, id);
    // No TTL: the refresh token inside outlives the access token by far (a year at GHL).
    await this.redis.set(key, this.vault.seal(JSON.stringify(token), `${owner}:${id}`));
    this.cache.set(`${owner}:${id}`, token);
  }

  private async load(owner: Owner, id: string): Promise<OAuthToken | null> {
    const sealed = await this.redis.get(this.keys.oauthToken(owner, id));
    if (!sealed) {
      this.cache.delete(`${owner}:${id}`);
      return null;
    }
    const token = JSON.parse(this.vault.open(sealed, `${owner}:${id}`)) as OAuthToken;
    this.cache.set(`${owner}:${id}`, token);
    return token;
  }

  private async forget(owner: Owner, id: string): Promise<void> {
    await this.redis.del(this.keys.oauthToken(owner, id));
    this.cache.delete(`${owner}:${id}`);
  }
}

/** Renewed when less than a tenth of its lifetime, and at most 5 minutes, is left. */
function isFresh(token: OAuthToken, now: number): boolean {
  return token.expiresAt - now > Math.min(token.lifetimeMs / 10, 5 * 60_000);
}

/** Fresh, and not the token GHL just refused (a replica that renewed it first leaves a different one). */
function isUsable(token: OAuthToken, now: number, rejected?: string): boolean {
  return rejected === undefined ? isFresh(token, now) : token.accessToken !== rejected && token.expiresAt > now;
}

/** The Marketplace app's connections, or null for a deployment without one (no GHL_CLIENT_ID). */
export function createOAuthConnections(
  config: Config,
  redis: RedisConnection,
  directory: LocationDirectory,
  onRenewed?: OAuthConnectionsOptions['onRenewed'],
): OAuthConnections | null {
  if (!config.GHL_CLIENT_ID || !config.GHL_CLIENT_SECRET || !config.GHL_OAUTH_REDIRECT_URL || !config.TOKEN_ENCRYPTION_KEY) return null;
  const client = new OAuthClient({
    baseUrl: config.GHL_API_BASE_URL,
    clientId: config.GHL_CLIENT_ID,
    clientSecret: config.GHL_CLIENT_SECRET,
    redirectUri: config.GHL_OAUTH_REDIRECT_URL,
    timeoutMs: config.GHL_TIMEOUT_MS,
  });
  return new OAuthConnections(redis, config.QUEUE_PREFIX, new TokenVault(config.TOKEN_ENCRYPTION_KEY), client, directory, {
    // Longer than a token call with its timeout, so a lock never lapses under a refresh still in flight.
    lockMs: config.GHL_TIMEOUT_MS * 2 + 5000,
    waitMs: config.GHL_TIMEOUT_MS * 2 + 5000,
    onRenewed,
  });
}
