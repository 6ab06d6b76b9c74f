import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { createWorkerMetrics } from '../../services/worker/src/metrics/worker-metrics';
import { referenceMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { ROOT, parseYaml, parseYamlDocuments, promqlSelectors, requireTool, run, type Selector } from './support';

/**
 * The autoscaler's query and the alert rules name metrics and labels: they must be what a running ingest
 * and worker really export, or autoscaling reads nothing and alerts never fire (absent series are silent).
 */

interface Exposition {
  service: string;
  registry: Registry;
  /** Every name a query can use: families from `# TYPE`, histogram/summary parts, and sample names. */
  names: Set<string>;
  samples: string[];
}

function exposition(service: string, registry: Registry, text: string): Exposition {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  const samples = text.split('\n').filter((line) => line && !line.startsWith('#'));
  for (const line of samples) names.add(line.split(/[{ ]/)[0]);
  return { service, registry, names, samples };
}

/** The metric family a series name belongs to (a histogram's `_bucket` belongs to the histogram). */
const family = (registry: Registry, name: string) =>
  registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(bucket|sum|count)$/, ''));

let ingest: Ingest;
let exposed: Exposition[];

beforeAll(async () => {
  ingest = await startIngest();
  // One job in the queue (no worker runs here), and one refused delivery, so labelled series have samples.
  expect((await ingest.post(referenceMessage({ id: 'metric-names-1' }))).status).toBe(202);
  expect((await ingest.post(referenceMessage({ id: 'metric-names-2' }), { headers: { 'X-GHL-Signature': 'f'.repeat(64) } })).status).toBe(401);
  const scraped = await ingest.scrape();
  const worker = createWorkerMetrics();
  exposed = [exposition('ingest', ingest.metrics.registry, scraped), exposition('worker', worker.registry, await worker.registry.metrics())];
});
afterAll(() => ingest?.close());

function scaledObjectQuery(): string {
  requireTool('kubectl', 'kubectl');
  const objects = parseYamlDocuments(run('kubectl', ['kustomize', join(ROOT, 'k8s')]));
  const so = objects.find((o: any) => o.kind === 'ScaledObject');
  return so.spec.triggers[0].metadata.query;
}

function ruleExpressions(): { alert: string; expr: string }[] {
  const rules = parseYaml(readFileSync(join(ROOT, 'deploy/prometheus/rules.yml'), 'utf8'));
  return rules.groups.flatMap((g: any) => g.rules.map((r: any) => ({ alert: r.alert ?? r.record, expr: r.expr })));
}

/** Series the recording rules make: queries may read them; each rule's own expression is checked itself. */
function recordedNames(): Set<string> {
  const rules = parseYaml(readFileSync(join(ROOT, 'deploy/prometheus/rules.yml'), 'utf8'));
  return new Set(rules.groups.flatMap((g: any) => g.rules.filter((r: any) => r.record).map((r: any) => r.record)));
}

const DASHBOARD = join(ROOT, 'deploy/grafana/whatsapp-booking.json');

/** Every query of the dashboard's panels (rows' nested panels included), with the panel's title. */
function dashboardQueries(): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  const panels = (list: any[]): any[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
  return panels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t: any) => ({ panel: p.title, expr: t.expr })));
}

/** A histogram bucket's `le` is a label of the series, not of the family. */
const bucketLabels = (metric: string) => (metric.endsWith('_bucket') ? ['le'] : []);

/** Every selector names an exported (or recorded) metric, and every label it matches on is one that metric has. */
function checkSelectors(source: string, selectors: Selector[]) {
  expect(selectors.length).toBeGreaterThan(0);
  const recorded = recordedNames();
  for (const selector of selectors) {
    if (recorded.has(selector.metric)) continue;
    const owner = exposed.find((e) => e.names.has(selector.metric));
    expect({ source, metric: selector.metric, exportedBy: owner?.service ?? 'nobody' }).toEqual({ source, metric: selector.metric, exportedBy: expect.stringMatching(/ingest|worker/) });
    const labelNames = [
      ...((family(owner!.registry, selector.metric) as unknown as { labelNames?: string[] })?.labelNames ?? []),
      ...bucketLabels(selector.metric),
    ];
    for (const m of selector.matchers) expect({ source, metric: selector.metric, label: m.label, known: labelNames.includes(m.label) }).toEqual({ source, metric: selector.metric, label: m.label, known: true });
  }
}

