import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, parseYaml, requireTool, run } from './support';

/** The alert rules and docker-compose's Prometheus configuration, checked by Prometheus's own tool. */

beforeAll(() => requireTool('promtool', 'prometheus'));

it('promtool accepts the alert rules', () => {
  expect(run('promtool', ['check', 'rules', 'deploy/prometheus/rules.yml'])).toMatch(/SUCCESS: \d+ rules found/);
});

it('each alert fires on its pattern and not on its near misses (promtool test rules)', () => {
  expect(run('promtool', ['test', 'rules', 'deploy/prometheus/rules.test.yml'])).toMatch(/SUCCESS/);
});

it('promtool accepts the Prometheus configuration used by docker-compose', () => {
  expect(run('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml'])).toMatch(/is valid prometheus config file/);
});

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-');

it('every alert has a runbook link to a section of docs/operations.md', () => {
  const anchors = new Set(
    [...readFileSync(join(ROOT, 'docs/operations.md'), 'utf8').matchAll(/^#{2,4} (.+)$/gm)].map(([, heading]) => anchorOf(heading)),
  );
  const alerts = parseYaml(readFileSync(join(ROOT, 'deploy/prometheus/rules.yml'), 'utf8')).groups.flatMap((g: any) => g.rules.filter((r: any) => r.alert));
  expect(alerts.length).toBeGreaterThanOrEqual(10);
  for (const alert of alerts) {
    const [file, anchor] = String(alert.annotations?.runbook ?? '').split('#');
    expect({ alert: alert.alert, file, anchorFound: anchors.has(anchor) }).toEqual({ alert: alert.alert, file: 'docs/operations.md', anchorFound: true });
  }
});

it('every burn-rate alert pairs a long window with a short one', () => {
  const rules = parseYaml(readFileSync(join(ROOT, 'deploy/prometheus/rules.yml'), 'utf8')).groups.flatMap((g: any) => g.rules);
  const burnAlerts = rules.filter((r: any) => /BudgetFastBurn|BudgetSlowBurn/.test(r.alert ?? ''));
  expect(burnAlerts.map((r: any) => r.alert).sort()).toEqual([
    'WebhookAckLatencyBudgetFastBurn', 'WebhookAckLatencyBudgetSlowBurn', 'WebhookErrorBudgetFastBurn', 'WebhookErrorBudgetSlowBurn',
  ]);
  const windowsOf = (expr: string) => [...expr.matchAll(/:rate(\w+) >/g)].map(([, w]) => w).join(',');
  const windows = Object.fromEntries(burnAlerts.map((r: any) => [r.alert, windowsOf(r.expr)]));
  expect(windows).toEqual({
    WebhookErrorBudgetFastBurn: '1h,5m,6h,30m',
    WebhookErrorBudgetSlowBurn: '3d,6h',
    WebhookAckLatencyBudgetFastBurn: '1h,5m,6h,30m',
    WebhookAckLatencyBudgetSlowBurn: '3d,6h',
  });
});
