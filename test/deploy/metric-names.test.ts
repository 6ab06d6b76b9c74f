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

/** Every selector names an exported metric, and every label it matches on is one that metric has. */
function checkSelectors(source: string, selectors: Selector[]) {
  expect(selectors.length).toBeGreaterThan(0);
  for (const selector of selectors) {
    const owner = exposed.find((e) => e.names.has(selector.metric));
    expect({ source, metric: selector.metric, exportedBy: owner?.service ?? 'nobody' }).toEqual({ source, metric: selector.metric, exportedBy: expect.stringMatching(/ingest|worker/) });
    const labelNames = ((family(owner!.registry, selector.metric) as unknown as { labelNames?: string[] })?.labelNames ?? []);
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

it('label values the rules match on are ones the ingest really writes', () => {
  // The refused delivery above: status="error" and a signature failure.
  const samples = exposed[0].samples;
  expect(samples.some((line) => /^webhook_requests_total\{[^}]*status="error"/.test(line))).toBe(true);
  expect(samples.some((line) => /^webhook_requests_total\{[^}]*status="success"/.test(line))).toBe(true);
  expect(samples.some((line) => /^webhook_signature_failures_total\{/.test(line))).toBe(true);
});
