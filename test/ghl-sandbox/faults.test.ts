import { Redis } from 'ioredis';
import { createSandboxApp } from '../../services/ghl-sandbox/src/app';
import { startGhlDouble, type GhlDouble } from '../support/ghl-double';
import { deletePrefix, redisUrl, testPrefix } from '../support/redis';
import { api, tomorrow } from './helpers';

let ghl: GhlDouble;

beforeAll(async () => {
  ghl = await startGhlDouble();
});
afterAll(async () => {
  await ghl.close();
});
beforeEach(async () => {
  await ghl.reset();
});

const calendar = () => api(ghl, 'GET', `/calendars/${ghl.calendarId}`);

describe('planned faults (POST /_sandbox/faults)', () => {
  it('fails the next matching requests in order, then answers normally', async () => {
    await ghl.injectFaults({ endpoint: 'getCalendar', responses: [429, 500, { status: 503, retryAfterSeconds: 2 }] });
    const a = await calendar();
    expect(a.status).toBe(429);
    expect(a.body).toMatchObject({ statusCode: 429, message: expect.any(String) });
    expect(a.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect((await calendar()).status).toBe(500);
    const c = await calendar();
    expect(c.status).toBe(503);
    expect(c.headers.get('retry-after')).toBe('2');
    expect((await calendar()).status).toBe(200);
  });

  it('matches by a METHOD /path glob and leaves other endpoints alone', async () => {
    await ghl.injectFaults({ path: 'POST /conversations/messages', responses: [500] });
    expect((await calendar()).status).toBe(200);
    const c = await ghl.seedContact({ phone: '+15550000001' });
    const failed = await api(ghl, 'POST', '/conversations/messages', { body: { type: 'WhatsApp', contactId: c.id, message: 'hi' } });
    expect(failed.status).toBe(500);
    expect(await ghl.sentMessages()).toEqual([]); // a plain 5xx fault does nothing
    expect((await api(ghl, 'POST', '/conversations/messages', { body: { type: 'WhatsApp', contactId: c.id, message: 'hi' } })).status).toBe(200);
  });

  it('"timeout" holds the request open past the client’s timeout and does nothing', async () => {
    await ghl.injectFaults({ endpoint: 'getCalendar', responses: ['timeout'] });
    await expect(
      fetch(`${ghl.url}/calendars/${ghl.calendarId}`, {
        headers: { authorization: `Bearer ${ghl.token}`, version: '2021-04-15' },
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow(/abort|timeout/i);
    expect((await calendar()).status).toBe(200);
  });

  it('"drop-after-effect" books the appointment and cuts the connection instead of answering', async () => {
    const c = await ghl.seedContact({ phone: '+15550000002' });
    await ghl.injectFaults({ endpoint: 'createAppointment', responses: ['drop-after-effect'] });
    await expect(
      api(ghl, 'POST', '/calendars/events/appointments', {
        body: { calendarId: ghl.calendarId, locationId: ghl.locationId, contactId: c.id, startTime: `${tomorrow()}T10:00:00Z` },
      }),
    ).rejects.toThrow();
    expect(await ghl.appointments()).toEqual([expect.objectContaining({ contactId: c.id })]);
  });

  it('"drop" cuts the connection before anything is done; "timeout-after-effect" sends but never answers', async () => {
    const c = await ghl.seedContact({ phone: '+15550000003' });
    await ghl.injectFaults({ endpoint: 'sendMessage', responses: ['drop', 'timeout-after-effect'] });
    const send = (signal?: AbortSignal) =>
      fetch(`${ghl.url}/conversations/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ghl.token}`, version: '2021-04-15', 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'WhatsApp', contactId: c.id, message: 'hello' }),
        signal,
      });
    await expect(send()).rejects.toThrow();
    expect(await ghl.sentMessages()).toEqual([]);
    await expect(send(AbortSignal.timeout(300))).rejects.toThrow();
    expect((await ghl.sentMessages()).map((m) => m.body)).toEqual(['hello']);
  });

  it('matches globs with * anywhere, against the whole METHOD /path', async () => {
    const c = await ghl.seedContact({ phone: '+15550000004' });
    await ghl.injectFaults({ path: 'GET /contacts/*/appointments', responses: [503] });
    await ghl.injectFaults({ path: '* /calendars/*', responses: [502] });
    expect((await api(ghl, 'GET', `/contacts/${c.id}`)).status).toBe(200); // the glob must match to the end
    expect((await api(ghl, 'GET', `/contacts/${c.id}/appointments`)).status).toBe(503);
    expect((await api(ghl, 'GET', `/contacts/${c.id}/appointments`)).status).toBe(200);
    expect((await calendar()).status).toBe(502);
    expect((await calendar()).status).toBe(200);
  });

  it('refuses a malformed rule, and a regular expression where a glob belongs', async () => {
    const rules = [
      { responses: [] },
      { responses: [200] },
      { responses: ['explode'] },
      { path: '(', responses: [500] },
      { path: '^POST /conversations/messages$', responses: [500] },
      { path: '(a+)+$', responses: [500] },
      { path: 'GET /contacts/[a-z]+', responses: [500] },
      { path: '/contacts/abc', responses: [500] },
      { path: `GET /${'a'.repeat(300)}`, responses: [500] },
    ];
    for (const rule of rules) {
      const res = await fetch(`${ghl.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ghl.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(rule),
      });
      expect({ rule, status: res.status }).toEqual({ rule, status: 400 });
      if (rule.path?.startsWith('^')) expect(((await res.json()) as { message: string[] }).message).toEqual([expect.stringMatching(/not a regular expression/)]);
    }
    await expect(ghl.injectFaults({ path: '^GET /x$', responses: [500] })).rejects.toThrow(/400/);
  });
});

describe('state in Redis', () => {
  it('is shared by two sandbox processes on one prefix and survives a restart', async () => {
    const redis = new Redis(redisUrl());
    const keyPrefix = testPrefix('sandbox-shared');
    const start = (port = 0) =>
      new Promise<import('node:http').Server>((resolve) => {
        const s = createSandboxApp({ redis, keyPrefix, locationId: 'loc_a', calendarId: 'cal_a' }).listen(port, '127.0.0.1', () => resolve(s));
      });
    const close = (s: import('node:http').Server) => new Promise<void>((r) => (s.close(() => r()), s.closeAllConnections()));
    const urlOf = (s: import('node:http').Server) => `http://127.0.0.1:${(s.address() as import('node:net').AddressInfo).port}`;
    const one = await start();
    const two = await start();
    try {
      const seeded = await fetch(`${urlOf(one)}/_sandbox/contacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone: '+15550000009', name: 'Shared' }),
      });
      const { contact } = (await seeded.json()) as { contact: { id: string } };
      // A fault planned through one process is used up by a request to the other.
      await fetch(`${urlOf(one)}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: 'getContact', responses: [503] }) });
      const get = (url: string) => fetch(`${url}/contacts/${contact.id}`, { headers: { version: '2021-07-28' } });
      expect((await get(urlOf(two))).status).toBe(503);
      expect((await get(urlOf(one))).status).toBe(200);
      await close(one);
      const restarted = await start();
      try {
        expect(((await (await get(urlOf(restarted))).json()) as { contact: { name: string } }).contact.name).toBe('Shared');
      } finally {
        await close(restarted);
      }
    } finally {
      await close(two);
      await deletePrefix(redis, keyPrefix);
      await redis.quit();
    }
  });
});

describe('rate limit', () => {
  it('answers 429 past the per-location limit, with Remaining at 0', async () => {
    const limited = await startGhlDouble({ rateLimit: { max: 3, intervalMs: 60_000 } });
    try {
      const statuses = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await api(limited, 'GET', `/calendars/${limited.calendarId}`);
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(last!.headers.get('x-ratelimit-max')).toBe('3');
    } finally {
      await limited.close();
    }
  });
});
