import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  LocationDirectory,
  NotConnectedError,
  OAuthClient,
  OAuthConnections,
  TokenVault,
  loadConfig,
  loadLocations,
} from '@wab/shared';
import { startGhlDouble, type GhlDouble } from '../support/ghl-double';
import { deletePrefix, redisUrl, testPrefix } from '../support/redis';

describe('TokenVault (AES-256-GCM)', () => {
  const vault = new TokenVault(randomBytes(32));

  it('opens what it sealed, with a fresh nonce each time', () => {
    const a = vault.seal('the token', 'location:loc_a');
    const b = vault.seal('the token', 'location:loc_a');
    expect(a).not.toBe(b);
    expect(a).not.toContain('the token');
    expect(vault.open(a, 'location:loc_a')).toBe('the token');
  });

  it('refuses a pair copied under another owner, altered, or sealed with another key', () => {
    const sealed = vault.seal('the token', 'location:loc_a');
    expect(() => vault.open(sealed, 'location:loc_b')).toThrow();
    const [v, nonce, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64');
    flipped[0] ^= 1;
    expect(() => vault.open([v, nonce, flipped.toString('base64'), tag].join('.'), 'location:loc_a')).toThrow();
    expect(() => new TokenVault(randomBytes(32)).open(sealed, 'location:loc_a')).toThrow();
  });
});

describe('OAuthConnections against the sandbox (single-use refresh tokens)', () => {
  let ghl: GhlDouble;
  const prefix = testPrefix('oauth');
  const redis = new Redis(redisUrl());
  const key = randomBytes(32).toString('base64');

  beforeAll(async () => {
    ghl = await startGhlDouble({
      token: null,
      locations: [{ id: 'loc_one', calendarId: 'cal_one' }],
      oauth: { clientId: 'app9-xyz', clientSecret: 'sandbox-secret', accessTokenTtlSeconds: 600 },
    });
  });
  afterAll(async () => {
    await ghl.close();
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  /** The replicas' clock: moved forward instead of waiting for tokens to age. */
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;

  /** One replica: its own connection, directory and in-process cache, sharing Redis with the others. */
  function replica() {
    const config = loadConfig({
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      GHL_API_BASE_URL: ghl.url,
      GHL_LOCATION_ID: 'loc_one',
      GHL_CALENDAR_ID: 'cal_one',
      GHL_CLIENT_ID: 'app9-xyz',
      GHL_CLIENT_SECRET: 'sandbox-secret',
      GHL_OAUTH_REDIRECT_URL: 'https://booking.example/oauth/callback',
      TOKEN_ENCRYPTION_KEY: key,
    });
    const connection = new Redis(redisUrl());
    const directory = new LocationDirectory(connection, config, loadLocations(config));
    const client = new OAuthClient({ baseUrl: ghl.url, clientId: 'app9-xyz', clientSecret: 'sandbox-secret', redirectUri: config.GHL_OAUTH_REDIRECT_URL!, timeoutMs: 5000, now });
    const connections = new OAuthConnections(connection, prefix, new TokenVault(config.TOKEN_ENCRYPTION_KEY!), client, directory, { lockMs: 10_000, waitMs: 10_000, now });
    return { connections, close: () => connection.quit() };
  }

  it('a Location install: many callers on three replicas at expiry renew once, and nobody reuses a spent refresh token', async () => {
    const replicas = [replica(), replica(), replica()];
    try {
      const code = await ghl.authorize('Location', ['loc_one']);
      await replicas[0].connections.connectWithCode(code);
      const first = await replicas[1].connections.accessToken('loc_one');
      const before = await ghl.oauthStats();
      // Past the renewal point (a tenth of the 10 minutes before expiry): every caller at once.
      offsetMs += 9.5 * 60_000;
      const tokens = await Promise.all(replicas.flatMap((r) => Array.from({ length: 10 }, () => r.connections.accessToken('loc_one'))));
      const after = await ghl.oauthStats();
      expect(new Set(tokens).size).toBe(1);
      expect(tokens[0]).not.toBe(first);
      expect((after.refreshes.loc_one ?? 0) - (before.refreshes.loc_one ?? 0)).toBe(1);
      expect(after.invalidGrants).toBe(0);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('a 401 on a token that looks fresh renews once; a refused refresh says needs_reinstall', async () => {
    const r = replica();
    try {
      await r.connections.connectWithCode(await ghl.authorize('Location', ['loc_one']));
      const token = await r.connections.accessToken('loc_one');
      const renewed = await r.connections.accessToken('loc_one', token);
      expect(renewed).not.toBe(token);
      await ghl.revoke({ locationId: 'loc_one' });
      await expect(r.connections.accessToken('loc_one', renewed)).rejects.toThrow(NotConnectedError);
      await expect(r.connections.accessToken('loc_one')).rejects.toThrow(/needs a reinstall/);
    } finally {
      await r.close();
    }
  });
});

describe('a Company install to all of an agency’s locations', () => {
  // More than one page of GHL's installedLocations (20 a page by default).
  const ids = Array.from({ length: 45 }, (_, i) => `loc_${String(i).padStart(2, '0')}`);
  let ghl: GhlDouble;
  const prefix = testPrefix('oauth-agency');
  const redis = new Redis(redisUrl());

  beforeAll(async () => {
    ghl = await startGhlDouble({
      token: null,
      locations: ids.map((id) => ({ id, calendarId: `cal_${id}` })),
      oauth: { clientId: 'app9-xyz', clientSecret: 'sandbox-secret' },
    });
  });
  afterAll(async () => {
    await ghl.close();
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  it('connects every location, though GHL’s answer lists none and pages the installed ones', async () => {
    const config = loadConfig({
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      GHL_API_BASE_URL: ghl.url,
      GHL_LOCATION_ID: ids[0],
      GHL_CALENDAR_ID: `cal_${ids[0]}`,
      GHL_CLIENT_ID: 'app9-xyz',
      GHL_CLIENT_SECRET: 'sandbox-secret',
      GHL_OAUTH_REDIRECT_URL: 'https://booking.example/oauth/callback',
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    const connection = new Redis(redisUrl());
    try {
      const directory = new LocationDirectory(connection, config, loadLocations(config));
      const client = new OAuthClient({ baseUrl: ghl.url, clientId: 'app9-xyz', clientSecret: 'sandbox-secret', redirectUri: config.GHL_OAUTH_REDIRECT_URL!, timeoutMs: 5000 });
      const connections = new OAuthConnections(connection, prefix, new TokenVault(config.TOKEN_ENCRYPTION_KEY!), client, directory, { lockMs: 10_000, waitMs: 10_000 });
      const connected = await connections.connectWithCode(await ghl.authorize('Company', ids, { approveAll: true }));
      expect(connected.locations.sort()).toEqual(ids);
      expect(await connections.accessToken(ids[44])).toEqual(expect.any(String));
    } finally {
      await connection.quit();
    }
  });
});
