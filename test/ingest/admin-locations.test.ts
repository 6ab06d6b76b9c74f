import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ghlInboundMessage, startIngest, type Ingest } from '../support/ingest-harness';
import { TEST_LOCATION_ID } from '../support/deployment';

const TOKEN = 'admin-token-for-tests-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'wab-admin-loc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('/admin/locations', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    const file = join(dir, 'locations.yaml');
    writeFileSync(file, `locations:\n  - { id: ${TEST_LOCATION_ID}, calendarId: cal_test, token: pit-secret-of-the-file, minBudget: 500 }\n`);
    ingest = await startIngest({ ADMIN_TOKEN: TOKEN, LOCATIONS_FILE: file, RATE_LIMIT_PER_IP: '0' });
  });
  afterAll(() => ingest.close());

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${ingest.adminUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } });

  it('lists the locations with their connection, never their tokens', async () => {
    const res = await admin('/admin/locations');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('pit-secret-of-the-file');
    expect(JSON.parse(text).locations).toEqual([expect.objectContaining({ id: TEST_LOCATION_ID, calendarId: 'cal_test', token: 'set', connection: 'static', minBudget: 500 })]);
  });

  it('overrides a setting over the file, refuses a bad one with the documented error, and goes back on DELETE', async () => {
    const put = await admin(`/admin/locations/${TEST_LOCATION_ID}`, { method: 'PUT', body: JSON.stringify({ minBudget: 900, services: ['seo'] }) });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ minBudget: 900, services: ['seo'], overridden: true });
    const bad = await admin(`/admin/locations/${TEST_LOCATION_ID}`, { method: 'PUT', body: JSON.stringify({ timeZone: 'Mars/Olympus' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: unknown }).error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'timeZone' } });
    const typo = await admin(`/admin/locations/${TEST_LOCATION_ID}`, { method: 'PUT', body: JSON.stringify({ minBugdet: 1 }) });
    expect(typo.status).toBe(400);
    const back = await admin(`/admin/locations/${TEST_LOCATION_ID}`, { method: 'DELETE' });
    expect(await back.json()).toMatchObject({ minBudget: 500, overridden: false });
  });

  it('adds a location the file does not list (with a calendar): its events are then taken', async () => {
    expect((await ingest.post(ghlInboundMessage({ locationId: 'loc_added' }), { scheme: 'ed25519' })).body).toMatchObject({ status: 'ignored' });
    const noCalendar = await admin('/admin/locations/loc_added', { method: 'PUT', body: JSON.stringify({ minBudget: 100 }) });
    expect(noCalendar.status).toBe(400);
    const added = await admin('/admin/locations/loc_added', { method: 'PUT', body: JSON.stringify({ calendarId: 'cal_added', timeZone: 'Europe/Madrid' }) });
    expect(added.status).toBe(200);
    expect((await ingest.post(ghlInboundMessage({ locationId: 'loc_added' }), { scheme: 'ed25519' })).status).toBe(202);
    expect((await admin('/admin/locations/loc_nowhere')).status).toBe(404);
  });
});
