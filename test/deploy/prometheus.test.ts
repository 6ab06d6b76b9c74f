import { requireTool, run } from './support';

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
