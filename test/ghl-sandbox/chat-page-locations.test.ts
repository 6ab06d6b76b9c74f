import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { startGhlDouble, type GhlDouble } from '../support/ghl-double';
import { eventually } from '../support/redis';

/**
 * The chat page in a real browser (Debian's Chromium) against a sandbox with two locations: the visitor
 * picks one, and the message reaches the ingest (a loopback recorder here) with that location's id, while
 * the calendar panel shows that location's zone.
 */
const CHROMIUM = '/usr/bin/chromium';
const SECRET = 'chat-locations-secret-0123456789';
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

let ghl: GhlDouble;
let browser: Browser;
let server: Server;
const bodies: { locationId: string; contactId: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/webhook') bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(req.url === '/webhook' ? 202 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/webhook' ? { status: 'accepted', message: 'queued', workflow_run_id: 'run_page-1' } : { error: { message: 'no route' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ghl = await startGhlDouble({
    locations: [
      { id: 'loc_main', calendarId: 'cal_main', name: 'Main street', businessHours: { timeZone: 'UTC', days: EVERY_DAY, open: '09:00', close: '17:00' } },
      { id: 'loc_tokyo', calendarId: 'cal_tokyo', name: 'Tokyo branch', businessHours: { timeZone: 'Asia/Tokyo', days: EVERY_DAY, open: '17:00', close: '20:00' } },
    ],
    chat: { ingestUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, webhookSecret: SECRET },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await ghl?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('lets the visitor pick the location: its messages carry that locationId and its calendar is shown', async () => {
  const problems: string[] = [];
  const page = await browser.newPage();
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(`${ghl.url}/sandbox`);

  const picker = page.getByLabel('Business', { exact: true });
  await picker.waitFor();
  expect(await picker.locator('option').allTextContents()).toEqual(['Main street (UTC)', 'Tokyo branch (Asia/Tokyo)']);
  await picker.selectOption('loc_tokyo');
  await page.locator('#calendar-zone', { hasText: 'Asia/Tokyo' }).waitFor(); // the picked location's calendar, before chatting

  await page.getByLabel('Your name').fill('Ana García');
  await page.getByLabel('Your WhatsApp number').fill('+15550001122');
  await page.getByRole('button', { name: 'Start chatting' }).click();
  const input = page.getByLabel(/^Message/);
  await input.waitFor();
  expect(await page.locator('#chat-title').textContent()).toBe('Tokyo branch');
  await input.fill('Hola, quiero reservar');
  await input.press('Enter');

  const [delivered] = await eventually(() => {
    expect(bodies).toHaveLength(1);
    return bodies;
  });
  expect(delivered.locationId).toBe('loc_tokyo');
  const [contact] = await ghl.contacts();
  expect(contact).toMatchObject({ id: delivered.contactId, locationId: 'loc_tokyo', phone: '+15550001122' });
  expect(await page.locator('#calendar-zone').textContent()).toContain('Asia/Tokyo');
  await page.close();
  expect(problems).toEqual([]);
}, 60_000);
