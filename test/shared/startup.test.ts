import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startPrivateRedis, type LocalRedis } from '@wab/shared';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const SERVICES = {
  ingest: join(root, 'services', 'ingest', 'dist', 'main.js'),
  worker: join(root, 'services', 'worker', 'dist', 'main.js'),
};

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
  for (const script of Object.values(SERVICES)) if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build`);
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
