import { randomUUID } from 'node:crypto';
import express, { type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { INVALID_JWT, INVALID_TOKEN, WRONG_AUTH_CLASS } from '../auth';
import type { OAuthApp, SandboxContext } from '../context';
import { endpoint } from '../endpoint';
import { caseSensitiveRouter, GhlHttpError, markGatePassed, parseInput, sendGhlError } from '../http';
import type { Grant, IssuedPair, UserType } from '../store/tokens';
import { deliverAppWebhook } from '../webhook';

/**
 * GHL's side of a Marketplace app (oauth.json, ghl-connection.md §2), on when the app has `oauth` options:
 * - POST /oauth/token             form: client_id, client_secret, grant_type (authorization_code | refresh_token),
 *                                 code | refresh_token, user_type (Company | Location), redirect_uri
 * - POST /oauth/locationToken     form: companyId, locationId; a Company access token; Version 2021-07-28
 * - GET  /oauth/installedLocations?companyId&appId&isInstalled&skip&limit&query&locationId   a Company token; Version 2021-07-28
 * - GET  /oauth/chooselocation?response_type=code&client_id&redirect_uri&state   302 to redirect_uri?code=...: a Location
 *                                 install of the primary location, as if the user had picked it (for manual trials)
 *
 * Refresh tokens are single-use: a refresh answers a new pair, and the old refresh token then answers 400
 * invalid_grant. Whether GHL also kills the previous access token is unconfirmed; the sandbox keeps it valid
 * until it expires, so a client must not rely on either.
 *
 * Error bodies: GHL's `{statusCode, message, error?}` for bad input (422), bad client credentials (401) and
 * bad tokens (401); RFC 6749's `{error: "invalid_grant", error_description}` for an unknown, used, revoked or
 * mismatched code or refresh token (GHL's exact body there is unconfirmed; ghl-connection.md says to expect
 * invalid_grant somewhere in it, so a client should look for that word, not for a shape).
 */

const OAUTH_VERSION = '2021-07-28';
/** The scopes the product asks for (ghl-connection.md §2); a Company token adds the oauth ones. */
const LOCATION_SCOPES = [
  'calendars.readonly',
  'calendars/events.readonly',
  'calendars/events.write',
  'contacts.readonly',
  'contacts.write',
  'conversations.readonly',
  'conversations/message.readonly',
  'conversations/message.write',
].join(' ');
const COMPANY_SCOPES = `${LOCATION_SCOPES} oauth.readonly oauth.write locations.readonly`;
/** The agency user who installs the app in the sandbox. */
const INSTALLER_USER_ID = 'usr_sandbox_installer';
const COMPANY_NAME = 'Sandbox Agency';

const tokenBody = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  grant_type: z.enum(['authorization_code', 'refresh_token', 'client_credentials']),
  code: z.string().min(1).optional(),
  refresh_token: z.string().min(1).optional(),
  user_type: z.enum(['Company', 'Location']).optional(),
  redirect_uri: z.string().optional(),
});

const locationTokenBody = z.object({ companyId: z.string().min(1), locationId: z.string().min(1) });

const numberText = (fallback: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'must be a whole number')
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().int().min(0).max(max));
const installedQuery = z.object({
  companyId: z.string().min(1),
  appId: z.string().min(1),
  skip: numberText(0, 1_000_000),
  limit: numberText(20, 100),
  query: z.string().max(200).optional(),
  isInstalled: z.enum(['true', 'false']).optional(),
  locationId: z.string().optional(),
});

const chooseQuery = z.object({
  response_type: z.literal('code'),
  client_id: z.string().min(1),
  redirect_uri: z.string().url().refine((u) => /^https?:/.test(u), 'must be an http(s) URL'),
  state: z.string().max(1000).optional(),
});

/** The form parser is only on these routes: GHL's token endpoints take forms, so a JSON body leaves every field missing (422). */
const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });

