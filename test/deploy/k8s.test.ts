import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { configSchema, loadConfig, parseLocationsFile } from '@wab/shared';
import { startPrivateRedis } from '../../shared/src/redis/local-server';
import { ROOT, parseYaml, parseYamlDocuments, redisStartup, requireTool, run } from './support';

/** What `kubectl apply -k k8s` would send, rendered without a cluster, then checked object by object. */

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

const NAMESPACE = 'whatsapp-booking';
const SECRET = 'whatsapp-booking-secrets';

let objects: Obj[];
const find = (kind: string, name: string): Obj => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests`);
  return found;
};
const workloads = () => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const appConfig = () => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('whatsapp-booking-config'))!;

beforeAll(() => {
  requireTool('kubectl', 'kubectl');
  objects = parseYamlDocuments<Obj>(run('kubectl', ['kustomize', join(ROOT, 'k8s')]));
});

it('renders the expected objects, all in the namespace', () => {
  const names = objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`).sort();
  expect(names).toEqual(
    [
      'ConfigMap/whatsapp-booking-config',
      'ConfigMap/whatsapp-booking-grafana-dashboard',
      'ConfigMap/whatsapp-booking-locations',
      'ConfigMap/whatsapp-booking-prometheus-rules',
      'Deployment/ingest',
      'Deployment/worker',
      'HorizontalPodAutoscaler/ingest',
      'Namespace/whatsapp-booking',
      'NetworkPolicy/allow-dns',
      'NetworkPolicy/default-deny',
      'NetworkPolicy/ingest',
      'NetworkPolicy/redis',
      'NetworkPolicy/worker',
      'PodDisruptionBudget/ingest',
      'PodDisruptionBudget/worker',
      'ScaledObject/worker',
      'Service/ingest',
      'Service/ingest-admin',
      'Service/ingest-metrics',
      'Service/redis',
      'Service/redis-headless',
      'Service/worker-metrics',
      'StatefulSet/redis',
    ].sort(),
  );
  for (const o of objects) if (o.kind !== 'Namespace') expect(`${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`).toBe(`${o.kind}/${o.metadata.name} in ${NAMESPACE}`);
});

