import { request } from 'node:http';
import { startGhlDouble, type GhlDouble } from '../support/ghl-double';
import { CALENDARS_VERSION, CONTACTS_VERSION } from './helpers';

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

/** A raw request: the path goes out byte for byte (fetch would normalise `//`, `/./` and the like). */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(ghl.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the token gate, whatever the spelling of the path', () => {
  it('never answers a GHL route without the token, however the path is cased or padded', async () => {
    const contact = await ghl.seedContact({ name: 'Secret Person', phone: '+15550009999', email: 'secret@example.com' });
    const variants = [
      `/contacts/${contact.id}`,
      `/Contacts/${contact.id}`,
      `/CONTACTS/${contact.id}`,
      `/contacts/${contact.id}/`,
      `//contacts/${contact.id}`,
      `/./contacts/${contact.id}`,
      `/%63ontacts/${contact.id}`,
      `/%43ontacts/${contact.id}`,
      `/contacts/${contact.id}/Appointments`,
      `/contacts/search/Duplicate?locationId=${ghl.locationId}&number=${encodeURIComponent('+15550009999')}`,
      `/Contacts/search/duplicate?locationId=${ghl.locationId}&number=${encodeURIComponent('+15550009999')}`,
      `/Calendars/${ghl.calendarId}`,
      `/Conversations/search?locationId=${ghl.locationId}`,
    ];
    for (const path of variants) {
      // The Version that would be right for the path, so only the missing token can refuse it.
      const version = /contacts/i.test(path) ? CONTACTS_VERSION : CALENDARS_VERSION;
      const res = await rawGet(path, { version });
      const leaked = res.body.includes('secret@example.com') || res.body.includes('Secret Person');
      expect({ path, refused: res.status >= 400, leaked }).toEqual({ path, refused: true, leaked: false });
    }
  });

  it('refuses /Contacts/<id> without a token (401), and with one treats it as no route (404), as paths are case-sensitive', async () => {
    const contact = await ghl.seedContact({ phone: '+15550009998' });
    const without = await rawGet(`/Contacts/${contact.id}`, { version: CONTACTS_VERSION });
    expect(without.status).toBe(401);
    expect(JSON.parse(without.body)).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const withToken = await rawGet(`/Contacts/${contact.id}`, { version: CONTACTS_VERSION, authorization: `Bearer ${ghl.token}` });
    expect(withToken.status).toBe(404);
    const lowerCase = await rawGet(`/contacts/${contact.id}`, { version: CONTACTS_VERSION, authorization: `Bearer ${ghl.token}` });
    expect(lowerCase.status).toBe(200);
  });

  it('keeps the test controls behind the token however /_sandbox is cased', async () => {
    await ghl.seedContact({ phone: '+15550009997', email: 'hidden@example.com' });
    for (const path of ['/_sandbox/contacts', '/_SANDBOX/contacts', '/_Sandbox/Contacts']) {
      const res = await rawGet(path, {});
      expect({ path, refused: res.status >= 400, leaked: res.body.includes('hidden@example.com') }).toEqual({ path, refused: true, leaked: false });
    }
  });
});
