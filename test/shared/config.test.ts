import { ConfigError, GHL_ED25519_PUBLIC_KEY, LOCAL_DEMO_WEBHOOK_SECRET, isLocalSandboxUrl, loadConfig } from '@wab/shared';

/** The ConfigError message loadConfig throws for this environment (fails the test when it does not throw). */
function configErrorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted the environment');
}

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
    const config = loadConfig({ WEBHOOK_SECRET: ' new-secret-0123456789abcdef , old-secret-0123456789abcdef ,', PORT: '' });
    expect(config.WEBHOOK_SECRET).toEqual(['new-secret-0123456789abcdef', 'old-secret-0123456789abcdef']);
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

  it('refuses any WEBHOOK_SECRET entry shorter than 24 characters, naming the variable and never the value', () => {
    const message = configErrorOf({ WEBHOOK_SECRET: 'long-enough-secret-0123456789,short-secret-2345' });
    expect(message).toMatch(/^Invalid configuration: WEBHOOK_SECRET\.1: each secret must be at least 24 characters$/);
    expect(message).not.toMatch(/short-secret/);
    expect(loadConfig({ WEBHOOK_SECRET: 'x'.repeat(24) }).WEBHOOK_SECRET).toEqual(['x'.repeat(24)]);
  });

  it('refuses the published demo secret unless GHL_API_BASE_URL is a local sandbox', () => {
    for (const GHL_API_BASE_URL of ['https://services.leadconnectorhq.com', 'http://10.0.0.5:8100', 'http://ghl-sandbox.example.com', 'http://localhost.evil.com']) {
      const message = configErrorOf({ WEBHOOK_SECRET: LOCAL_DEMO_WEBHOOK_SECRET, GHL_API_BASE_URL });
      expect(message).toMatch(/^Invalid configuration: WEBHOOK_SECRET: the published demo secret is allowed only with a local sandbox/);
      expect(message).not.toContain(LOCAL_DEMO_WEBHOOK_SECRET);
    }
    // Unset GHL_API_BASE_URL is real GHL: refused too.
    expect(configErrorOf({ WEBHOOK_SECRET: `my-own-secret-0123456789abcdef,${LOCAL_DEMO_WEBHOOK_SECRET}` })).toMatch(/WEBHOOK_SECRET: the published demo secret/);
    for (const GHL_API_BASE_URL of ['http://127.0.0.1:8100', 'http://127.1.2.3:1', 'http://localhost:8100', 'http://[::1]:8100', 'http://ghl-sandbox:8100']) {
      expect(loadConfig({ WEBHOOK_SECRET: LOCAL_DEMO_WEBHOOK_SECRET, GHL_API_BASE_URL }).WEBHOOK_SECRET).toEqual([LOCAL_DEMO_WEBHOOK_SECRET]);
    }
  });

  it('the demo secret is long enough for the length rule', () => {
    expect(LOCAL_DEMO_WEBHOOK_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('knows a local sandbox precisely: loopback or compose\'s ghl-sandbox, nothing that merely looks like one', () => {
    expect(['http://127.0.0.1', 'http://127.255.0.1:9', 'http://LOCALHOST:1', 'http://[::1]', 'http://ghl-sandbox:8100/'].map(isLocalSandboxUrl)).toEqual([true, true, true, true, true]);
    expect(['http://128.0.0.1', 'http://0.0.0.0', 'http://[::ffff:7f00:1]', 'https://services.leadconnectorhq.com', 'http://sandbox', 'not a url'].map(isLocalSandboxUrl)).toEqual([false, false, false, false, false, false]);
  });

  it('SIGNATURE_SCHEMES defaults to all three and refuses unknown schemes', () => {
    expect(loadConfig({}).SIGNATURE_SCHEMES).toEqual(['hmac', 'ed25519', 'rsa']);
    expect(loadConfig({ SIGNATURE_SCHEMES: 'hmac' }).SIGNATURE_SCHEMES).toEqual(['hmac']);
    expect(configErrorOf({ SIGNATURE_SCHEMES: 'hmac,md5' })).toMatch(/SIGNATURE_SCHEMES/);
  });

  it('REDIS_CLUSTER_NODES is unset by default and takes host:port entries only', () => {
    expect(loadConfig({}).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis-0:6379, 10.0.0.2:7000,' }).REDIS_CLUSTER_NODES).toEqual(['redis-0:6379', '10.0.0.2:7000']);
    expect(configErrorOf({ REDIS_CLUSTER_NODES: 'redis-0' })).toMatch(/REDIS_CLUSTER_NODES\.0: each node must be host:port/);
    expect(configErrorOf({ REDIS_CLUSTER_NODES: ',' })).toMatch(/REDIS_CLUSTER_NODES: must name at least one host:port/);
  });

  it('QUEUE_PREFIX may hold braces only as one hash tag', () => {
    expect(loadConfig({ QUEUE_PREFIX: '{bull}' }).QUEUE_PREFIX).toBe('{bull}');
    for (const prefix of ['{bull', 'a}', '{}', '{a}{b}']) expect(configErrorOf({ QUEUE_PREFIX: prefix })).toMatch(/QUEUE_PREFIX: may hold braces only as one hash tag/);
  });
});