it('every object validates against its Kubernetes (or KEDA) schema', () => {
  for (const o of objects) {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}: add it to MODELS`);
    expect(() => new Model(o).validate()).not.toThrow();
  }
});

it('every container is locked down: non-root, read-only root, no privilege escalation, no capabilities, seccomp', () => {
  for (const w of workloads()) {
    const pod = w.spec.template.spec;
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      const sc = c.securityContext ?? {};
      const effective = {
        runAsNonRoot: sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot,
        readOnlyRootFilesystem: sc.readOnlyRootFilesystem,
        allowPrivilegeEscalation: sc.allowPrivilegeEscalation,
        drop: sc.capabilities?.drop,
        seccomp: (sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type,
      };
      expect({ container: `${w.metadata.name}/${c.name}`, ...effective }).toEqual({
        container: `${w.metadata.name}/${c.name}`,
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        drop: ['ALL'],
        seccomp: 'RuntimeDefault',
      });
      // A numeric user: runAsNonRoot cannot check a user name.
      expect(sc.runAsUser ?? pod.securityContext?.runAsUser).toBeGreaterThan(0);
      // /tmp is the one writable place, an emptyDir.
      const tmp = c.volumeMounts?.find((m: { mountPath: string }) => m.mountPath === '/tmp');
      expect(pod.volumes.find((v: { name: string }) => v.name === tmp?.name)?.emptyDir).toBeDefined();
      expect(c.resources.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
      expect(c.resources.limits).toEqual({ cpu: expect.anything(), memory: expect.anything() });
      expect(c.livenessProbe).toBeDefined();
      expect(c.readinessProbe).toBeDefined();
    }
    expect(pod.automountServiceAccountToken).toBe(false);
  }
  expect(find('Namespace', NAMESPACE).metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
});

it('the ingest and the worker probe /livez and /readyz on their ports and outlast SHUTDOWN_TIMEOUT_MS', () => {
  const shutdownSeconds = Number(appConfig().data.SHUTDOWN_TIMEOUT_MS) / 1000;
  for (const [name, port, command] of [
    ['ingest', 8000, ['node', 'services/ingest/dist/main.js']],
    ['worker', 9100, ['node', '--max-old-space-size=192', 'services/worker/dist/main.js']],
  ] as const) {
    const d = find('Deployment', name);
    const pod = d.spec.template.spec;
    const [c] = pod.containers;
    expect(c.command).toEqual(command);
    const portName = c.ports.find((p: { containerPort: number }) => p.containerPort === port).name;
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: portName });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: portName });
    // Drain time plus the ingest's 2 s readiness grace, with room to spare.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(shutdownSeconds + 10);
    expect(d.spec.replicas).toBeUndefined(); // the autoscaler owns it
    expect(c.envFrom).toEqual([{ configMapRef: { name: appConfig().metadata.name } }]);
  }
});

it('the ConfigMap holds valid settings the configuration knows, with a hash-tagged QUEUE_PREFIX', () => {
  const data: Record<string, string> = appConfig().data;
  expect(data.QUEUE_PREFIX).toBe('{bull}');
  const known = new Set(Object.keys(configSchema.shape));
  expect(Object.keys(data).filter((k) => !known.has(k))).toEqual([]);
  // The real schema accepts them (with the one required secret added).
  expect(() => loadConfig({ ...data, GHL_API_TOKEN: 'x' })).not.toThrow();
  // It carries Redis's password: the Secret holds it, never the ConfigMap.
  expect(data).not.toHaveProperty('REDIS_URL');
});

it("the example Secret's placeholders pass the services' own rules, and its REDIS_URL is the ACL user's on the Service", () => {
  const example = parseYaml<Obj>(readFileSync(join(ROOT, 'k8s/secret.example.yaml'), 'utf8'));
  const values: Record<string, string> = example.stringData;
  expect(() => loadConfig({ ...appConfig().data, ...values })).not.toThrow();
  const url = new URL(values.REDIS_URL);
  expect({ protocol: url.protocol, user: url.username, password: url.password, host: url.host }).toEqual({
    protocol: 'redis:',
    user: 'app',
    password: values.REDIS_PASSWORD,
    host: `${find('Service', 'redis').metadata.name}:6379`,
  });
});

it('secrets come from whatsapp-booking-secrets, an example that is not applied; GHL_API_TOKEN, REDIS_URL and REDIS_PASSWORD are required', () => {
  const example = parseYaml<Obj>(readFileSync(join(ROOT, 'k8s/secret.example.yaml'), 'utf8'));
  expect(() => new Secret(example as any).validate()).not.toThrow();
  expect(example.metadata.name).toBe(SECRET);
  expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  expect(readFileSync(join(ROOT, 'k8s/kustomization.yaml'), 'utf8')).not.toMatch(/^\s*-\s*secret\.example\.yaml/m);

  const refs = workloads().flatMap((w) =>
    w.spec.template.spec.containers.flatMap((c: any) =>
      (c.env ?? [])
        .filter((e: any) => e.valueFrom?.secretKeyRef)
        .map((e: any) => ({ container: c.name, env: e.name as string, ...(e.valueFrom.secretKeyRef as { name: string; key: string; optional?: boolean }) })),
    ),
  );
  expect(refs.map((r) => `${r.container}:${r.env}${r.optional ? '?' : ''}`).sort()).toEqual([
    'ingest:ADMIN_TOKEN?',
    'ingest:REDIS_URL',
    'ingest:WEBHOOK_SECRET?',
    'redis:REDIS_PASSWORD',
    'worker:GHL_API_TOKEN',
    'worker:OPENAI_API_KEY?',
    'worker:REDIS_URL',
  ]);
  for (const r of refs) {
    expect(r.name).toBe(SECRET);
    expect(r.key).toBe(r.env);
    if (r.container !== 'redis') expect(Object.keys(configSchema.shape)).toContain(r.env);
    expect(Object.keys(example.stringData)).toContain(r.key);
  }
});

it('Services and PodDisruptionBudgets select real pods and ports', () => {
  const podLabels = workloads().map((w) => w.spec.template.metadata.labels as Record<string, string>);
  const selects = (selector: Record<string, string>) => podLabels.some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
  for (const s of objects.filter((o) => o.kind === 'Service')) expect({ service: s.metadata.name, selects: selects(s.spec.selector) }).toEqual({ service: s.metadata.name, selects: true });
  for (const p of objects.filter((o) => o.kind === 'PodDisruptionBudget')) expect(selects(p.spec.selector.matchLabels)).toBe(true);
  expect(find('PodDisruptionBudget', 'ingest').spec.minAvailable).toBe(1);
  expect(find('PodDisruptionBudget', 'worker').spec.maxUnavailable).toBe(1);
  expect(find('Service', 'worker-metrics').spec.ports[0]).toMatchObject({ port: 9100, targetPort: 'metrics' });
});

it('the ingest has three ports: the public Service reaches only the webhook port; admin is cluster-internal', () => {
  const ingest = find('Deployment', 'ingest').spec.template;
  const [c] = ingest.spec.containers;
  const env = Object.fromEntries(c.env.filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]));
  const settings = loadConfig({ ...appConfig().data, ...env });
  expect(Object.fromEntries(c.ports.map((p: any) => [p.name, p.containerPort]))).toEqual({ http: settings.PORT, metrics: settings.INGEST_METRICS_PORT, admin: settings.ADMIN_PORT });
  expect({ PORT: settings.PORT, INGEST_METRICS_PORT: settings.INGEST_METRICS_PORT, ADMIN_PORT: settings.ADMIN_PORT }).toEqual({ PORT: 8000, INGEST_METRICS_PORT: 9101, ADMIN_PORT: 8001 });
  expect(ingest.metadata.annotations['prometheus.io/port']).toBe('9101');

  const servicePorts = (name: string) => find('Service', name).spec.ports.map((p: any) => p.targetPort);
  expect(servicePorts('ingest')).toEqual(['http']);
  expect(servicePorts('ingest-admin')).toEqual(['admin']);
  expect(find('Service', 'ingest-admin').spec.type).toBe('ClusterIP');
  expect(servicePorts('ingest-metrics')).toEqual(['metrics']);
  expect(find('Service', 'ingest-metrics').spec.clusterIP).toBe('None');
  // Nothing is exposed outside the cluster but through the public Service (which an Ingress may name).
  for (const s of objects.filter((o) => o.kind === 'Service')) expect({ service: s.metadata.name, type: s.spec.type ?? 'ClusterIP' }).toEqual({ service: s.metadata.name, type: 'ClusterIP' });
});

it('the ingest policy: 8000 from anywhere, 9101 from the monitoring namespace, 8001 from admin-client pods only', () => {
  const rules = find('NetworkPolicy', 'ingest').spec.ingress.map((rule: any) => ({ ports: rule.ports.map((p: any) => p.port), from: rule.from ?? 'anywhere' }));
  expect(rules).toEqual([
    { ports: [8000], from: 'anywhere' },
    { ports: [9101], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
    { ports: [8001], from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'admin-client' } } }] },
  ]);
});

it('the ingest scales on CPU; the worker on the backlog through KEDA, with bounds and a fallback', () => {
  const hpa = find('HorizontalPodAutoscaler', 'ingest');
  expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ingest' });
  expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  expect(hpa.spec.metrics[0].resource.name).toBe('cpu');

  const so = find('ScaledObject', 'worker');
  expect(so.spec.scaleTargetRef.name).toBe('worker');
  expect(so.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
  expect(so.spec.maxReplicaCount).toBeGreaterThan(so.spec.minReplicaCount);
  expect(so.spec.fallback).toEqual({ failureThreshold: expect.any(Number), replicas: expect.any(Number) });
  expect(so.spec.triggers).toEqual([
    { type: 'prometheus', metadata: { serverAddress: expect.stringMatching(/^http/), query: expect.stringContaining('queue_jobs'), threshold: expect.stringMatching(/^\d+$/) } },
  ]);
});

const redisContainer = () => find('StatefulSet', 'redis').spec.template.spec.containers[0];
const redisStartupWith = (password: string) => redisStartup(redisContainer().command, { REDIS_PASSWORD: password });

it('Redis requires a password: the default user is off, `app` has the Secret\'s REDIS_PASSWORD; the probes authenticate', async () => {
  const password = 'a-test-password-0123456789';
  const { stdin, args } = redisStartupWith(password);
  expect(stdin).toBe(`user default off\nuser app on >${password} ~* &* +@all\n`);
  expect(args[0]).toBe('-'); // the ACL lines are its configuration, read from stdin
  expect(args.join(' ')).not.toContain(password);

  // Those exact lines on a real redis-server: no answer without the password, PONG with it.
  const server = await startPrivateRedis({ stdinConfig: stdin, urlFor: (port) => `redis://app:${password}@127.0.0.1:${port}` });
  try {
    const port = new URL(server.url).port;
    expect(run('redis-cli', ['-p', port, 'ping'])).toMatch(/NOAUTH/);
    expect(run('redis-cli', ['-p', port, '--user', 'app', 'ping'], { env: { ...process.env, REDISCLI_AUTH: password } }).trim()).toBe('PONG');
  } finally {
    await server.stop();
  }
  const container = redisContainer();
  for (const probe of [container.livenessProbe, container.readinessProbe]) {
    expect(probe.exec.command).toEqual(['sh', '-c', 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli --user app ping | grep -q PONG']);
  }
});

it('Redis keeps an AOF on a volume and never evicts', () => {
  const redis = find('StatefulSet', 'redis');
  const args = redisStartupWith('any-password-0123456789').args.join(' ');
  expect(args).toContain('--appendonly yes');
  expect(args).toContain('--maxmemory-policy noeviction');
  expect(redis.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
  expect(redis.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
  expect(find('Service', redis.spec.serviceName).spec.clusterIP).toBe('None');
});

it('network policies: deny by default; only the ingest is open; Redis only for ingest and worker; worker out on 443', () => {
  const policy = (name: string) => find('NetworkPolicy', name).spec;
  expect(policy('default-deny')).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  expect(policy('allow-dns').egress[0].ports).toEqual(expect.arrayContaining([{ protocol: 'UDP', port: 53 }]));

  // Ingress without `from` (open to all) exists only for the ingest.
  const open = objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .filter((o) => (o.spec.ingress ?? []).some((rule: { from?: unknown[] }) => !rule.from))
    .map((o) => o.metadata.name);
  expect(open).toEqual(['ingest']);

  const redisFrom = policy('redis').ingress.flatMap((rule: any) => rule.from.map((f: any) => f.podSelector.matchLabels['app.kubernetes.io/component']));
  expect(redisFrom.sort()).toEqual(['ingest', 'worker']);
  expect(policy('redis').egress).toBeUndefined();

  const workerEgress = policy('worker').egress;
  expect(workerEgress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] });
  expect(workerEgress).toContainEqual({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'redis' } } }], ports: [{ protocol: 'TCP', port: 6379 }] });
});

