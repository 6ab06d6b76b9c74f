import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceMessage } from '../support/ingest-harness';
import { eventually } from '../support/redis';
import { startSystem, type System } from '../support/system';

/** One location's burst and another's single customer, on a worker with few slots. */
const dir = mkdtempSync(join(tmpdir(), 'wab-fair-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EVERY_DAY = { timeZone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '17:00' };

async function twoLocations(cap: number): Promise<System> {
  const file = join(dir, `locations-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(file, 'locations:\n  - { id: loc_campaign, calendarId: cal_campaign, token: pit-campaign }\n  - { id: loc_quiet, calendarId: cal_quiet, token: pit-quiet }\n');
  return startSystem({
    ghl: {
      token: null,
      locations: [
        { id: 'loc_campaign', calendarId: 'cal_campaign', token: 'pit-campaign', businessHours: EVERY_DAY },
        { id: 'loc_quiet', calendarId: 'cal_quiet', token: 'pit-quiet', businessHours: EVERY_DAY },
      ],
    },
    env: { LOCATIONS_FILE: file, WORKER_CONCURRENCY: '4', LOCATION_MAX_ACTIVE_TURNS: String(cap), BURST_WINDOW_MS: '0' },
  });
}

function message(locationId: string, i: number) {
  const phone = `+1444${String(1_000_000 + i).slice(1)}`;
  const m = referenceMessage({ id: `fair-${locationId}-${i}-${randomBytes(3).toString('hex')}`, from: phone, body: 'Hi, I need help with marketing. My budget is $2000' });
  return { ...m, locationId, contactId: `ct_${locationId}_${i}`, contact: { ...m.contact, id: `ct_${locationId}_${i}`, phone } };
}

/** How many of the campaign's runs had finished when the quiet location's customer was answered. */
async function campaignDoneWhenQuietAnswered(system: System): Promise<number> {
  const campaign: string[] = [];
  for (let i = 0; i < 12; i++) campaign.push((await system.ingest.post(message('loc_campaign', i))).body!.workflow_run_id);
  const quiet = (await system.ingest.post(message('loc_quiet', 0))).body!.workflow_run_id;
  const finished = async (runId: string) => ['completed', 'waiting_for_customer', 'failed'].includes((await system.ingest.get(`/runs/${runId}`)).body.final_state);
  await eventually(async () => {
    if (!(await finished(quiet))) throw new Error('quiet customer not answered yet');
  }, 30_000);
  let done = 0;
  for (const runId of campaign) if (await finished(runId)) done++;
  // Everyone is answered in the end.
  await eventually(async () => {
    for (const runId of campaign) if (!(await finished(runId))) throw new Error('campaign still running');
  }, 60_000);
  return done;
}

it('with a per-location cap, another location’s customer is answered before most of a burst', async () => {
  const system = await twoLocations(1);
  try {
    expect(await campaignDoneWhenQuietAnswered(system)).toBeLessThan(8);
    expect(await system.ghl.appointments('loc_campaign')).toHaveLength(12);
    expect(await system.ghl.appointments('loc_quiet')).toHaveLength(1);
  } finally {
    await system.close();
  }
});

it('without it (LOCATION_MAX_ACTIVE_TURNS=0), the same customer waits behind the burst', async () => {
  const system = await twoLocations(0);
  try {
    expect(await campaignDoneWhenQuietAnswered(system)).toBeGreaterThanOrEqual(8);
  } finally {
    await system.close();
  }
});

it('a deployment that serves one location never holds its turns back: there is no one to be fair to', async () => {
  const system = await startSystem({ env: { WORKER_CONCURRENCY: '4', LOCATION_MAX_ACTIVE_TURNS: '1', BURST_WINDOW_MS: '0' } });
  try {
    const runs: string[] = [];
    for (let i = 0; i < 8; i++) runs.push((await system.ingest.post(message(system.ghl.locationId, i))).body!.workflow_run_id);
    await eventually(async () => {
      // Booked, or (two turns racing for the same free slot) offered the next ones.
      for (const runId of runs) if (!['completed', 'waiting_for_customer'].includes((await system.ingest.get(`/runs/${runId}`)).body.final_state)) throw new Error('not all answered yet');
    }, 20_000);
    const deferred = (await system.worker!.metrics.turnsDeferred.get()).values.reduce((n, v) => n + v.value, 0);
    expect(deferred).toBe(0);
  } finally {
    await system.close();
  }
});
