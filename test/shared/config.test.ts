import { ConfigError, GHL_ED25519_PUBLIC_KEY, loadConfig } from '@wab/shared';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8000,
      METRICS_PORT: 9100,
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'bull',
      WEBHOOK_SECRET: [],
      GHL_WEBHOOK_PUBLIC_KEY: GHL_ED25519_PUBLIC_KEY,
      GHL_API_BASE_URL: 'https://services.leadconnectorhq.com',
      OPENAI_MODEL: 'gpt-4o-mini',
      BUSINESS_TIMEZONE: 'UTC',
      MIN_BUDGET: 500,
      RATE_LIMIT_PER_IP: 30,
      RATE_LIMIT_PER_PHONE: 100,
      DEDUPE_TTL_SECONDS: 259200,
    });
    expect(config.ADMIN_TOKEN).toBeUndefined();
  });

  it('reads comma-separated secrets for rotation and treats empty values as unset', () => {
    const config = loadConfig({ WEBHOOK_SECRET: ' new-secret , old-secret ,', PORT: '' });
    expect(config.WEBHOOK_SECRET).toEqual(['new-secret', 'old-secret']);
    expect(config.PORT).toBe(8000);
  });

  it('fails naming every bad variable and never echoing its value', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', BUSINESS_TIMEZONE: 'Mars/Olympus', ADMIN_TOKEN: 'short-secret' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/BUSINESS_TIMEZONE/);
    expect(message).toMatch(/ADMIN_TOKEN/);
    expect(message).not.toMatch(/short-secret/);
  });
});
