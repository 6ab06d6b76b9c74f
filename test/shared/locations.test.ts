import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocationDirectory, loadConfig, loadLocations } from '@wab/shared';
import { deletePrefix, redisUrl, useTestRedis } from '../support/redis';

const dir = mkdtempSync(join(tmpdir(), 'wab-locations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const YAML = `
locations:
  - id: loc_abc123              # GHL location id
    calendarId: cal_123
    timeZone: America/New_York
    businessName: Acme Marketing
    minBudget: 500
    currency: USD
    services: [marketing, web design]
    minNoticeMinutes: 120
    maxDaysAhead: 30
    language: en
    token: pit-abc
    webhookToken: wf-token-for-acme-0123456789
  - id: loc_madrid
    calendarId: cal_mad
    timeZone: Europe/Madrid
    currency: EUR
    language: es
`;

const configWith = (env: Record<string, string>) => loadConfig({ MIN_BUDGET: '300', BUSINESS_NAME: 'Default Co', SERVICES: 'seo', ...env });

describe('LOCATIONS_FILE', () => {
  it('reads YAML: every key but id and calendarId falls back to the environment', () => {
    const [acme, madrid] = loadLocations(configWith({ LOCATIONS_FILE: fileWith('a.yaml', YAML) }));
    expect(acme).toEqual({
      id: 'loc_abc123',
      calendarId: 'cal_123',
      timeZone: 'America/New_York',
      businessName: 'Acme Marketing',
      minBudget: 500,
      currency: 'USD',
      services: ['marketing', 'web design'],
      minNoticeMinutes: 120,
      maxDaysAhead: 30,
      language: 'en',
      token: 'pit-abc',
      webhookToken: 'wf-token-for-acme-0123456789',
      windowClosedWorkflowId: null,
    });
    expect(madrid).toMatchObject({ id: 'loc_madrid', timeZone: 'Europe/Madrid', currency: 'EUR', language: 'es', minBudget: 300, businessName: 'Default Co', services: ['seo'], token: null });
  });

  it('takes the window-closed workflow from the location, else GHL_WINDOW_CLOSED_WORKFLOW_ID', () => {
    const json = JSON.stringify({ locations: [{ id: 'a', calendarId: 'c' }, { id: 'b', calendarId: 'c', windowClosedWorkflowId: 'wf_b' }] });
    const [a, b] = loadLocations(configWith({ LOCATIONS_FILE: fileWith('wf.json', json), GHL_WINDOW_CLOSED_WORKFLOW_ID: 'wf_env' }));
    expect([a.windowClosedWorkflowId, b.windowClosedWorkflowId]).toEqual(['wf_env', 'wf_b']);
  });

  it('reads the same shape as JSON', () => {
    const json = JSON.stringify({ locations: [{ id: 'loc_json', calendarId: 'cal_json', minBudget: 0 }] });
    expect(loadLocations(configWith({ LOCATIONS_FILE: fileWith('a.json', json) }))).toEqual([expect.objectContaining({ id: 'loc_json', minBudget: 0 })]);
  });

  it('without a file, the single-location variables still define one location', () => {
    const [only] = loadLocations(configWith({ GHL_LOCATION_ID: 'loc_env', GHL_CALENDAR_ID: 'cal_env', GHL_API_TOKEN: 'pit-env', BUSINESS_TIMEZONE: 'Europe/Madrid' }));
    expect(only).toMatchObject({ id: 'loc_env', calendarId: 'cal_env', token: 'pit-env', timeZone: 'Europe/Madrid', minBudget: 300 });
    expect(loadLocations(configWith({}))).toEqual([]);
  });

  it.each([
    ['a missing calendarId', 'locations:\n  - id: loc_a\n', /locations\.0\.calendarId/],
    ['a misspelt key', 'locations:\n  - id: loc_a\n    calendarId: c\n    minBugdet: 5\n', /minBugdet/],
    ['an unknown zone', 'locations:\n  - id: loc_a\n    calendarId: c\n    timeZone: Mars/Olympus\n', /locations\.0\.timeZone: must be an IANA time zone/],
    ['a blank id', 'locations:\n  - id: "  "\n    calendarId: c\n', /locations\.0\.id: must not be blank/],
    ['the same id twice', 'locations:\n  - {id: a, calendarId: c}\n  - {id: a, calendarId: d}\n', /a is listed twice/],
    ['a short webhook token', 'locations:\n  - {id: a, calendarId: c, webhookToken: short}\n', /webhookToken: must be at least 24/],
    ['an empty list', 'locations: []\n', /at least one location/],
    ['not YAML', 'locations: [\n', /not YAML or JSON/],
  ])('refuses %s at start, naming it', (_what, content, message) => {
    expect(() => loadLocations(configWith({ LOCATIONS_FILE: fileWith('bad.yaml', content) }))).toThrow(message);
  });

  it('never echoes a value (a location carries its token)', () => {
    const file = fileWith('secret.yaml', 'locations:\n  - {id: a, calendarId: c, token: pit-very-secret, webhookToken: tiny-secret}\n');
    expect(() => loadLocations(configWith({ LOCATIONS_FILE: file }))).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret') }));
  });

  it('names an unreadable file', () => {
    expect(() => loadLocations(configWith({ LOCATIONS_FILE: join(dir, 'missing.yaml') }))).toThrow(/LOCATIONS_FILE: cannot be read/);
  });
});

describe('LocationDirectory', () => {
  const used: string[] = [];
  // Declared before useTestRedis's own afterAll, which closes the connection.
  afterAll(async () => {
    for (const prefix of used) await deletePrefix(test.redis, prefix);
  });
  const test = useTestRedis('locations');
  const freshPrefix = () => {
    used.push(`${test.prefix}-${used.length + 1}`);
    return used[used.length - 1];
  };

  function directory(prefix = freshPrefix()) {
    const config = configWith({ LOCATIONS_FILE: fileWith('d.yaml', YAML), QUEUE_PREFIX: prefix, REDIS_URL: redisUrl() });
    return new LocationDirectory(test.redis, config, loadLocations(config));
  }

  it('admin settings stored in Redis override the file, for every replica after a refresh', async () => {
    const prefix = freshPrefix();
    const one = directory(prefix);
    const other = directory(prefix);
    await one.override('loc_madrid', { minBudget: 900, services: ['diseño web'] });
    expect(one.get('loc_madrid')).toMatchObject({ minBudget: 900, services: ['diseño web'], timeZone: 'Europe/Madrid', overridden: true });
    expect(other.get('loc_madrid')!.minBudget).toBe(300);
    await other.refresh();
    expect(other.get('loc_madrid')).toMatchObject({ minBudget: 900, overridden: true });
    await one.clearOverride('loc_madrid');
    await other.refresh();
    expect(other.get('loc_madrid')).toMatchObject({ minBudget: 300, overridden: false });
  });

  it('a location only the admin API knows needs a calendar, and is served once set', async () => {
    const d = directory();
    await expect(d.override('loc_new', { minBudget: 1 })).rejects.toThrow(/calendarId/);
    expect(d.serves('loc_new')).toBe(false);
    await d.override('loc_new', { calendarId: 'cal_new' });
    expect(d.serves('loc_new')).toBe(true);
    expect(d.get('loc_new')).toMatchObject({ calendarId: 'cal_new', connection: 'not_connected' });
  });

  it('serves configured locations until GHL uninstalls them; a PIT location is static', async () => {
    const d = directory();
    expect(d.serves('loc_abc123')).toBe(true);
    expect(d.serves('loc_someone_else')).toBe(false);
    expect(d.get('loc_abc123')!.connection).toBe('static');
    expect(d.get('loc_madrid')!.connection).toBe('not_connected');
    await d.setConnection('loc_madrid', { state: 'connected', companyId: 'comp_1' });
    expect(d.get('loc_madrid')!.connection).toBe('connected');
    await d.setConnection('loc_madrid', { state: 'uninstalled', companyId: 'comp_1' });
    expect(d.serves('loc_madrid')).toBe(false);
    expect(d.sole()).toBeNull();
    expect(d.get('loc_abc123')!.webhookToken).toBe('wf-token-for-acme-0123456789');
  });
});
