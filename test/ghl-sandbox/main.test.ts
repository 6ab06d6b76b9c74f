import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { Redis } from 'ioredis';
import { startSandbox } from '../../services/ghl-sandbox/src/main';
import { deletePrefix, redisUrl, testPrefix } from '../support/redis';

describe('the sandbox composition root', () => {
  it('starts from environment variables under `${QUEUE_PREFIX}:sandbox`, requires its token, and closes', async () => {
    const queuePrefix = testPrefix('sbmain');
    const sandbox = await startSandbox({
      SANDBOX_PORT: '0',
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: queuePrefix,
      SANDBOX_TOKEN: 'pit-main',
      SANDBOX_TIMEZONE: 'America/New_York',
      SANDBOX_DAYS: '1,2,3,4,5,6,7',
      SANDBOX_OPEN: '10:00',
      SANDBOX_CLOSE: '12:00',
      GHL_CALENDAR_ID: 'cal_env',
    });
    const redis = new Redis(redisUrl());
    try {
      expect(sandbox.keyPrefix).toBe(`${queuePrefix}:sandbox`);
      const headers = { version: '2021-04-15', authorization: 'Bearer pit-main' };
      expect((await fetch(`${sandbox.url}/calendars/cal_env`, { headers: { version: '2021-04-15' } })).status).toBe(401);
      const res = await fetch(`${sandbox.url}/calendars/cal_env`, { headers });
      expect(((await res.json()) as { calendar: { locationId: string } }).calendar.locationId).toBe('loc_sandbox');
      const from = Date.now() + 86_400_000;
      const slots = (await (await fetch(`${sandbox.url}/calendars/cal_env/free-slots?startDate=${from}&endDate=${from + 2 * 86_400_000}`, { headers })).json()) as Record<string, { slots: string[] }>;
      const all = Object.entries(slots).filter(([k]) => k !== 'traceId').flatMap(([, v]) => v.slots);
      expect(all.length).toBeGreaterThan(0);
      for (const s of all) expect(s).toMatch(/T1[01]:(00|30):00-0[45]:00$/);
      const keys = await redis.keys(`${queuePrefix}:sandbox:*`); // the test Redis is small; KEYS is fine here
      expect(keys.length).toBeGreaterThan(0); // the rate counters, at least
    } finally {
      await sandbox.close();
      await deletePrefix(redis, queuePrefix);
      await redis.quit();
    }
  });

  it('listens on loopback unless SANDBOX_HOST says otherwise (a blank one counts as unset)', async () => {
    const queuePrefix = testPrefix('sbhost');
    const redis = new Redis(redisUrl());
    try {
      for (const host of [undefined, '', '  ']) {
        const sandbox = await startSandbox({ SANDBOX_PORT: '0', REDIS_URL: redisUrl(), QUEUE_PREFIX: queuePrefix, ...(host === undefined ? {} : { SANDBOX_HOST: host }) });
        try {
          expect({ host, boundAddress: sandbox.boundAddress }).toEqual({ host, boundAddress: '127.0.0.1' });
          expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        } finally {
          await sandbox.close();
        }
      }
      const everywhere = await startSandbox({ SANDBOX_PORT: '0', REDIS_URL: redisUrl(), QUEUE_PREFIX: queuePrefix, SANDBOX_HOST: '0.0.0.0' });
      try {
        expect(everywhere.boundAddress).toBe('0.0.0.0');
      } finally {
        await everywhere.close();
      }
    } finally {
      await deletePrefix(redis, queuePrefix);
      await redis.quit();
    }
  });

  it('serves SANDBOX_LOCATIONS with their zones, the OAuth app of SANDBOX_OAUTH_*, and the public key of its webhook signing key', async () => {
    const queuePrefix = testPrefix('sboauth');
    const key = generateKeyPairSync('ed25519');
    const sandbox = await startSandbox({
      SANDBOX_PORT: '0',
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: queuePrefix,
      SANDBOX_DAYS: '1,2,3,4,5,6,7',
      SANDBOX_LOCATIONS: JSON.stringify([
        { id: 'loc_one', calendarId: 'cal_one' },
        { id: 'loc_two', calendarId: 'cal_two', timeZone: 'Asia/Kolkata', name: 'Two' },
      ]),
      SANDBOX_OAUTH_CLIENT_ID: 'appenv-123',
      SANDBOX_OAUTH_CLIENT_SECRET: 'env-secret',
      SANDBOX_ACCESS_TOKEN_TTL_SECONDS: '120',
      INGEST_URL: 'http://127.0.0.1:9',
      WEBHOOK_SECRET: 'chat-secret-0123456789abcdef',
      // As an env file carries it: one line, with \n escapes.
      SANDBOX_WEBHOOK_PRIVATE_KEY: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n'),
    });
    const redis = new Redis(redisUrl());
    try {
      const served = await (await fetch(`${sandbox.url}/_sandbox/webhook-public-key`)).text();
      expect(served).toBe(key.publicKey.export({ type: 'spki', format: 'pem' }).toString());
      expect(sandbox.webhookPublicKeyPem).toBe(served);
      const { code } = (await (await fetch(`${sandbox.url}/_sandbox/oauth/authorize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userType: 'Location', locationIds: ['loc_two'] }) })).json()) as { code: string };
      const token = (await (
        await fetch(`${sandbox.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ client_id: 'appenv-123', client_secret: 'env-secret', grant_type: 'authorization_code', code, user_type: 'Location' }).toString(),
        })
      ).json()) as { access_token: string; expires_in: number; locationId: string };
      expect(token).toMatchObject({ expires_in: 120, locationId: 'loc_two' });
      const headers = { version: '2021-04-15', authorization: `Bearer ${token.access_token}` };
      const from = Date.now() + 86_400_000;
      const slots = (await (await fetch(`${sandbox.url}/calendars/cal_two/free-slots?startDate=${from}&endDate=${from + 86_400_000}`, { headers })).json()) as Record<string, { slots: string[] }>;
      const all = Object.entries(slots).filter(([k]) => k !== 'traceId').flatMap(([, v]) => v.slots);
      expect(all.length).toBeGreaterThan(0);
      for (const s of all) expect(s).toMatch(/\+05:30$/);
      expect((await fetch(`${sandbox.url}/calendars/cal_one`, { headers })).status).toBe(403);
    } finally {
      await sandbox.close();
      await deletePrefix(redis, queuePrefix);
      await redis.quit();
    }
  });

  it('makes a fresh signing key at start when none is given', async () => {
    const queuePrefix = testPrefix('sbkey');
    const redis = new Redis(redisUrl());
    const env = { SANDBOX_PORT: '0', REDIS_URL: redisUrl(), QUEUE_PREFIX: queuePrefix, INGEST_URL: 'http://127.0.0.1:9', WEBHOOK_SECRET: 'chat-secret-0123456789abcdef' };
    const one = await startSandbox(env);
    const two = await startSandbox(env);
    try {
      expect(createPublicKey(one.webhookPublicKeyPem).asymmetricKeyType).toBe('ed25519');
      expect(two.webhookPublicKeyPem).not.toBe(one.webhookPublicKeyPem);
    } finally {
      await one.close();
      await two.close();
      await deletePrefix(redis, queuePrefix);
      await redis.quit();
    }
  });

  it('refuses bad configuration with a readable message', async () => {
    await expect(startSandbox({ SANDBOX_DAYS: '0,9' })).rejects.toThrow(/SANDBOX_DAYS/);
    await expect(startSandbox({ SANDBOX_TIMEZONE: 'Mars/Base' })).rejects.toThrow(/SANDBOX_TIMEZONE/);
    await expect(startSandbox({ SANDBOX_LOCATIONS: '[{"id": "a"}]' })).rejects.toThrow(/SANDBOX_LOCATIONS/);
    await expect(startSandbox({ SANDBOX_LOCATIONS: 'loc_a,loc_b' })).rejects.toThrow(/SANDBOX_LOCATIONS: must be JSON/);
    await expect(startSandbox({ SANDBOX_LOCATIONS: '[{"id": "a", "calendarId": "c"}, {"id": "a", "calendarId": "d"}]' })).rejects.toThrow(/unique/);
    await expect(startSandbox({ SANDBOX_OAUTH_CLIENT_ID: 'app-1' })).rejects.toThrow(/SANDBOX_OAUTH_CLIENT_SECRET/);
    await expect(startSandbox({ SANDBOX_ACCESS_TOKEN_TTL_SECONDS: '0' })).rejects.toThrow(/SANDBOX_ACCESS_TOKEN_TTL_SECONDS/);
    await expect(startSandbox({ SANDBOX_WEBHOOK_PRIVATE_KEY: 'not a key' })).rejects.toThrow(/SANDBOX_WEBHOOK_PRIVATE_KEY/);
  });
});
