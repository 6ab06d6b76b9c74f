import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SandboxKeys } from './keys';

export type UserType = 'Company' | 'Location';

/** What an install approved: who may hold tokens for what. */
export interface Grant {
  userType: UserType;
  companyId: string;
  /** A Location grant's location. */
  locationId?: string;
  /** A Company grant's approved locations (the ones it may mint location tokens for). */
  approvedLocations: string[];
  /** The installer approved every location: GHL's answer then says `approveAllLocations` and lists none. */
  approveAllLocations?: boolean;
  userId: string;
  scope: string;
}

export interface AuthCode extends Grant {
  /** Set when the code came through /oauth/chooselocation: the exchange must name the same URI. */
  redirectUri?: string;
}

interface TokenRecord extends Grant {
  /** Epoch ms; an access token is refused from then on. */
  expiresAt?: number;
  /** Revocation counters at issue time, per subject (see `subjects`). */
  generations: Record<string, number>;
}

export type AccessCheck = { ok: true; grant: Grant } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

export interface IssuedPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface OAuthStats {
  refreshes: Record<string, number>;
  invalidGrants: number;
  issued: number;
  locationTokens: Record<string, number>;
}

/** GHL's codes are short-lived; the exact lifetime is undocumented (ten minutes is the usual OAuth advice). */
const CODE_TTL_SECONDS = 600;
/** GHL: a refresh token is valid a year (if not used first). */
const REFRESH_TTL_SECONDS = 365 * 24 * 3600;
/** An expired access token is remembered a day longer, to answer "Invalid JWT" rather than "invalid token". */
const EXPIRED_MEMORY_MS = 24 * 3600 * 1000;

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Each grant belongs to its company and, for location tokens, to its location: revoking either kills it. */
function subjects(grant: Grant): string[] {
  return [`company:${grant.companyId}`, ...(grant.locationId ? [`location:${grant.locationId}`] : [])];
}

/**
 * OAuth state in Redis: authorization codes, access and refresh tokens, installs, revocations and counters.
 * Codes and refresh tokens are consumed with GETDEL, so each is used once even when two requests race.
 */