it('the KEDA query reads the ingest backlog gauge, with the states BullMQ reports', () => {
  const query = scaledObjectQuery();
  const selectors = promqlSelectors(query);
  checkSelectors('ScaledObject', selectors);
  expect(selectors.map((s) => s.metric)).toEqual(['queue_jobs']);

  // The states matched are series the ingest really exports; the queued job shows up in them.
  const states = selectors[0].matchers.find((m) => m.label === 'state')!;
  const ingestSamples = exposed[0].samples;
  const backlog = new RegExp(`^(?:${states.value})$`);
  const matched = ingestSamples
    .map((line) => line.match(/^queue_jobs\{state="([^"]+)"\} (\S+)$/))
    .filter((m): m is RegExpMatchArray => Boolean(m && backlog.test(m[1])));
  expect(matched.map((m) => m[1]).sort()).toEqual(['delayed', 'prioritized', 'waiting']);
  expect(matched.reduce((sum, m) => sum + Number(m[2]), 0)).toBe(1);
});

it('every alert rule reads metrics and labels the services export', () => {
  const rules = ruleExpressions();
  expect(rules.length).toBeGreaterThanOrEqual(4);
  for (const rule of rules) checkSelectors(rule.alert, promqlSelectors(rule.expr));
});

it('every dashboard query reads metrics and labels the services export (or the rules record)', () => {
  const queries = dashboardQueries();
  expect(queries.length).toBeGreaterThanOrEqual(15);
  for (const query of queries) checkSelectors(`dashboard panel "${query.panel}"`, promqlSelectors(query.expr));
});

it('the dashboard shows every metric the issue asks for, the rate-budget wait among them', () => {
  const read = new Set(dashboardQueries().flatMap((q) => promqlSelectors(q.expr).map((s) => s.metric.replace(/_(bucket|sum|count)$/, ''))));
  for (const name of [
    'webhook_requests_total', 'http_request_duration_seconds', 'queue_jobs', 'queue_oldest_waiting_age_seconds', 'queue_workers',
    'active_workflows', 'workflow_runs_total', 'booking_duration_seconds', 'ghl_api_calls_total', 'ghl_rate_budget_wait_seconds',
    'llm_calls_total', 'turns_handed_to_team_total', 'ignored_time_zones_total',
  ]) expect({ name, onDashboard: read.has(name) }).toEqual({ name, onDashboard: true });
});

it('finds metric names in PromQL the way Prometheus reads it: functions, labels, strings and variables are not metrics', () => {
  const expr = `histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{route="/webhook", code=~"5.."}[$__rate_interval])))
    / on() group_left label_replace(max without (instance) (queue_jobs offset 5m), "dst", "$1", "src", "(.*)") > 1e3
    or increase(llm_calls_total{outcome!="ok"}[$__range])`;
  expect(promqlSelectors(expr).map((s) => [s.metric, s.matchers.map((m) => `${m.label}${m.op}${m.value}`)])).toEqual([
    ['http_request_duration_seconds_bucket', ['route=/webhook', 'code=~5..']],
    ['queue_jobs', []],
    ['llm_calls_total', ['outcome!=ok']],
  ]);
});

it('the SLO rules read a route and a bucket boundary the ingest really writes', () => {
  // The two deliveries above were timed on the webhook route, and 0.25 s is one of its bucket boundaries.
  const samples = exposed[0].samples;
  expect(samples.some((line) => /^http_request_duration_seconds_bucket\{le="0.25",[^}]*route="\/webhook"/.test(line))).toBe(true);
  expect(samples.some((line) => /^http_request_duration_seconds_count\{[^}]*route="\/webhook",code="401"\}/.test(line))).toBe(true);
});

it('label values the rules match on are ones the ingest really writes', () => {
  // The refused delivery above: status="error" and a signature failure.
  const samples = exposed[0].samples;
  expect(samples.some((line) => /^webhook_requests_total\{[^}]*status="error"/.test(line))).toBe(true);
  expect(samples.some((line) => /^webhook_requests_total\{[^}]*status="success"/.test(line))).toBe(true);
  expect(samples.some((line) => /^webhook_signature_failures_total\{/.test(line))).toBe(true);
});