it('the alert rules ConfigMap is the repository file deploy/prometheus/rules.yml', () => {
  expect(find('ConfigMap', 'whatsapp-booking-prometheus-rules').data['rules.yml']).toBe(readFileSync(join(ROOT, 'deploy/prometheus/rules.yml'), 'utf8'));
});

it('ships the Grafana dashboard as a ConfigMap the kube-prometheus-stack sidecar picks up', () => {
  const dashboard = find('ConfigMap', 'whatsapp-booking-grafana-dashboard');
  expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
  expect(dashboard.data['whatsapp-booking.json']).toBe(readFileSync(join(ROOT, 'deploy/grafana/whatsapp-booking.json'), 'utf8'));
});

it('mounts the locations ConfigMap where LOCATIONS_FILE points, and its example is a valid locations file', () => {
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('whatsapp-booking-locations'))!;
  expect(configMap).toBeDefined();
  const config = loadConfig({});
  expect(parseLocationsFile(config, parseYaml(configMap.data['locations.yaml']))).toHaveLength(1);
  for (const name of ['ingest', 'worker']) {
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;
    const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'locations');
    expect(volume.configMap.name).toBe(configMap.metadata.name);
    expect(deployment.spec.template.spec.containers[0].volumeMounts).toContainEqual(expect.objectContaining({ name: 'locations', mountPath: '/etc/whatsapp-booking' }));
  }
});
