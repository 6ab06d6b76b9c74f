import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GhlDouble } from '../support/ghl-double';
import { referenceMessage } from '../support/ingest-harness';
import { finishedRun, startSystem, type System } from '../support/system';

/**
 * An agency's deployment: two locations of the Marketplace app, each with its own calendar, zone and rules,
 * connected by a bulk (Company) install through /oauth/callback, on a sandbox whose tokens expire.
 */
const dir = mkdtempSync(join(tmpdir(), 'wab-app-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const LOCATIONS = [
  { id: 'loc_ny', calendarId: 'cal_ny', name: 'Acme New York', businessHours: { timeZone: 'America/New_York', days: EVERY_DAY, open: '09:00', close: '17:00' } },
  { id: 'loc_mad', calendarId: 'cal_mad', name: 'Acme Madrid', businessHours: { timeZone: 'Europe/Madrid', days: EVERY_DAY, open: '09:00', close: '17:00' } },
];

function locationsFile(): string {
  const file = join(dir, `locations-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(
    file,
    [
      'locations:',
      '  - { id: loc_ny, calendarId: cal_ny, timeZone: America/New_York, businessName: Acme New York, currency: USD, minBudget: 500 }',
      '  - { id: loc_mad, calendarId: cal_mad, timeZone: Europe/Madrid, businessName: Acme Madrid, currency: EUR, minBudget: 800, language: es }',
      '',
    ].join('\n'),
  );
  return file;
}

async function startAgency(accessTokenTtlSeconds: number, extraEnv: Record<string, string> = {}): Promise<System> {
  return startSystem({
    ghl: { token: null, locations: LOCATIONS, oauth: { clientId: 'app123-abcdef', clientSecret: 'sandbox-client-secret', accessTokenTtlSeconds } },
    env: {
      LOCATIONS_FILE: locationsFile(),
      GHL_CLIENT_ID: 'app123-abcdef',
      GHL_CLIENT_SECRET: 'sandbox-client-secret',
      GHL_OAUTH_REDIRECT_URL: 'https://booking.example/oauth/callback',
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: 'admin-token-for-the-app-tests',
      ...extraEnv,
    },
  });
}

async function install(system: System, locations = ['loc_ny', 'loc_mad']): Promise<string> {
  const code = await system.ghl.authorize('Company', locations);
  const res = await fetch(`${system.ingest.url}/oauth/callback?code=${encodeURIComponent(code)}`);
  expect(res.status).toBe(200);
  return res.text();
}

let phoneSeq = 0;
async function customerOf(ghl: GhlDouble, locationId: string) {
  const phone = `+1555${String(1_000_000 + ++phoneSeq).slice(1)}`;
  const contact = await ghl.seedContact({ locationId, name: `Customer ${phoneSeq}`, phone });
  return { id: contact.id, phone };
}

function message(locationId: string, customer: { id: string; phone: string }, body: string) {
  const m = referenceMessage({ id: `m-${randomBytes(6).toString('hex')}`, from: customer.phone, body });
  return { ...m, locationId, contactId: customer.id, contact: { ...m.contact, id: customer.id } };
}

const finished = (system: System, runId: string) => finishedRun(system, runId, 30_000);

describe('an agency bulk install', () => {
  let system: System;
  beforeAll(async () => {
    system = await startAgency(3600);
  });
  afterAll(() => system.close());

  it('connects both locations, and each customer books on its own location’s calendar, zone and rules', async () => {
    const page = await install(system);
    expect(page).toMatch(/Connected 2 locations/);
    expect(page).toContain('loc_ny');
    expect(page).toContain('Acme Madrid');
    expect(page).not.toMatch(/access_token|Bearer/);

    const ny = await customerOf(system.ghl, 'loc_ny');
    const mad = await customerOf(system.ghl, 'loc_mad');
    const [nyRun, madRun] = await Promise.all([
      system.ingest.post(message('loc_ny', ny, 'Hi, I need help with marketing. My budget is $2000')),
      system.ingest.post(message('loc_mad', mad, 'Hola, necesito ayuda con marketing. Mi presupuesto es 2000 €')),
    ]);
    expect((await finished(system, nyRun.body!.workflow_run_id)).result).toMatchObject({ booking_created: true });
    expect((await finished(system, madRun.body!.workflow_run_id)).result).toMatchObject({ booking_created: true });

    const [nyBooked] = await system.ghl.appointments('loc_ny');
    const [madBooked] = await system.ghl.appointments('loc_mad');
    expect(nyBooked).toMatchObject({ calendarId: 'cal_ny', contactId: ny.id });
    expect(madBooked).toMatchObject({ calendarId: 'cal_mad', contactId: mad.id });
    // Each inside its own location's 09:00-17:00.
    const hourIn = (iso: string, timeZone: string) => Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(iso)));
    expect(hourIn(nyBooked.startTime, 'America/New_York')).toBeGreaterThanOrEqual(9);
    expect(hourIn(nyBooked.startTime, 'America/New_York')).toBeLessThan(17);
    expect(hourIn(madBooked.startTime, 'Europe/Madrid')).toBeGreaterThanOrEqual(9);
    expect(hourIn(madBooked.startTime, 'Europe/Madrid')).toBeLessThan(17);

    const stats = await system.ghl.oauthStats();
    expect(stats.locationTokens).toMatchObject({ loc_ny: 1, loc_mad: 1 });
    expect(stats.invalidGrants).toBe(0);

    const workerMetrics = await system.worker!.metrics.registry.metrics();
    expect(workerMetrics).toMatch(/workflow_runs_total\{final_state="completed",location="loc_mad"\} 1/);
    expect(workerMetrics).toMatch(/ghl_api_calls_total\{endpoint="createAppointment",status="200",location="loc_ny"\} 1/);
    const status = (await system.ingest.get('/status')).body;
    expect(status.locations).toEqual([
      expect.objectContaining({ id: 'loc_ny', connection: 'connected', successful_bookings: 1 }),
      expect.objectContaining({ id: 'loc_mad', connection: 'connected', successful_bookings: 1 }),
    ]);
    // The tokens are sealed in Redis: no access token appears in plain text there.
    const keys = await system.ingest.redis.keys(`${system.prefix}:wab:oauth:*`);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) expect(await system.ingest.redis.get(key)).toMatch(/^v1\./);
  });

  it('UNINSTALL: later events for that location are ignored, never queued', async () => {
    const installer = await system.ghl.installsTo(system.ingest.url);
    const answer = await installer.sendUninstall('loc_mad');
    expect(answer.status).toBe(200);
    const mad = await customerOf(system.ghl, 'loc_mad');
    const res = await system.ingest.post(message('loc_mad', mad, 'hola otra vez'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ignored', workflow_run_id: null });
    expect((await system.ingest.get('/status')).body.locations).toContainEqual(expect.objectContaining({ id: 'loc_mad', connection: 'uninstalled' }));

    // A later INSTALL under the agency mints its token again, and its customers are answered.
    expect((await installer.sendInstall('loc_mad')).status).toBe(200);
    const back = await system.ingest.post(message('loc_mad', mad, 'Hola, necesito ayuda con marketing. Mi presupuesto es 2000 €'));
    expect(back.status).toBe(202);
    expect((await finished(system, back.body!.workflow_run_id)).final_state).toBe('completed');
  });
});

describe('access tokens that expire every few seconds', () => {
  let system: System;
  beforeAll(async () => {
    system = await startAgency(3);
  });
  afterAll(() => system.close());

  it('50 messages across two locations and two workers: all answered, no invalid_grant, one renewal per expiry', async () => {
    await system.addWorker();
    await install(system);
    const customers = await Promise.all(Array.from({ length: 10 }, (_, i) => customerOf(system.ghl, i % 2 ? 'loc_mad' : 'loc_ny')));
    const runs: string[] = [];
    const started = Date.now();
    for (let wave = 0; wave < 5; wave++) {
      for (const [i, customer] of customers.entries()) {
        const res = await system.ingest.post(message(i % 2 ? 'loc_mad' : 'loc_ny', customer, wave === 0 ? 'Hi, I need help with marketing. My budget is $2000' : `question ${wave}?`));
        expect(res.status).toBe(202);
        runs.push(res.body!.workflow_run_id);
      }
      // Pacing, not waiting for a result: the 50 messages must span several token lifetimes.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    for (const runId of runs) expect((await finished(system, runId)).final_state).not.toBe('failed');
    const stats = await system.ghl.oauthStats();
    expect(stats.invalidGrants).toBe(0);
    // Location tokens from a Company install are re-minted, never refreshed twice at once: at most one per
    // location per expiry window over the run (plus the install's own).
    const windows = Math.ceil((Date.now() - started) / 3000) + 1;
    for (const location of ['loc_ny', 'loc_mad']) {
      expect(stats.locationTokens[location]).toBeGreaterThanOrEqual(2);
      expect(stats.locationTokens[location]).toBeLessThanOrEqual(windows + 1);
    }
  });
});

describe('a refresh GHL refuses', () => {
  let system: System;
  beforeAll(async () => {
    system = await startAgency(2, { JOB_ATTEMPTS: '1' });
  });
  afterAll(() => system.close());

  it('marks the location needs_reinstall; its messages fail visibly; a reinstall and a replay answer them', async () => {
    await install(system, ['loc_ny']);
    await system.ghl.revoke({ companyId: system.ghl.oauth!.companyId });
    const ny = await customerOf(system.ghl, 'loc_ny');
    const res = await system.ingest.post(message('loc_ny', ny, 'Hi, I need help with marketing. My budget is $2000'));
    expect(res.status).toBe(202);
    const run = await finished(system, res.body!.workflow_run_id);
    expect(run).toMatchObject({ final_state: 'failed', error: { code: 'GHL_API_ERROR', message: expect.stringMatching(/reinstall/) } });
    const status = (await system.ingest.get('/status')).body;
    expect(status.locations).toContainEqual(expect.objectContaining({ id: 'loc_ny', connection: 'needs_reinstall' }));
    expect(await system.ingest.scrape()).toMatch(/ghl_location_connections\{state="needs_reinstall"\} 1/);

    await install(system, ['loc_ny']);
    expect((await system.ingest.get('/status')).body.locations).toContainEqual(expect.objectContaining({ id: 'loc_ny', connection: 'connected' }));
    const admin = system.ingest.adminUrl;
    expect(admin).not.toBeNull();
    const replay = await fetch(`${admin}/admin/runs/${run.workflow_run_id}/replay`, { method: 'POST', headers: { authorization: `Bearer ${system.env.ADMIN_TOKEN}` } });
    expect(replay.status).toBeLessThan(300);
    expect((await finished(system, run.workflow_run_id)).final_state).toBe('completed');
    expect(await system.ghl.appointments('loc_ny')).toHaveLength(1);
  });
});
