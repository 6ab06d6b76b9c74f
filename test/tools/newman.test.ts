import { join } from 'node:path';
import { startSystem, type System } from '../support/system';

/** The few parts of newman's library API this test reads (newman ships no types). */
interface NewmanSummary {
  run: {
    stats: Record<'requests' | 'assertions' | 'prerequestScripts' | 'testScripts', { total: number; failed: number }>;
    failures: { error: { name: string; message: string }; source?: { name?: string } }[];
    executions: { item: { name: string }; response?: { code: number; stream?: Buffer } }[];
  };
}
type NewmanRun = (
  options: { collection: unknown; envVar: { key: string; value: string }[]; reporters?: string[] },
  callback: (error: Error | null, summary: NewmanSummary) => void,
) => void;
const newman = require('newman') as { run: NewmanRun };

const COLLECTION = join(__dirname, '..', '..', 'docs', 'postman', 'whatsapp-booking.postman_collection.json');

let system: System;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(() => system.close());

function runCollection(envVar: { key: string; value: string }[]): Promise<NewmanSummary> {
  return new Promise((resolve, reject) => {
    // The JSON file itself, read fresh: what a user imports into Postman or runs with `npx newman run`.
    newman.run({ collection: COLLECTION, envVar, reporters: [] }, (error, summary) => (error ? reject(error) : resolve(summary)));
  });
}

const bodyOf = (summary: NewmanSummary, name: string) => {
  const execution = summary.run.executions.find((e) => e.item.name === name);
  return JSON.parse(execution!.response!.stream!.toString('utf8')) as Record<string, any>;
};

it('runs the Postman collection against a real ingest: signed sends accepted, every assertion passes', async () => {
  const summary = await runCollection([
    { key: 'baseUrl', value: system.ingest.url },
    { key: 'webhookSecret', value: system.ingest.config.WEBHOOK_SECRET[0] },
  ]);

  expect(summary.run.failures.map((f) => `${f.source?.name}: ${f.error.name}: ${f.error.message}`)).toEqual([]);
  expect(summary.run.stats.requests).toEqual(expect.objectContaining({ total: 5, failed: 0 }));
  expect(summary.run.stats.assertions).toEqual(expect.objectContaining({ total: 10, failed: 0 }));
  expect(summary.run.stats.prerequestScripts.failed).toBe(0);
  expect(summary.run.stats.testScripts.failed).toBe(0);
  expect(summary.run.executions.map((e) => [e.item.name, e.response?.code])).toEqual([
    ['Send Message', 202],
    ['Send Message and wait', 200],
    ['Health Check', 200],
    ['Status', 200],
    ['Run', 200],
  ]);

  // The waited message booked in one turn (contact upserted by phone in the GHL double).
  expect(bodyOf(summary, 'Send Message and wait')).toMatchObject({ status: 'success', final_state: 'completed', booking_id: expect.any(String) });
  const sent = bodyOf(summary, 'Send Message');
  expect(bodyOf(summary, 'Run').workflow_run_id).toBe(sent.workflow_run_id);
});

it('runs again with fresh message ids (no duplicates), and a wrong secret is refused', async () => {
  const again = await runCollection([
    { key: 'baseUrl', value: system.ingest.url },
    { key: 'webhookSecret', value: system.ingest.config.WEBHOOK_SECRET[0] },
  ]);
  expect(again.run.failures).toEqual([]);
  expect(bodyOf(again, 'Send Message').status).toBe('accepted');

  const wrong = await runCollection([
    { key: 'baseUrl', value: system.ingest.url },
    { key: 'webhookSecret', value: 'not-the-secret' },
  ]);
  const codes = Object.fromEntries(wrong.run.executions.map((e) => [e.item.name, e.response?.code]));
  expect(codes).toMatchObject({ 'Send Message': 401, 'Send Message and wait': 401, 'Health Check': 200 });
  expect(wrong.run.stats.assertions.failed).toBeGreaterThan(0);
});
