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

  it('refuses bad configuration with a readable message', async () => {
    await expect(startSandbox({ SANDBOX_DAYS: '0,9' })).rejects.toThrow(/SANDBOX_DAYS/);
    await expect(startSandbox({ SANDBOX_TIMEZONE: 'Mars/Base' })).rejects.toThrow(/SANDBOX_TIMEZONE/);
  });
});