export function oauthRoutes(ctx: SandboxContext): Router {
  const router = caseSensitiveRouter();
  const app = ctx.oauth;
  if (!app) return router; // no OAuth: these paths fall through to the 404

  const passed: RequestHandler = (_req, res, next) => {
    markGatePassed(res); // so endpoint() runs the route (and its planned faults)
    next();
  };

  router.post(
    '/oauth/token',
    form,
    passed,
    endpoint(ctx, 'oauthToken', async (req, res) => {
      const body = parseInput(tokenBody, req.body, 422);
      if (body.client_id !== app.clientId || body.client_secret !== app.clientSecret) {
        throw new GhlHttpError(401, 'Invalid client: client_id or client_secret is wrong');
      }
      if (body.grant_type === 'client_credentials') throw new GhlHttpError(400, 'grant_type client_credentials is not supported for this app');
      if (body.grant_type === 'authorization_code') {
        if (!body.code) throw new GhlHttpError(422, ['code should not be empty']);
        const code = await ctx.tokens.takeCode(body.code);
        if (!code) return invalidGrant(ctx, res, 'The authorization code is invalid, expired or already used');
        if (code.redirectUri !== undefined && body.redirect_uri !== code.redirectUri) return invalidGrant(ctx, res, 'redirect_uri does not match the one of the authorization');
        if (body.user_type && body.user_type !== code.userType) return invalidGrant(ctx, res, `The code is for a ${code.userType} install, not ${body.user_type}`);
        const pair = await ctx.tokens.issue(code, app.accessTokenTtlSeconds, app.clientId);
        await ctx.tokens.count('issued');
        return void res.json(tokenAnswer(code, pair));
      }
      if (!body.refresh_token) throw new GhlHttpError(422, ['refresh_token should not be empty']);
      const grant = await ctx.tokens.peekRefresh(body.refresh_token);
      if (!grant) return invalidGrant(ctx, res, 'The refresh token is invalid, revoked or already used');
      if (body.user_type && body.user_type !== grant.userType) return invalidGrant(ctx, res, `The refresh token is a ${grant.userType} token, not ${body.user_type}`);
      // Used up here, atomically: of two concurrent refreshes with one token, exactly one gets a new pair.
      if (!(await ctx.tokens.consumeRefresh(body.refresh_token))) return invalidGrant(ctx, res, 'The refresh token is invalid, revoked or already used');
      const pair = await ctx.tokens.issue(grant, app.accessTokenTtlSeconds, app.clientId);
      await ctx.tokens.count(`refresh:${grant.locationId ?? grant.companyId}`);
      await ctx.tokens.count('issued');
      res.json(tokenAnswer(grant, pair));
    }),
  );

  router.post(
    '/oauth/locationToken',
    form,
    companyGate(ctx),
    endpoint(ctx, 'locationToken', async (req, res) => {
      const company = res.locals.companyGrant as Grant;
      const body = parseInput(locationTokenBody, req.body, 422);
      if (body.companyId !== company.companyId) throw new GhlHttpError(400, 'companyId is not the company of the token');
      const installed = await ctx.tokens.installed();
      if (!company.approvedLocations.includes(body.locationId) || !installed[body.locationId] || !ctx.locations.get(body.locationId)) {
        throw new GhlHttpError(400, 'The app is not installed on this location, or the install did not approve it');
      }
      const grant: Grant = { userType: 'Location', companyId: company.companyId, locationId: body.locationId, approvedLocations: [], userId: company.userId, scope: LOCATION_SCOPES };
      // No refresh token: a location token is re-minted from the Company token.
      const pair = await ctx.tokens.issue(grant, app.accessTokenTtlSeconds, app.clientId, false);
      await ctx.tokens.count(`locationToken:${body.locationId}`);
      res.json({
        access_token: pair.accessToken,
        token_type: 'Bearer',
        expires_in: pair.expiresIn,
        scope: grant.scope,
        locationId: body.locationId,
        userId: grant.userId,
        appId: app.appId,
        versionId: app.appId,
        traceId: randomUUID(),
      });
    }),
  );

  router.get(
    '/oauth/installedLocations',
    companyGate(ctx),
    endpoint(ctx, 'installedLocations', async (req, res) => {
      const company = res.locals.companyGrant as Grant;
      const query = parseInput(installedQuery, req.query, 422);
      if (query.companyId !== company.companyId) throw new GhlHttpError(400, 'companyId is not the company of the token');
      if (query.appId !== app.appId) throw new GhlHttpError(400, `No app ${query.appId} is installed by this company`);
      const installed = await ctx.tokens.installed();
      const needle = query.query?.trim().toLowerCase();
      const matching = ctx.locations.all
        .filter((l) => query.isInstalled === undefined || Boolean(installed[l.id]) === (query.isInstalled === 'true'))
        .filter((l) => !needle || l.name.toLowerCase().includes(needle))
        .filter((l) => !query.locationId || l.id === query.locationId);
      res.json({
        locations: matching.slice(query.skip, query.skip + query.limit).map((l) => ({
          _id: l.id,
          name: l.name,
          address: '', // blank, as GHL leaves unset fields
          isInstalled: Boolean(installed[l.id]),
          ...(installed[l.id] ? { versionId: app.appId, installedAt: installed[l.id] } : {}),
        })),
        count: matching.length,
        installToFutureLocations: false,
        traceId: randomUUID(),
      });
    }),
  );

  router.get('/oauth/chooselocation', async (req, res) => {
    const query = parseInput(chooseQuery, req.query, 400);
    if (query.client_id !== app.clientId) throw new GhlHttpError(400, 'Unknown client_id');
    const code = await authorize(ctx, app, 'Location', [ctx.locations.primary.id], query.redirect_uri);
    const target = new URL(query.redirect_uri);
    target.searchParams.set('code', code);
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    res.redirect(302, target.toString());
  });

  return router;
}

