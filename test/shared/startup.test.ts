import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { LOCAL_DEMO_WEBHOOK_SECRET, startPrivateRedis, type LocalRedis } from '@wab/shared';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const SERVICES = {
  ingest: join(root, 'services', 'ingest', 'dist', 'main.js'),
  worker: join(root, 'services', 'worker', 'dist', 'main.js'),
};
const LAUNCHER = join(root, 'services', 'launcher', 'dist', 'main.js');

/** How a service process ends when started with this environment (it must end on its own). */
async function startFails(script: string, env: Record<string, string>) {
  try {
    await run(process.execPath, [script], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 15_000 });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

let redis: LocalRedis;
beforeAll(async () => {
  for (const script of [...Object.values(SERVICES), LAUNCHER]) if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build`);
  redis = await startPrivateRedis();
});
afterAll(() => redis.stop());

describe.each(Object.entries(SERVICES))('%s start-up', (_name, script) => {
  const ghl = { GHL_API_TOKEN: 't', GHL_LOCATION_ID: 'l', GHL_CALENDAR_ID: 'c' };

  it('fails with one line naming the bad variable, never its value', async () => {
    const result = await startFails(script, { REDIS_URL: redis.url, PORT: 'eighty', METRICS_PORT: 'ninety', MIN_BUDGET: 'lots-secret-ish', ...ghl });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Invalid configuration: .*(PORT|MIN_BUDGET)/);
    expect(result.stderr).not.toMatch(/lots-secret-ish/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a WEBHOOK_SECRET entry shorter than 24 characters, naming the variable, never the value', async () => {
    const result = await startFails(script, { REDIS_URL: redis.url, WEBHOOK_SECRET: 'a-long-enough-secret-0123456789,tiny-secret', ...ghl });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^\w+ failed to start: Invalid configuration: WEBHOOK_SECRET\.1: each secret must be at least 24 characters$/);
    expect(result.stderr).not.toMatch(/tiny-secret|a-long-enough/);
  });

  it('refuses the published demo secret with a GHL that is not a local sandbox', async () => {
    const result = await startFails(script, { REDIS_URL: redis.url, WEBHOOK_SECRET: LOCAL_DEMO_WEBHOOK_SECRET, GHL_API_BASE_URL: 'https://services.leadconnectorhq.com', ...ghl });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/Invalid configuration: WEBHOOK_SECRET: the published demo secret is allowed only with a local sandbox/);
    expect(result.stderr).not.toContain(LOCAL_DEMO_WEBHOOK_SECRET);
  });

  it('refuses a Redis that may evict queue keys (ALLOW_EVICTING_REDIS=true would only warn)', async () => {
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const result = await startFails(script, { REDIS_URL: redis.url, ...ghl });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/maxmemory-policy is allkeys-lru/);
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
  });
});

it('the worker names the GHL settings it cannot run without', async () => {
  const result = await startFails(SERVICES.worker, { REDIS_URL: redis.url, GHL_API_TOKEN: '', GHL_LOCATION_ID: '', GHL_CALENDAR_ID: '' });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/GHL_API_TOKEN, GHL_LOCATION_ID, GHL_CALENDAR_ID must be set/);
});

it('npm start with a real GHL token and no WEBHOOK_SECRET stops with a clear message (the demo secret is only for the sandbox)', async () => {
  const result = await startFails(LAUNCHER, { REDIS_URL: redis.url, GHL_API_TOKEN: 'pit-real-token', WEBHOOK_SECRET: '' });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/GHL_API_TOKEN is set \(real GHL\) but WEBHOOK_SECRET is not/);
  expect(result.stderr).not.toContain('pit-real-token');
});
