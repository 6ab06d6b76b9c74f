import { generateKeyPairSync, verify, createPublicKey } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../services/ingest/src/signature/verify-signature';
import { startGhlDouble, type GhlDouble } from '../support/ghl-double';
import { eventually } from '../support/redis';
import { api, CONTACTS_VERSION } from './helpers';

const CLIENT_ID = 'app7sandbox-mkt1x2y3';
const CLIENT_SECRET = 'client-secret-for-tests-0123456789';
const OAUTH_VERSION = '2021-07-28';
const UTC = { timeZone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '17:00' };
const LOCATIONS = [
  { id: 'loc_alpha', calendarId: 'cal_alpha', name: 'Alpha Dental', businessHours: UTC },
  { id: 'loc_bravo', calendarId: 'cal_bravo', name: 'Bravo Spa', businessHours: { ...UTC, timeZone: 'Asia/Tokyo' } },
  { id: 'loc_charlie', calendarId: 'cal_charlie', name: 'Charlie Gym', businessHours: UTC },
];

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

/** A loopback receiver standing in for the ingest's /webhook: keeps raw bytes and headers, answers 202. */
async function startReceiver() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/webhook') received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(req.url === '/webhook' ? 202 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'accepted' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** POST /oauth/token (or another form route) as a client would: application/x-www-form-urlencoded. */
async function form(ghl: GhlDouble, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(ghl.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

const exchange = (ghl: GhlDouble, code: string, userType: 'Company' | 'Location', extra: Record<string, string> = {}) =>
  form(ghl, '/oauth/token', { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'authorization_code', code, user_type: userType, ...extra });

const refresh = (ghl: GhlDouble, refreshToken: string, userType: 'Company' | 'Location' = 'Location') =>
  form(ghl, '/oauth/token', { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'refresh_token', refresh_token: refreshToken, user_type: userType });

const mintLocationToken = (ghl: GhlDouble, companyToken: string, locationId: string, companyId = 'comp_sandbox') =>
  form(ghl, '/oauth/locationToken', { companyId, locationId }, { authorization: `Bearer ${companyToken}`, version: OAUTH_VERSION });

async function locationTokens(ghl: GhlDouble, locationId: string) {
  const answer = await exchange(ghl, await ghl.authorize('Location', [locationId]), 'Location');
  expect(answer.status).toBe(200);
  return answer.body as { access_token: string; refresh_token: string };
}

const calendar = (ghl: GhlDouble, calendarId: string, token: string) => api(ghl, 'GET', `/calendars/${calendarId}`, { token });

let ghl: GhlDouble;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const signing = generateKeyPairSync('ed25519');

beforeAll(async () => {
  receiver = await startReceiver();
  ghl = await startGhlDouble({
    locations: LOCATIONS,
    oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    installWebhooks: { ingestUrl: receiver.url, privateKeyPem: signing.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
  });
});
afterAll(async () => {
  await ghl.close();
  await receiver.close();
});
beforeEach(async () => {
  await ghl.reset();
  receiver.received.length = 0;
});

describe('POST /oauth/token: the authorization code', () => {
  it('gives a Location install a bound pair, as oauth.json answers it', async () => {
    const code = await ghl.authorize('Location', ['loc_bravo']);
    const answer = await exchange(ghl, code, 'Location');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(
      expect.objectContaining({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 86399,
        refresh_token: expect.any(String),
        scope: expect.stringContaining('calendars/events.write'),
        userType: 'Location',
        locationId: 'loc_bravo',
        userId: expect.any(String),
      }),
    );
    expect(answer.body.access_token).not.toBe(answer.body.refresh_token);
    expect(answer.body).not.toHaveProperty('approvedLocations');
    // The token works on its location's calendar.
    const own = await calendar(ghl, 'cal_bravo', answer.body.access_token);
    expect(own.status).toBe(200);
    expect(own.body.calendar.locationId).toBe('loc_bravo');
  });

  it('gives a Company (bulk) install a company pair with its approved locations, and no locationId', async () => {
    const answer = await exchange(ghl, await ghl.authorize('Company', ['loc_alpha', 'loc_bravo']), 'Company');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(
      expect.objectContaining({ userType: 'Company', companyId: 'comp_sandbox', isBulkInstallation: true, approvedLocations: ['loc_alpha', 'loc_bravo'], token_type: 'Bearer', refresh_token: expect.any(String) }),
    );
    expect(answer.body).not.toHaveProperty('locationId');
    expect(answer.body.scope).toContain('oauth.write');
    // An agency token is not a sub-account token: the location routes refuse it.
    const onApi = await calendar(ghl, 'cal_alpha', answer.body.access_token);
    expect(onApi.status).toBe(401);
    expect(onApi.body.message).toMatch(/authClass/);
  });

  it('takes a code once: a second exchange, or an unknown code, is 400 invalid_grant', async () => {
    const code = await ghl.authorize('Location', ['loc_alpha']);
    expect((await exchange(ghl, code, 'Location')).status).toBe(200);
    const again = await exchange(ghl, code, 'Location');
    expect(again.status).toBe(400);
    expect(again.text).toContain('invalid_grant');
    const unknown = await exchange(ghl, 'not-a-code', 'Location');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('invalid_grant');
    expect((await ghl.oauthStats()).invalidGrants).toBe(2);
  });

  it('refuses a wrong client secret with 401, and a JSON body (GHL takes forms) with 422 naming the fields', async () => {
    const code = await ghl.authorize('Location', ['loc_alpha']);
    const wrong = await form(ghl, '/oauth/token', { client_id: CLIENT_ID, client_secret: 'nope', grant_type: 'authorization_code', code, user_type: 'Location' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ statusCode: 401, message: expect.any(String), error: 'Unauthorized' });
    const json = await fetch(`${ghl.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'authorization_code', code }),
    });
    expect(json.status).toBe(422);
    expect(((await json.json()) as { message: string[] }).message).toEqual(expect.arrayContaining([expect.stringMatching(/client_id/)]));
    // Neither refusal used the code up.
    expect((await exchange(ghl, code, 'Location')).status).toBe(200);
  });

  it('serves GHL’s chooselocation page as a redirect with a code (and the state) that exchanges only with the same redirect_uri', async () => {
    const redirectUri = 'http://127.0.0.1:9/oauth/callback?from=ghl';
    const page = await fetch(`${ghl.url}/oauth/chooselocation?${new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: redirectUri, state: 'st-42' })}`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    const target = new URL(page.headers.get('location') ?? '');
    expect(`${target.origin}${target.pathname}`).toBe('http://127.0.0.1:9/oauth/callback');
    expect(target.searchParams.get('from')).toBe('ghl');
    expect(target.searchParams.get('state')).toBe('st-42');
    const code = target.searchParams.get('code') ?? '';
    const elsewhere = await exchange(ghl, code, 'Location', { redirect_uri: 'http://127.0.0.1:9/other' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.text).toContain('invalid_grant');

    const page2 = await fetch(`${ghl.url}/oauth/chooselocation?${new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: redirectUri })}`, { redirect: 'manual' });
    const code2 = new URL(page2.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const answer = await exchange(ghl, code2, 'Location', { redirect_uri: redirectUri });
    expect(answer.status).toBe(200);
    expect(answer.body.locationId).toBe('loc_alpha'); // the primary location
    const unknownClient = await fetch(`${ghl.url}/oauth/chooselocation?${new URLSearchParams({ response_type: 'code', client_id: 'someone-else', redirect_uri: redirectUri })}`, { redirect: 'manual' });
    expect(unknownClient.status).toBe(400);
  });
});

describe('POST /oauth/token: refresh tokens are single-use', () => {
  it('answers a new pair; the used refresh token then answers 400 invalid_grant; the new one works; stats count it', async () => {
    const first = await locationTokens(ghl, 'loc_alpha');
    const second = await refresh(ghl, first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(expect.objectContaining({ userType: 'Location', locationId: 'loc_alpha', token_type: 'Bearer' }));
    expect(second.body.access_token).not.toBe(first.access_token);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);

    const reused = await refresh(ghl, first.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.text).toContain('invalid_grant');

    expect((await calendar(ghl, 'cal_alpha', second.body.access_token)).status).toBe(200);
    // GHL does not say whether a refresh kills the previous access token: the sandbox keeps it until it expires.
    expect((await calendar(ghl, 'cal_alpha', first.access_token)).status).toBe(200);

    const third = await refresh(ghl, second.body.refresh_token);
    expect(third.status).toBe(200);
    const stats = await ghl.oauthStats();
    expect(stats.refreshes).toEqual({ loc_alpha: 2 });
    expect(stats.issued).toBe(3); // one exchange, two refreshes
    expect(stats.invalidGrants).toBe(1);
  });

  it('gives exactly one of two concurrent refreshes with the same token a new pair', async () => {
    const first = await locationTokens(ghl, 'loc_bravo');
    const answers = await Promise.all([refresh(ghl, first.refresh_token), refresh(ghl, first.refresh_token), refresh(ghl, first.refresh_token)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
    expect((await ghl.oauthStats()).refreshes).toEqual({ loc_bravo: 1 });
  });

  it('refreshes a Company token under its company, and refuses a user_type the token is not', async () => {
    const company = (await exchange(ghl, await ghl.authorize('Company', ['loc_alpha']), 'Company')).body;
    const wrongType = await refresh(ghl, company.refresh_token, 'Location');
    expect(wrongType.status).toBe(400);
    const renewed = await refresh(ghl, company.refresh_token, 'Company');
    expect(renewed.status).toBe(200);
    expect(renewed.body).toEqual(expect.objectContaining({ userType: 'Company', approvedLocations: ['loc_alpha'] }));
    expect((await ghl.oauthStats()).refreshes).toEqual({ comp_sandbox: 1 });
  });
});

describe('access tokens expire', () => {
  it('answers 401 "Invalid JWT" once the token is past its lifetime (the refresh token still gives a new pair)', async () => {
    const short = await startGhlDouble({ locations: LOCATIONS, oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, accessTokenTtlSeconds: 1 } });
    try {
      const answer = await exchange(short, await short.authorize('Location', ['loc_alpha']), 'Location');
      expect(answer.body.expires_in).toBe(1);
      const expired = await eventually(async () => {
        const res = await calendar(short, 'cal_alpha', answer.body.access_token);
        expect(res.status).toBe(401);
        return res;
      });
      expect(expired.body).toEqual({ statusCode: 401, message: 'Invalid JWT', error: 'Unauthorized' });
      // Not the answer to a token GHL never issued: that one is "invalid token".
      expect((await calendar(short, 'cal_alpha', 'eyJ.made.up')).body.message).not.toBe('Invalid JWT');
      // The refresh token outlives the access token.
      const renewed = await refresh(short, answer.body.refresh_token);
      expect(renewed.status).toBe(200);
      expect(renewed.body.access_token).not.toBe(answer.body.access_token);
    } finally {
      await short.close();
    }
  });
});

describe('POST /oauth/locationToken and GET /oauth/installedLocations (agency)', () => {
  it('mints a location token for an approved location, and refuses a foreign one, a location token, and a missing Version', async () => {
    const company = (await exchange(ghl, await ghl.authorize('Company', ['loc_alpha', 'loc_bravo']), 'Company')).body;
    const minted = await mintLocationToken(ghl, company.access_token, 'loc_bravo');
    expect(minted.status).toBe(200);
    expect(minted.body).toEqual(expect.objectContaining({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 86399, locationId: 'loc_bravo', userId: expect.any(String) }));
    expect(minted.body).not.toHaveProperty('refresh_token');
    expect((await calendar(ghl, 'cal_bravo', minted.body.access_token)).status).toBe(200);
    expect((await calendar(ghl, 'cal_alpha', minted.body.access_token)).status).toBe(403);

    const foreign = await mintLocationToken(ghl, company.access_token, 'loc_charlie');
    expect(foreign.status).toBe(400);
    const otherCompany = await mintLocationToken(ghl, company.access_token, 'loc_alpha', 'comp_other');
    expect(otherCompany.status).toBe(400);
    const withLocationToken = await mintLocationToken(ghl, minted.body.access_token, 'loc_alpha');
    expect(withLocationToken.status).toBe(401);
    const noVersion = await form(ghl, '/oauth/locationToken', { companyId: 'comp_sandbox', locationId: 'loc_alpha' }, { authorization: `Bearer ${company.access_token}` });
    expect(noVersion.status).toBe(400);
    expect((await ghl.oauthStats()).locationTokens).toEqual({ loc_bravo: 1 });
  });

  it('lists where the app is installed, for the company and this app only', async () => {
    const company = (await exchange(ghl, await ghl.authorize('Company', ['loc_alpha', 'loc_charlie']), 'Company')).body;
    const list = (query: Record<string, string>) =>
      fetch(`${ghl.url}/oauth/installedLocations?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${company.access_token}`, version: OAUTH_VERSION } }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const installed = await list({ companyId: 'comp_sandbox', appId: ghl.oauth!.appId, isInstalled: 'true' });
    expect(installed.status).toBe(200);
    expect(installed.body.count).toBe(2);
    expect(installed.body.locations.map((l: { _id: string }) => l._id)).toEqual(['loc_alpha', 'loc_charlie']);
    expect(installed.body.locations[0]).toEqual(expect.objectContaining({ _id: 'loc_alpha', name: 'Alpha Dental', address: '', isInstalled: true }));
    const all = await list({ companyId: 'comp_sandbox', appId: ghl.oauth!.appId });
    expect(all.body.count).toBe(3);
    expect(all.body.locations.find((l: { _id: string }) => l._id === 'loc_bravo').isInstalled).toBe(false);
    expect((await list({ companyId: 'comp_sandbox', appId: 'another-app' })).status).toBe(400);
    expect((await list({ appId: ghl.oauth!.appId })).status).toBe(422);
  });
});

describe('a location token is bound to its location', () => {
  it('cannot read or write another location’s calendar, contacts or conversations (403 in GHL’s shape)', async () => {
    const alpha = await locationTokens(ghl, 'loc_alpha');
    const bravoContact = await ghl.seedContact({ locationId: 'loc_bravo', phone: '+14155550181' });
    const refused = [
      await calendar(ghl, 'cal_bravo', alpha.access_token),
      await api(ghl, 'GET', `/calendars/cal_bravo/free-slots?startDate=${Date.now()}&endDate=${Date.now() + 86_400_000}`, { token: alpha.access_token }),
      await api(ghl, 'GET', `/contacts/${bravoContact.id}`, { token: alpha.access_token }),
      await api(ghl, 'POST', '/contacts/upsert', { token: alpha.access_token, body: { locationId: 'loc_bravo', phone: '+14155550182' } }),
      await api(ghl, 'POST', '/conversations/messages', { token: alpha.access_token, body: { type: 'WhatsApp', contactId: bravoContact.id, message: 'hi' } }),
      await api(ghl, 'POST', '/calendars/events/appointments', {
        token: alpha.access_token,
        body: { calendarId: 'cal_bravo', locationId: 'loc_bravo', contactId: bravoContact.id, startTime: '2031-01-06T10:00:00+09:00' },
      }),
    ];
    for (const res of refused) expect({ status: res.status, body: res.body }).toEqual({ status: 403, body: { statusCode: 403, message: 'The token does not have access to this location.', error: 'Forbidden' } });
    expect(await ghl.sentMessages()).toEqual([]);
    expect(await ghl.appointments()).toEqual([]);
    const own = await api(ghl, 'POST', '/contacts/upsert', { token: alpha.access_token, body: { locationId: 'loc_alpha', phone: '+14155550182' } });
    expect(own.status).toBe(200);
    expect(own.body.contact.locationId).toBe('loc_alpha');
    expect((await api(ghl, 'GET', `/contacts/${own.body.contact.id}`, { token: alpha.access_token, version: CONTACTS_VERSION })).status).toBe(200);
  });

  it('refuses every call without a valid token once OAuth is on', async () => {
    expect((await calendar(ghl, 'cal_alpha', '')).status).toBe(401);
    expect((await calendar(ghl, 'cal_alpha', 'pit-unknown')).status).toBe(401);
  });
});

describe('revoking', () => {
  it('kills a location’s refresh and access tokens until a new authorize', async () => {
    const alpha = await locationTokens(ghl, 'loc_alpha');
    const bravo = await locationTokens(ghl, 'loc_bravo');
    await ghl.revoke({ locationId: 'loc_alpha' });
    expect((await calendar(ghl, 'cal_alpha', alpha.access_token)).status).toBe(401);
    const refused = await refresh(ghl, alpha.refresh_token);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('invalid_grant');
    expect((await calendar(ghl, 'cal_bravo', bravo.access_token)).status).toBe(200); // another location is untouched
    const again = await locationTokens(ghl, 'loc_alpha');
    expect((await calendar(ghl, 'cal_alpha', again.access_token)).status).toBe(200);
  });

  it('kills a company’s tokens and the location tokens minted from them', async () => {
    const company = (await exchange(ghl, await ghl.authorize('Company', ['loc_alpha']), 'Company')).body;
    const minted = (await mintLocationToken(ghl, company.access_token, 'loc_alpha')).body;
    await ghl.revoke({ companyId: 'comp_sandbox' });
    expect((await calendar(ghl, 'cal_alpha', minted.access_token)).status).toBe(401);
    expect((await mintLocationToken(ghl, company.access_token, 'loc_alpha')).status).toBe(401);
    expect((await refresh(ghl, company.refresh_token, 'Company')).status).toBe(400);
  });
});

describe('INSTALL and UNINSTALL webhooks', () => {
  const publicKey = async () => {
    const res = await fetch(`${ghl.url}/_sandbox/webhook-public-key`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('serves the public key of the key it signs with', async () => {
    const pem = await publicKey();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(createPublicKey(pem).export({ type: 'spki', format: 'der' })).toEqual(signing.publicKey.export({ type: 'spki', format: 'der' }));
  });

  it('delivers INSTALL for a location and for an agency, signed with Ed25519 over the raw body, and answers what the ingest answered', async () => {
    const key = createPublicKey(await publicKey());
    const location = await ghl.sendInstall('loc_bravo');
    expect(location).toEqual({ status: 202, body: { status: 'accepted' } });
    const agency = await ghl.sendInstall();
    expect(agency.status).toBe(202);
    expect(receiver.received).toHaveLength(2);
    for (const r of receiver.received) {
      const signature = String(r.headers['x-ghl-signature']);
      expect(signature).toMatch(/^[A-Za-z0-9+/]{86}==$/);
      expect(verify(null, r.raw, key, Buffer.from(signature, 'base64'))).toBe(true);
      // The ingest's own check accepts it too.
      expect(verifySignature(r.raw, { ghl: signature }, { enabled: new Set(['ed25519']), hmacSecrets: [], ed25519: [key], rsa: [] })).toEqual({ ok: true, scheme: 'ed25519' });
    }
    const [forLocation, forAgency] = receiver.received.map((r) => JSON.parse(r.raw.toString('utf8')));
    expect(forLocation).toEqual(
      expect.objectContaining({ type: 'INSTALL', appId: 'app7sandbox', companyId: 'comp_sandbox', locationId: 'loc_bravo', userId: expect.any(String), companyName: expect.any(String), isWhitelabelCompany: false, timestamp: expect.any(String), webhookId: expect.any(String) }),
    );
    expect(forAgency).toEqual(expect.objectContaining({ type: 'INSTALL', appId: 'app7sandbox', companyId: 'comp_sandbox' }));
    expect(forAgency).not.toHaveProperty('locationId');
    expect(forAgency.webhookId).not.toBe(forLocation.webhookId);
  });

  it('uninstalls before sending UNINSTALL: the location’s tokens die and the agency can no longer mint one for it', async () => {
    const company = (await exchange(ghl, await ghl.authorize('Company', ['loc_alpha', 'loc_bravo']), 'Company')).body;
    const bravo = (await mintLocationToken(ghl, company.access_token, 'loc_bravo')).body;
    const answer = await ghl.sendUninstall('loc_bravo');
    expect(answer.status).toBe(202);
    const body = JSON.parse(receiver.received[0].raw.toString('utf8'));
    expect(body).toEqual({ type: 'UNINSTALL', appId: 'app7sandbox', locationId: 'loc_bravo', timestamp: expect.any(String), webhookId: expect.any(String) });
    expect(verify(null, receiver.received[0].raw, createPublicKey(await publicKey()), Buffer.from(String(receiver.received[0].headers['x-ghl-signature']), 'base64'))).toBe(true);
    expect((await calendar(ghl, 'cal_bravo', bravo.access_token)).status).toBe(401);
    expect((await mintLocationToken(ghl, company.access_token, 'loc_bravo')).status).toBe(400);
    expect((await mintLocationToken(ghl, company.access_token, 'loc_alpha')).status).toBe(200);
  });
});
