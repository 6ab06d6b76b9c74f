import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startSystem, type System } from '../support/system';

/**
 * The chat page in a real browser (Debian's Chromium, driven by playwright-core) against the whole system
 * in-process: a visitor writes the API reference's example as a customer; the sandbox delivers it to the
 * ingest as a signed webhook; the worker books a slot through the sandbox's GHL API and answers; the page
 * shows the reply, what the bot understood, the run trace and the booked slot.
 */
const CHROMIUM = '/usr/bin/chromium';
const OUT = join(__dirname, '..', '..', 'test-output');
const EXAMPLE = 'Hi, I need help with marketing. My budget is $2000';

let system: System;
let browser: Browser;
let context: BrowserContext;
let chatUrl: string;
const problems: string[] = [];

function watch(page: Page): Page {
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  return page;
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  system = await startSystem();
  // The system's GHL double has no ingest to deliver to (the ingest starts after it): one more sandbox app
  // on the same state does, with the ingest's secret.
  const sandbox = await system.ghl.withChat({ ingestUrl: system.ingest.url, webhookSecret: system.ingest.config.WEBHOOK_SECRET[0] });
  chatUrl = `${sandbox.url}/sandbox`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await system?.close();
});

it('books the API reference example from the chat page and shows the reply, the understanding, the trace and the slot', async () => {
  const page = watch(await context.newPage());
  await page.goto(chatUrl);

  await page.getByLabel('Your name').fill('Ana García');
  await page.getByLabel('Your WhatsApp number').fill('+15550001111');
  await page.getByRole('button', { name: 'Start chatting' }).click();

  const input = page.getByLabel(/^Message/);
  await input.waitFor();
  await page.locator('#composer-input:focus').waitFor(); // focus moves to the message box
  await input.fill(EXAMPLE);
  await input.press('Enter'); // Enter sends

  const log = page.getByRole('log', { name: 'Conversation' });
  await log.locator('li.msg.out', { hasText: EXAMPLE }).waitFor();
  const reply = log.locator('li.msg.in', { hasText: "You're booked" });
  await reply.waitFor({ timeout: 20_000 });
  expect(await reply.textContent()).toMatch(/Ana García.*marketing/);
  expect(await input.inputValue()).toBe('');

  // What the bot understood and the run's trace, from GET /runs/:id through the sandbox.
  const run = page.locator('#runs li.run').first();
  await run.locator('.badge.completed').waitFor({ timeout: 20_000 });
  expect(await run.locator('.nodes li').allTextContents()).toEqual(['triage', 'collect', 'validate', 'book']);
  expect(await run.locator('.run-foot').textContent()).toMatch(/execution_time \d+\.\d\d s · booking created/);
  const fact = (name: string) => page.locator(`[data-fact="${name}"]`);
  await fact('budget').filter({ hasText: /^2,000$/ }).waitFor();
  expect(await fact('name').textContent()).toBe('Ana García');
  expect(await fact('goal').textContent()).toMatch(/marketing/i);
  expect(await fact('language').textContent()).toBe('English (en)');
  expect(await fact('booking').textContent()).not.toBe('not yet');
  expect(await fact('state').textContent()).toBe('completed');

  // The booked slot on the calendar is the appointment the worker made.
  const [appointment] = await system.ghl.appointments();
  const mine = page.locator('#calendar li.slot.mine');
  await mine.waitFor({ timeout: 20_000 });
  expect(await mine.count()).toBe(1);
  expect(await mine.getAttribute('data-start')).toBe(appointment.startTime);
  expect(await mine.getAttribute('aria-label')).toMatch(/booked for you/);
  expect(await page.locator('#calendar li.slot.free').count()).toBeGreaterThan(0);

  // Live counters from the ingest's /status.
  await page.locator('[data-stat="successful_bookings"]', { hasText: /^1$/ }).waitFor();
  expect(await page.locator('[data-stat="queue_length"]').textContent()).toBe('0');

  await page.screenshot({ path: join(OUT, 'chat-page.png'), fullPage: true });

  // A phone-sized window of the same browser: the page remembers who you are and replays the conversation.
  const phone = watch(await context.newPage());
  await phone.setViewportSize({ width: 375, height: 812 });
  await phone.goto(chatUrl);
  await phone.getByRole('log', { name: 'Conversation' }).locator('li.msg.in', { hasText: "You're booked" }).waitFor();
  await phone.locator('#calendar li.slot.mine').waitFor();
  await phone.locator('#runs .badge.completed').waitFor();
  const overflow = await phone.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth - root.clientWidth; // (typed here: the tests are checked without the DOM library)
  });
  expect(overflow).toBeLessThanOrEqual(0); // nothing wider than the screen
  await phone.screenshot({ path: join(OUT, 'chat-page-375.png'), fullPage: true });
  await phone.close();
  await page.close();

  expect(problems).toEqual([]);
}, 60_000);

it('shows a pending follow-up, then a cancellation in the run and in the calendar panel', async () => {
  const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } }); // a visitor the page does not know yet
  const page = watch(await fresh.newPage());
  await page.goto(chatUrl);
  await page.getByLabel('Your name').fill('Carla Ruiz');
  await page.getByLabel('Your WhatsApp number').fill('+15550002222');
  await page.getByRole('button', { name: 'Start chatting' }).click();
  const input = page.getByLabel(/^Message/);
  const log = page.getByRole('log', { name: 'Conversation' });
  const say = async (text: string, answer: RegExp) => {
    await input.fill(text);
    await input.press('Enter');
    await log.locator('li.msg.in', { hasText: answer }).last().waitFor({ timeout: 20_000 });
  };

  await say('Hi', /help you with/);
  // The bot asked a question: its follow-up is pending (FOLLOW_UP_DELAY_SECONDS: two hours by default).
  await page.locator('#runs li.run').first().locator('.run-follow-up', { hasText: /follow-up due .* unless you answer/ }).waitFor({ timeout: 20_000 });

  await say('I need SEO, my budget is $3000', /You're booked/);
  await page.locator('#runs li.run').first().locator('.run-action', { hasText: /^booked: / }).waitFor({ timeout: 20_000 });
  await say('cancel my appointment', /Do you want me to cancel/);
  await say('yes', /is cancelled/);
  await page.locator('#runs li.run').first().locator('.run-action', { hasText: /^cancelled: / }).waitFor({ timeout: 20_000 });
  const mine = page.locator('#calendar .your-appointments li.appointment');
  await mine.filter({ hasText: /cancelled/ }).waitFor({ timeout: 20_000 });
  expect(await mine.count()).toBe(1);
  expect(await page.locator('#calendar li.slot.mine').count()).toBe(0);
  await page.screenshot({ path: join(OUT, 'chat-page-cancelled.png'), fullPage: true });
  await fresh.close();
  expect(problems).toEqual([]);
}, 60_000);
