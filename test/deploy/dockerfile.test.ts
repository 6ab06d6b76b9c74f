import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT, parseYaml } from './support';

/**
 * The image cannot be built here (no Docker engine), so these check what can go stale without one: every
 * workspace manifest reaches `npm ci`, every command the deployments run is copied into the image, and
 * the HEALTHCHECK script answers as Docker expects.
 */
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const [buildStage, runtimeStage] = dockerfile.split(/^FROM .* AS runtime$/m);

it('both stages copy every workspace package.json before npm ci (npm ci refuses a missing workspace)', () => {
  const workspaces: string[] = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces;
  for (const stage of [buildStage, runtimeStage]) {
    for (const ws of workspaces) expect(stage).toContain(`COPY ${ws}/package.json ${ws}/`);
    expect(stage.indexOf('RUN npm ci')).toBeGreaterThan(stage.lastIndexOf('/package.json '));
  }
  expect(buildStage).toMatch(/^RUN npx tsc -b$/m);
  expect(runtimeStage).toMatch(/^RUN npm ci --omit=dev/m);
});

it('the runtime image holds the compiled entry point of every command compose and Kubernetes run', () => {
  const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
  const k8s = ['ingest', 'worker'].map((name) => parseYaml(readFileSync(join(ROOT, `k8s/${name}.yaml`), 'utf8').split(/^---$/m)[0]));
  const commands: string[][] = [
    ...Object.values<any>(compose.services).filter((s) => s.command?.[0] === 'node').map((s) => s.command),
    ...k8s.map((d) => d.spec.template.spec.containers[0].command),
    JSON.parse(dockerfile.match(/^CMD (.*)$/m)![1]),
  ];
  expect(commands.length).toBeGreaterThanOrEqual(6);
  for (const [node, ...args] of commands) {
    expect(node).toBe('node');
    const script = args.find((a) => !a.startsWith('--'))!; // node flags (a heap cap) come before the script
    const dist = script.slice(0, script.indexOf('/dist/') + '/dist'.length);
    expect(runtimeStage).toContain(`COPY --from=build /app/${dist} ${dist}`);
  }
  expect(runtimeStage).toContain('COPY --from=build /app/shared/dist shared/dist');
});

it('runs as the numeric user Kubernetes expects, with a node HEALTHCHECK the build context includes', () => {
  expect(runtimeStage).toMatch(/^USER 1000:1000$/m);
  for (const name of ['ingest', 'worker']) {
    const d = parseYaml(readFileSync(join(ROOT, `k8s/${name}.yaml`), 'utf8').split(/^---$/m)[0]);
    expect(d.spec.template.spec.securityContext.runAsUser).toBe(1000);
  }
  expect(runtimeStage).toMatch(/^HEALTHCHECK .* CMD \["node", "deploy\/docker\/healthcheck.js"\]$/m);
  expect(runtimeStage).toContain('COPY deploy/docker/healthcheck.js deploy/docker/healthcheck.js');
  // The build context is an allow-list: everything else (.env, keys, node_modules) stays out.
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  expect(ignore).toEqual(expect.arrayContaining(['*', '!deploy/docker/', '!shared/', '!services/', '**/node_modules', '**/dist']));
});

describe('deploy/docker/healthcheck.js', () => {
  let server: Server;
  let port: string;
  const closed = '1'; // nothing listens on port 1

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/livez' || req.url === '/_sandbox/health' ? 200 : 503);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = String((server.address() as AddressInfo).port);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** The script's exit code, as Docker reads it (0 healthy, 1 unhealthy); async, so the server can answer. */
  const exitCode = (args: string[], env: Record<string, string> = {}) =>
    new Promise<number | null>((resolve) => {
      execFile(process.execPath, [join(ROOT, 'deploy/docker/healthcheck.js'), ...args], { env: { PATH: process.env.PATH, ...env } }, (error) =>
        resolve(error ? ((error as { code?: number }).code ?? null) : 0),
      );
    });

  it('with no arguments it is healthy when PORT (ingest) or METRICS_PORT (worker) answers /livez', async () => {
    expect(await exitCode([], { PORT: port, METRICS_PORT: closed })).toBe(0);
    expect(await exitCode([], { PORT: closed, METRICS_PORT: port })).toBe(0);
    expect(await exitCode([], { PORT: closed, METRICS_PORT: closed })).toBe(1);
  });

  it('takes a port and a path (the sandbox: 8100 /_sandbox/health); any answer but 200 is unhealthy', async () => {
    expect(await exitCode([port, '/_sandbox/health'])).toBe(0);
    expect(await exitCode([port, '/not-healthy'])).toBe(1);
  });
});