/** A Company access token (and the OAuth Version) for the agency routes; the grant is left in res.locals. */
function companyGate(ctx: SandboxContext): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    const found = match ? await ctx.tokens.checkAccess(match[1]) : null;
    if (!found || (!found.ok && found.reason === 'unknown')) return sendGhlError(res, 401, INVALID_TOKEN);
    if (!found.ok) return sendGhlError(res, 401, INVALID_JWT);
    if (found.grant.userType !== 'Company') return sendGhlError(res, 401, WRONG_AUTH_CLASS);
    const sent = req.get('version');
    if (!sent) return sendGhlError(res, 400, 'Version header was not found');
    if (sent !== OAUTH_VERSION) return sendGhlError(res, 400, `Version ${sent} is not supported by oauth; use ${OAUTH_VERSION}`);
    res.locals.companyGrant = found.grant;
    markGatePassed(res);
    next();
  };
}

function tokenAnswer(grant: Grant, pair: IssuedPair) {
  const common = {
    access_token: pair.accessToken,
    token_type: 'Bearer',
    expires_in: pair.expiresIn,
    refresh_token: pair.refreshToken,
    scope: grant.scope,
    userType: grant.userType,
    companyId: grant.companyId,
  };
  const bound =
    grant.userType === 'Location'
      ? { locationId: grant.locationId }
      : grant.approveAllLocations
        ? { isBulkInstallation: true, approveAllLocations: true, installToFutureLocations: false } // `approvedLocations` is optional: absent
        : { isBulkInstallation: true, approvedLocations: grant.approvedLocations, installToFutureLocations: false };
  return { ...common, ...bound, userId: grant.userId, traceId: randomUUID() };
}

async function invalidGrant(ctx: SandboxContext, res: Response, description: string): Promise<void> {
  await ctx.tokens.count('invalidGrants');
  res.status(400).json({ error: 'invalid_grant', error_description: description });
}

/** As if the user had approved the install on the chooselocation page: the locations are installed, and a code is made. */
async function authorize(ctx: SandboxContext, app: OAuthApp, userType: UserType, locationIds: string[], redirectUri?: string, approveAll = false): Promise<string> {
  await ctx.tokens.install(locationIds);
  return ctx.tokens.createCode({
    userType,
    companyId: app.companyId,
    ...(userType === 'Location' ? { locationId: locationIds[0] } : {}),
    approvedLocations: userType === 'Company' ? locationIds : [],
    ...(approveAll ? { approveAllLocations: true } : {}),
    userId: INSTALLER_USER_ID,
    scope: userType === 'Company' ? COMPANY_SCOPES : LOCATION_SCOPES,
    ...(redirectUri !== undefined ? { redirectUri } : {}),
  });
}

const authorizeBody = z
  .object({ userType: z.enum(['Company', 'Location']), locationIds: z.array(z.string().min(1)).min(1).max(1000), approveAll: z.boolean().optional() })
  .strict()
  .refine((b) => b.userType === 'Company' || b.locationIds.length === 1, { message: 'a Location install is for exactly one location', path: ['locationIds'] })
  .refine((b) => !b.approveAll || b.userType === 'Company', { message: 'only a Company install approves all locations', path: ['approveAll'] });
const revokeBody = z
  .object({ locationId: z.string().min(1).optional(), companyId: z.string().min(1).optional() })
  .strict()
  .refine((b) => (b.locationId === undefined) !== (b.companyId === undefined), 'give a locationId or a companyId');
const installBody = z.object({ locationId: z.string().min(1).optional() }).strict();
const uninstallBody = z.object({ locationId: z.string().min(1) }).strict();

