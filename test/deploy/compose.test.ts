import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_DEMO_WEBHOOK_SECRET, configSchema } from '@wab/shared';
import { startPrivateRedis } from '../../shared/src/redis/local-server';
import { ROOT, parseYaml, redisStartup, requireTool, run } from './support';

/**
 * docker-compose.yml, checked the way `docker compose` reads it (no Docker engine needed): it is valid
 * with and without the optional profiles, and it describes the system the README promises.
 */
// A bare environment and an empty env file (not the repository's .env): the file's own defaults are
// what is checked, not the developer's settings.
const ENV_DIR = mkdtempSync(join(tmpdir(), 'compose-'));
const EMPTY_ENV_FILE = join(ENV_DIR, 'empty.env');
writeFileSync(EMPTY_ENV_FILE, '');
afterAll(() => rmSync(ENV_DIR, { recursive: true, force: true }));
/** The committed env file of the dev profile (sandbox settings and the README's demo secret). */
const DEV_ENV_FILE = join(ROOT, 'deploy/docker/dev.env');
/** A real deployment's required settings, as an operator would put them in `.env`. */
const REAL_GHL = {
  WEBHOOK_SECRET: 'an-operator-secret-0123456789',
  REDIS_PASSWORD: 'an-operator-redis-password-0123456789',
  GHL_API_TOKEN: 'pit-123',
  GHL_LOCATION_ID: 'loc_real',
  GHL_CALENDAR_ID: 'cal_real',
};
/** The dev env file's published Redis password. */
const DEV_REDIS_PASSWORD = /^REDIS_PASSWORD=(.+)$/m.exec(readFileSync(DEV_ENV_FILE, 'utf8'))![1];
const composeWith = (envFile: string, args: string[], env: Record<string, string> = {}) =>
  run('docker-compose', ['--env-file', envFile, '-f', join(ROOT, 'docker-compose.yml'), ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
const compose = (args: string[], env: Record<string, string> = {}) => composeWith(DEV_ENV_FILE, args, env);

const APP_SERVICES = ['ingest', 'worker', 'ghl-sandbox'];
const SANDBOX_SETTINGS = ['SANDBOX_PORT', 'SANDBOX_HOST', 'INGEST_URL'];

let config: { services: Record<string, any>; volumes: Record<string, unknown> };

beforeAll(() => {
  requireTool('docker-compose', 'docker-compose');
  config = parseYaml(compose(['--profile', 'dev', '--profile', 'monitoring', 'config']));
});

it('is accepted by docker-compose with the dev env file, alone and with the dev and monitoring profiles', () => {
  expect(compose(['config', '-q'])).toBe('');
  expect(compose(['--profile', 'dev', '--profile', 'monitoring', 'config', '-q'])).toBe('');
});

it('without the dev env file, WEBHOOK_SECRET, REDIS_PASSWORD and the real GHL settings are required (no published default)', () => {
  for (const missing of Object.keys(REAL_GHL)) {
    const env = Object.fromEntries(Object.entries(REAL_GHL).filter(([key]) => key !== missing));
    expect(() => composeWith(EMPTY_ENV_FILE, ['config', '-q'], env)).toThrow(new RegExp(`set ${missing}\\b`));
  }
  const real = parseYaml(composeWith(EMPTY_ENV_FILE, ['config'], REAL_GHL)).services;
  for (const name of ['ingest', 'worker']) {
    const { REDIS_PASSWORD, ...settings } = REAL_GHL;
    expect(real[name].environment).toMatchObject({ ...settings, REDIS_URL: `redis://:${REDIS_PASSWORD}@redis:6379`, GHL_API_BASE_URL: 'https://services.leadconnectorhq.com' });
  }
  // Outside dev the ingest is the public port, as GHL must reach it.
  expect(ports(real.ingest)).toEqual(['8000:8000']);
  expect(hostIp(real.ingest)).toBeUndefined();
});

const MONITORING = ['prometheus', 'grafana', 'jaeger'];

it('plain `up` starts Redis, the ingest and the worker; the sandbox and the monitoring services are behind profiles', () => {
  const { services } = config;
  expect(Object.keys(services).sort()).toEqual(['ghl-sandbox', 'grafana', 'ingest', 'jaeger', 'prometheus', 'redis', 'worker']);
  for (const name of ['redis', 'ingest', 'worker']) expect(services[name].profiles).toBeUndefined();
  expect(services['ghl-sandbox'].profiles).toEqual(['dev']);
  for (const name of MONITORING) expect({ name, profiles: services[name].profiles }).toEqual({ name, profiles: ['monitoring'] });
});

/** What the Redis container runs: `config` prints `$$`, which Compose hands to the container as `$`. */
const redisStartupIn = (redis: { command: string[]; environment: Record<string, string> }) =>
  redisStartup(
    redis.command.map((part) => part.replaceAll('$$', '$')),
    redis.environment,
  );

it('Redis keeps an AOF on a named volume and never evicts', () => {
  const redis = config.services.redis;
  expect(redis.image).toMatch(/^redis:7/);
  const args = redisStartupIn(redis).args.join(' ');
  expect(args).toContain('--appendonly yes');
  expect(args).toContain('--maxmemory-policy noeviction');
  expect(volume(redis.volumes[0])).toEqual({ source: 'redis-data', target: '/data', readOnly: false });
  expect(config.volumes).toHaveProperty('redis-data');
});

it('Redis starts with REDIS_PASSWORD (kept off its command line), its healthcheck authenticates, and the services use it', async () => {
  const redis = parseYaml(composeWith(EMPTY_ENV_FILE, ['config'], REAL_GHL)).services.redis;
  expect(redis.environment).toEqual({ REDIS_PASSWORD: REAL_GHL.REDIS_PASSWORD });
  const { stdin, args } = redisStartupIn(redis);
  expect(stdin).toBe(`requirepass ${REAL_GHL.REDIS_PASSWORD}\n`);
  expect(args[0]).toBe('-');
  expect(args.join(' ')).not.toContain(REAL_GHL.REDIS_PASSWORD);

  // That configuration on a real redis-server: no answer without the password, PONG with it.
  const server = await startPrivateRedis({ stdinConfig: stdin, urlFor: (port) => `redis://:${REAL_GHL.REDIS_PASSWORD}@127.0.0.1:${port}` });
  try {
    const port = new URL(server.url).port;
    expect(run('redis-cli', ['-p', port, 'ping'])).toMatch(/NOAUTH/);
    expect(run('redis-cli', ['-p', port, 'ping'], { env: { ...process.env, REDISCLI_AUTH: REAL_GHL.REDIS_PASSWORD } }).trim()).toBe('PONG');
  } finally {
    await server.stop();
  }
  expect(redis.healthcheck.test).toEqual(['CMD-SHELL', 'REDISCLI_AUTH="$$REDIS_PASSWORD" redis-cli ping | grep -q PONG']);
  expect(config.services.redis.environment).toEqual({ REDIS_PASSWORD: DEV_REDIS_PASSWORD });
});

it('every service runs the one image with node as its command, locked down, after Redis is healthy', () => {
  const commands = Object.fromEntries(APP_SERVICES.map((name) => [name, config.services[name].command]));
  expect(commands).toEqual({
    ingest: ['node', 'services/ingest/dist/main.js'],
    worker: ['node', '--max-old-space-size=192', 'services/worker/dist/main.js'],
    'ghl-sandbox': ['node', 'services/ghl-sandbox/dist/main.js'],
  });
  for (const name of APP_SERVICES) {
    const service = config.services[name];
    expect(service.build.context).toBe(ROOT);
    expect(service.read_only).toBe(true);
    expect(service.tmpfs).toEqual(['/tmp']);
    expect(service.cap_drop).toEqual(['ALL']);
    expect(service.security_opt).toEqual(['no-new-privileges:true']);
    expect(service.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(service.healthcheck.test.slice(0, 3)).toEqual(['CMD', 'node', 'deploy/docker/healthcheck.js']);
    // Longer than SHUTDOWN_TIMEOUT_MS, so runs finish before SIGKILL.
    expect(parseDuration(service.stop_grace_period)).toBeGreaterThan(Number(service.environment.SHUTDOWN_TIMEOUT_MS) / 1000);
  }
});

it('the worker can be scaled: no container name, no host port', () => {
  const worker = config.services.worker;
  expect(worker.container_name).toBeUndefined();
  expect(worker.ports).toBeUndefined();
  expect(ports(config.services.ingest)).toEqual(['8000:8000']);
});

it('only the public webhook port and the dev sandbox are published; admin and metrics never, the monitoring services on loopback', () => {
  const published = Object.fromEntries(Object.entries(config.services).map(([name, service]) => [name, ports(service)]));
  expect(published).toEqual({
    ingest: ['8000:8000'], worker: [], redis: [], 'ghl-sandbox': ['8100:8100'],
    prometheus: ['9090:9090'], grafana: ['3000:3000'], jaeger: ['16686:16686', '4318:4318'],
  });
  for (const name of MONITORING) {
    const hosts = (config.services[name].ports as PortEntry[]).map((p) => port(p).hostIp);
    expect({ name, hosts: [...new Set(hosts)] }).toEqual({ name, hosts: ['127.0.0.1'] });
  }
  const env = config.services.ingest.environment;
  expect({ admin: env.ADMIN_PORT, metrics: env.INGEST_METRICS_PORT, adminHost: env.ADMIN_HOST }).toEqual({ admin: '8001', metrics: '9101', adminHost: undefined });
});

it('the dev env file gives what `npm start` gives: the sandbox as GHL and the README demo secret, on loopback only', () => {
  for (const name of ['ingest', 'worker']) {
    expect(config.services[name].environment).toMatchObject({
      REDIS_URL: `redis://:${DEV_REDIS_PASSWORD}@redis:6379`,
      GHL_API_BASE_URL: 'http://ghl-sandbox:8100',
      GHL_API_TOKEN: 'sandbox',
      GHL_LOCATION_ID: 'loc_sandbox',
      GHL_CALENDAR_ID: 'cal_sandbox',
      WEBHOOK_SECRET: LOCAL_DEMO_WEBHOOK_SECRET,
    });
  }
  expect(hostIp(config.services.ingest)).toBe('127.0.0.1');
  expect(hostIp(config.services['ghl-sandbox'])).toBe('127.0.0.1');
  expect(config.services['ghl-sandbox'].environment).toMatchObject({ SANDBOX_HOST: '0.0.0.0', SANDBOX_PORT: '8100', INGEST_URL: 'http://ingest:8000' });
  expect(ports(config.services['ghl-sandbox'])).toEqual(['8100:8100']);
});

it('a setting from the shell or .env reaches the services (real GHL instead of the sandbox)', () => {
  const out = composeWith(EMPTY_ENV_FILE, ['config'], { ...REAL_GHL, GHL_API_BASE_URL: 'https://services.leadconnectorhq.com' });
  const worker = parseYaml(out).services.worker;
  expect(worker.environment).toMatchObject({ GHL_API_BASE_URL: 'https://services.leadconnectorhq.com', GHL_API_TOKEN: 'pit-123' });
});

it('every variable passed to the services is one the configuration knows (no typos)', () => {
  const known = new Set(Object.keys(configSchema.shape));
  for (const name of APP_SERVICES) {
    const unknown = Object.keys(config.services[name].environment).filter(
      (key) => !known.has(key) && !(name === 'ghl-sandbox' && SANDBOX_SETTINGS.includes(key)),
    );
    expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
  }
});

it('Prometheus reads the repository rules and finds every worker replica by DNS', () => {
  const prometheus = config.services.prometheus;
  expect(volume(prometheus.volumes[0])).toEqual({ source: join(ROOT, 'deploy/prometheus'), target: '/etc/prometheus', readOnly: true });
  const scrape = parseYaml(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8'));
  expect(scrape.rule_files).toEqual(['rules.yml']);
  const jobs = Object.fromEntries(scrape.scrape_configs.map((job: any) => [job.job_name, job]));
  // The ingest's metrics port, not its public one.
  expect(jobs.ingest.static_configs[0].targets).toEqual([`ingest:${config.services.ingest.environment.INGEST_METRICS_PORT}`]);
  expect(config.services.ingest.environment.INGEST_METRICS_PORT).toBe('9101');
  expect(jobs.worker.dns_sd_configs[0]).toMatchObject({ names: ['worker'], type: 'A', port: 9100 });
});

describe('Grafana (monitoring profile)', () => {
  const grafana = () => config.services.grafana;
  const DASHBOARD_DIR = join(ROOT, 'deploy/grafana');
  const dashboard = () => JSON.parse(readFileSync(join(DASHBOARD_DIR, 'whatsapp-booking.json'), 'utf8'));
  const provisioned = (file: string) => parseYaml(readFileSync(join(DASHBOARD_DIR, 'provisioning', file), 'utf8'));
  const mount = () => volume(grafana().volumes.find((v: any) => volume(v).source === DASHBOARD_DIR));

  it('mounts deploy/grafana read-only and reads its provisioning and dashboards from there', () => {
    expect(mount()).toEqual({ source: DASHBOARD_DIR, target: '/etc/grafana/whatsapp-booking', readOnly: true });
    expect(grafana().environment.GF_PATHS_PROVISIONING).toBe(`${mount().target}/provisioning`);
    const [provider] = provisioned('dashboards/whatsapp-booking.yml').providers;
    expect(provider).toMatchObject({ type: 'file', allowUiUpdates: false, options: { path: mount().target } });
    expect(volume(grafana().volumes.find((v: any) => volume(v).target === '/var/lib/grafana'))).toMatchObject({ source: 'grafana-data' });
    expect(config.volumes).toHaveProperty('grafana-data');
  });

  it('provisions Prometheus under the uid the dashboard defaults to, and every panel reads it through the variable', () => {
    const sources = provisioned('datasources/datasources.yml').datasources;
    const prometheus = sources.find((d: any) => d.type === 'prometheus');
    expect(prometheus).toMatchObject({ url: 'http://prometheus:9090', isDefault: true });
    expect(config.services.prometheus.ports.map((p: PortEntry) => port(p).target)).toContain('9090');
    const d = dashboard();
    expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
    const variable = d.templating.list.find((v: any) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: 'prometheus', current: { value: prometheus.uid } });
    const panels = (list: any[]): any[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
    const queried = panels(d.panels).filter((p) => p.targets);
    expect(queried.length).toBeGreaterThan(10);
    for (const p of queried) {
      for (const ds of [p.datasource, ...p.targets.map((t: any) => t.datasource)]) expect({ panel: p.title, ds }).toEqual({ panel: p.title, ds: { type: 'prometheus', uid: '${datasource}' } });
    }
    // The traces data source points at the collector's query service.
    expect(sources.find((d: any) => d.type === 'jaeger')).toMatchObject({ url: 'http://jaeger:16686' });
  });

  it('has no anonymous access, no sign-up, and no default admin password: without GRAFANA_ADMIN_PASSWORD it refuses to start', () => {
    const env = grafana().environment;
    expect({ anonymous: env.GF_AUTH_ANONYMOUS_ENABLED, signUp: env.GF_USERS_ALLOW_SIGN_UP, password: env.GF_SECURITY_ADMIN_PASSWORD }).toEqual({ anonymous: 'false', signUp: 'false', password: '' });
    const withPassword = parseYaml(compose(['--profile', 'monitoring', 'config'], { GRAFANA_ADMIN_PASSWORD: 'an-operator-password' })).services.grafana;
    expect(withPassword.environment.GF_SECURITY_ADMIN_PASSWORD).toBe('an-operator-password');
    // The entrypoint's guard, run as the container would (compose prints `$` as `$$`).
    const [shell, flag, script] = grafana().entrypoint as string[];
    const start = (password: string) => spawnSync(shell, [flag, script.replace(/\$\$/g, '$')], { env: { PATH: process.env.PATH, GF_SECURITY_ADMIN_PASSWORD: password }, encoding: 'utf8' });
    const refused = start('');
    expect({ status: refused.status, stderr: refused.stderr }).toEqual({ status: 1, stderr: expect.stringContaining('set GRAFANA_ADMIN_PASSWORD') });
    // With one it goes on to Grafana's own entrypoint (absent here, hence 127).
    const started = start('an-operator-password');
    expect({ status: started.status, stderr: started.stderr }).toEqual({ status: 127, stderr: expect.stringContaining('/run.sh') });
  });
});

describe('Jaeger (monitoring profile)', () => {
  it('accepts OTLP and publishes its UI and OTLP/HTTP on loopback', () => {
    const jaeger = config.services.jaeger;
    expect(jaeger.image).toMatch(/^jaegertracing\/all-in-one:/);
    expect(jaeger.environment.COLLECTOR_OTLP_ENABLED).toBe('true');
    expect(ports(jaeger)).toEqual(['16686:16686', '4318:4318']);
  });

  it('deploy/docker/tracing.yml points the ingest and the worker at it; without it they export nothing', () => {
    for (const name of ['ingest', 'worker']) expect(config.services[name].environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    const traced = parseYaml(
      compose(['-f', join(ROOT, 'docker-compose.yml'), '-f', join(ROOT, 'deploy/docker/tracing.yml'), '--profile', 'monitoring', 'config']),
    ).services;
    for (const name of ['ingest', 'worker']) {
      const endpoint = new URL(traced[name].environment.OTEL_EXPORTER_OTLP_ENDPOINT);
      expect({ name, host: endpoint.hostname, port: endpoint.port }).toEqual({ name, host: 'jaeger', port: '4318' });
    }
    expect(traced.jaeger.ports.map((p: PortEntry) => port(p).target)).toContain('4318');
  });
});

type PortEntry = string | { published: string | number; target: number; host_ip?: string };

/** A published port as {hostIp, published, target}: docker-compose 1.x prints a string when bound to an address. */
function port(p: PortEntry): { hostIp?: string; published: string; target: string } {
  if (typeof p !== 'string') return { hostIp: p.host_ip, published: String(p.published), target: String(p.target) };
  const parts = p.replace(/\/tcp$/, '').split(':');
  const [target, published, hostIp] = parts.reverse();
  return { hostIp, published, target };
}

/** Published ports as "host:container" (Compose v2 prints `published` as a string, 1.x as a number). */
function ports(service: { ports?: PortEntry[] }): string[] {
  return (service.ports ?? []).map((p) => `${port(p).published}:${port(p).target}`);
}

/** The host address a service's first port is published on (undefined: every interface). */
function hostIp(service: { ports?: PortEntry[] }): string | undefined {
  return service.ports?.[0] === undefined ? undefined : port(service.ports[0]).hostIp;
}

/** A volume as docker-compose 1.x prints it ("src:dst:ro") or as Compose v2 does (long syntax). */
function volume(v: string | { source: string; target: string; read_only?: boolean }) {
  if (typeof v !== 'string') return { source: v.source, target: v.target, readOnly: Boolean(v.read_only) };
  const [source, target, mode = 'rw'] = v.split(':');
  return { source, target, readOnly: mode.split(',').includes('ro') };
}

/** Compose durations as docker-compose prints them ("30s", "1m30s"). */
function parseDuration(value: string): number {
  let seconds = 0;
  for (const [, n, unit] of value.matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms)/g)) seconds += Number(n) * { h: 3600, m: 60, s: 1, ms: 0.001 }[unit as 'h']!;
  return seconds;
}
