import { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { OAuthRefusedError, type LocationDirectory, type OAuthConnections } from '@wab/shared';

/**
 * GET /oauth/callback?code=…: where GHL sends the browser after an install (GHL_OAUTH_REDIRECT_URL). The code
 * becomes stored, encrypted tokens; a Company (agency, bulk) install mints a token for each approved location.
 * The answer is a short page for the person who installed, never a token.
 */
export function oauthRouter(deps: { connections: OAuthConnections; locations: LocationDirectory; logger: Logger; perIp: RequestHandler }): Router {
  const router = Router();
  router.get('/oauth/callback', deps.perIp, async (req, res) => {
    const code = typeof req.query.code === 'string' ? req.query.code.trim() : '';
    if (!code || code.length > 2048) {
      res.status(400).type('html').send(page('Not connected', '<p>The link has no install code. Start the install again from the GHL Marketplace.</p>'));
      return;
    }
    try {
      const connected = await deps.connections.connectWithCode(code);
      await deps.locations.refresh();
      deps.logger.info({ userType: connected.userType, companyId: connected.companyId, locations: connected.locations }, 'Marketplace app installed');
      const items = connected.locations.map((id) => {
        const location = deps.locations.get(id);
        const note = location ? (location.businessName ? ` (${escapeHtml(location.businessName)})` : '') : ' — connected, but not configured here yet: add it to LOCATIONS_FILE or the admin API';
        return `<li><code>${escapeHtml(id)}</code>${note}</li>`;
      });
      const body = items.length
        ? `<p>Connected ${items.length === 1 ? 'location' : `${items.length} locations`}:</p><ul>${items.join('')}</ul><p>You can close this page.</p>`
        : '<p>The install was accepted, but GHL approved no location for it.</p>';
      res.status(200).type('html').send(page('Connected', body));
    } catch (error) {
      const refused = error instanceof OAuthRefusedError;
      deps.logger.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, 'OAuth install failed');
      res
        .status(refused ? 400 : 502)
        .type('html')
        .send(page('Not connected', refused ? '<p>GHL refused the install code (it may have been used already). Start the install again.</p>' : '<p>GHL could not be reached to finish the install. Reload this page to try again.</p>'));
    }
  });
  return router;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