export class TokenStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: SandboxKeys,
  ) {}

  async createCode(code: AuthCode): Promise<string> {
    const value = randomBytes(20).toString('hex');
    await this.redis.set(this.keys.oauthCode(hash(value)), JSON.stringify(code), 'EX', CODE_TTL_SECONDS);
    return value;
  }

  /** The code's grant, once: a second call with the same code gets null. */
  async takeCode(code: string): Promise<AuthCode | null> {
    const json = await this.redis.getdel(this.keys.oauthCode(hash(code)));
    return json ? (JSON.parse(json) as AuthCode) : null;
  }

  /** A new access token (JWT-shaped and long, like GHL's) and, unless `withRefresh` is false, a refresh token. */
  async issue(grant: Grant, ttlSeconds: number, clientId: string, withRefresh = true): Promise<IssuedPair> {
    const now = Date.now();
    const generations = await this.generations(grant);
    const base: Grant = { userType: grant.userType, companyId: grant.companyId, locationId: grant.locationId, approvedLocations: grant.approvedLocations, userId: grant.userId, scope: grant.scope };
    const payload = {
      authClass: grant.userType,
      authClassId: grant.locationId ?? grant.companyId,
      source: 'INTEGRATION',
      sourceId: clientId,
      channel: 'OAUTH',
      primaryAuthClassId: grant.locationId ?? grant.companyId,
      oauthMeta: { scopes: grant.scope.split(' '), client: clientId.split('-')[0], versionId: clientId.split('-')[0] },
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + ttlSeconds,
      jti: randomUUID(),
    };
    const accessToken = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(payload)}.${randomBytes(256).toString('base64url')}`;
    const expiresAt = now + ttlSeconds * 1000;
    const access: TokenRecord = { ...base, expiresAt, generations };
    const tx = this.redis.multi().set(this.keys.oauthAccess(hash(accessToken)), JSON.stringify(access), 'PX', ttlSeconds * 1000 + EXPIRED_MEMORY_MS);
    let refreshToken = '';
    if (withRefresh) {
      refreshToken = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ ...payload, exp: payload.iat + REFRESH_TTL_SECONDS, jti: randomUUID() })}.${randomBytes(256).toString('base64url')}`;
      const refresh: TokenRecord = { ...base, generations };
      tx.set(this.keys.oauthRefresh(hash(refreshToken)), JSON.stringify(refresh), 'EX', REFRESH_TTL_SECONDS);
    }
    await tx.exec();
    return { accessToken, refreshToken, expiresIn: ttlSeconds };
  }

  async checkAccess(token: string): Promise<AccessCheck> {
    const json = await this.redis.get(this.keys.oauthAccess(hash(token)));
    if (!json) return { ok: false, reason: 'unknown' };
    const record = JSON.parse(json) as TokenRecord;
    if (!(await this.current(record))) return { ok: false, reason: 'revoked' };
    if (record.expiresAt !== undefined && Date.now() >= record.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, grant: record };
  }

  /** The refresh token's grant without using it up (to check it against the request first). */
  async peekRefresh(token: string): Promise<Grant | null> {
    const json = await this.redis.get(this.keys.oauthRefresh(hash(token)));
    if (!json) return null;
    const record = JSON.parse(json) as TokenRecord;
    return (await this.current(record)) ? record : null;
  }

  /** Uses the refresh token up: true for exactly one of any number of concurrent callers. */
  async consumeRefresh(token: string): Promise<boolean> {
    return (await this.redis.getdel(this.keys.oauthRefresh(hash(token)))) !== null;
  }

  /** Every token issued so far for the company or location is dead from now on; new installs issue live ones. */
  async revoke(subject: { companyId: string } | { locationId: string }): Promise<void> {
    await this.redis.incr(this.keys.oauthGeneration('companyId' in subject ? `company:${subject.companyId}` : `location:${subject.locationId}`));
  }

  async install(locationIds: string[]): Promise<void> {
    if (!locationIds.length) return;
    const now = new Date().toISOString();
    const tx = this.redis.multi();
    for (const id of locationIds) tx.hsetnx(this.keys.oauthInstalled, id, now);
    await tx.exec();
  }

  async uninstall(locationId: string): Promise<void> {
    await this.redis.hdel(this.keys.oauthInstalled, locationId);
  }

  /** Location id -> install time. */
  async installed(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.oauthInstalled);
  }

  async count(field: 'issued' | 'invalidGrants' | `refresh:${string}` | `locationToken:${string}`): Promise<void> {
    await this.redis.hincrby(this.keys.oauthStats, field, 1);
  }

  async stats(): Promise<OAuthStats> {
    const raw = await this.redis.hgetall(this.keys.oauthStats);
    const stats: OAuthStats = { refreshes: {}, invalidGrants: Number(raw.invalidGrants ?? 0), issued: Number(raw.issued ?? 0), locationTokens: {} };
    for (const [field, value] of Object.entries(raw)) {
      if (field.startsWith('refresh:')) stats.refreshes[field.slice('refresh:'.length)] = Number(value);
      if (field.startsWith('locationToken:')) stats.locationTokens[field.slice('locationToken:'.length)] = Number(value);
    }
    return stats;
  }

  private async generations(grant: Grant): Promise<Record<string, number>> {
    const names = subjects(grant);
    const values = await this.redis.mget(...names.map((s) => this.keys.oauthGeneration(s)));
    return Object.fromEntries(names.map((s, i) => [s, Number(values[i] ?? 0)]));
  }

  private async current(record: TokenRecord): Promise<boolean> {
    const now = await this.generations(record);
    return Object.entries(now).every(([subject, value]) => record.generations[subject] === value);
  }
}