/**
 * Test controls for the Marketplace app, under /_sandbox/oauth (behind the sandbox token like the rest):
 * - POST /authorize   `{userType, locationIds}` -> 201 `{code}`: the user approved the install (single-use code, ten minutes)
 * - POST /revoke      `{locationId} | {companyId}` -> 204: its refresh tokens answer invalid_grant and its access tokens
 *                     401 from now on (an app removed, a token lost), until a new authorize
 * - GET  /stats       `{refreshes: {id: n}, invalidGrants, issued, locationTokens: {id: n}}`, since start or reset;
 *                     `issued` counts the pairs /oauth/token gave (code exchanges and refreshes)
 * - POST /install     `{locationId?}`: sends GHL's INSTALL webhook (an agency install without locationId)
 * - POST /uninstall   `{locationId}`: uninstalls (its tokens die), then sends UNINSTALL
 *   Both answer with the ingest's status and body, or 502 when it could not be reached.
 */
export function sandboxOAuthRoutes(ctx: SandboxContext): Router {
  const router = caseSensitiveRouter();
  const appOf = (): OAuthApp => {
    if (!ctx.oauth) throw new GhlHttpError(503, 'OAuth is off: start the sandbox with oauth options (SANDBOX_OAUTH_CLIENT_ID and SANDBOX_OAUTH_CLIENT_SECRET)');
    return ctx.oauth;
  };
  const knownLocation = (id: string) => {
    if (!ctx.locations.get(id)) throw new GhlHttpError(400, `locationId: the sandbox has no location ${id}`);
    return id;
  };

  router.post('/authorize', async (req, res) => {
    const app = appOf();
    const body = parseInput(authorizeBody, req.body, 400);
    body.locationIds.forEach(knownLocation);
    res.status(201).json({ code: await authorize(ctx, app, body.userType, [...new Set(body.locationIds)], undefined, body.approveAll) });
  });

  router.post('/revoke', async (req, res) => {
    const app = appOf();
    const body = parseInput(revokeBody, req.body, 400);
    if (body.companyId !== undefined && body.companyId !== app.companyId) throw new GhlHttpError(400, `companyId: the sandbox's company is ${app.companyId}`);
    await ctx.tokens.revoke(body.locationId !== undefined ? { locationId: knownLocation(body.locationId) } : { companyId: app.companyId });
    res.status(204).end();
  });

  router.get('/stats', async (_req, res) => {
    appOf();
    res.json(await ctx.tokens.stats());
  });

  router.post('/install', async (req, res) => {
    const app = appOf();
    const body = parseInput(installBody, req.body, 400);
    if (body.locationId !== undefined) await ctx.tokens.install([knownLocation(body.locationId)]);
    await sendAppWebhook(ctx, res, {
      type: 'INSTALL',
      appId: app.appId,
      versionId: app.appId,
      installType: body.locationId === undefined ? 'Company' : 'Location',
      ...(body.locationId !== undefined ? { locationId: body.locationId } : {}),
      companyId: app.companyId,
      userId: INSTALLER_USER_ID,
      companyName: COMPANY_NAME,
      isWhitelabelCompany: false,
      whitelabelDetails: { logoUrl: '', domain: '' },
      timestamp: new Date().toISOString(),
      webhookId: randomUUID(),
    });
  });

  router.post('/uninstall', async (req, res) => {
    const app = appOf();
    const body = parseInput(uninstallBody, req.body, 400);
    const locationId = knownLocation(body.locationId);
    // GHL removes the app (and its tokens) first, then tells the app.
    await ctx.tokens.uninstall(locationId);
    await ctx.tokens.revoke({ locationId });
    await sendAppWebhook(ctx, res, { type: 'UNINSTALL', appId: app.appId, locationId, timestamp: new Date().toISOString(), webhookId: randomUUID() });
  });

  return router;
}

async function sendAppWebhook(ctx: SandboxContext, res: Response, payload: Record<string, unknown>): Promise<void> {
  const target = ctx.installWebhooks;
  if (!target) throw new GhlHttpError(503, 'Install webhooks are off: the sandbox has no installWebhooks (INGEST_URL) to deliver them to');
  const delivery = await deliverAppWebhook(target, payload);
  if (delivery.status === null) throw new GhlHttpError(502, (delivery.body as { error: string }).error);
  res.status(delivery.status);
  if (typeof delivery.body === 'string') res.type('text/plain').send(delivery.body);
  else res.json(delivery.body);
}
