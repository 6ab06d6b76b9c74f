import type { RequestHandler } from 'express';
import { sendError } from '../http/send-error';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state-changing admin request that a browser sent from another site. Browsers attach cached
 * Basic credentials to a cross-site form post, and always say where it came from in `Origin`; clients that
 * are not browsers (curl, `npm run replay`) send no Origin and are not affected. The admin app trusts no
 * proxy, so its own origin is the scheme and Host the request reached it with.
 */
export const refuseForeignOrigin: RequestHandler = (req, res, next) => {
  const origin = req.get('origin');
  if (SAFE_METHODS.has(req.method) || origin === undefined) return next();
  const own = `${req.protocol}://${req.get('host') ?? ''}`;
  if (origin.toLowerCase() === own.toLowerCase()) return next();
  sendError(res, 'FORBIDDEN', 'Cross-origin admin requests are refused', { origin: origin.slice(0, 200) });
};
