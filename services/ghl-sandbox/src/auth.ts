import type { Request } from 'express';
import type { SandboxContext } from './context';
import type { Caller } from './locations';

export const INVALID_TOKEN = 'Invalid token: access token is invalid';
/** GHL's answer to an expired (or revoked) OAuth access token. */
export const INVALID_JWT = 'Invalid JWT';
/** What integrators report GHL answers when an agency (Company) token calls a sub-account route. */
export const WRONG_AUTH_CLASS = 'This authClass type is not allowed to access this scope. Please reach out to the Platform team to get it added.';

/**
 * The caller of an API route: a location's PIT, a live Location access token, or anyone when auth is off.
 * A Company token is refused: sub-account routes need a location token (minted with /oauth/locationToken).
 */
export async function identifyCaller(ctx: SandboxContext, req: Request): Promise<Caller | { refused: string }> {
  if (!ctx.authRequired) return { anyLocation: true };
  const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  if (!match) return { refused: INVALID_TOKEN };
  const pitLocation = ctx.pits.get(match[1]);
  if (pitLocation) return { locationId: pitLocation };
  if (!ctx.oauth) return { refused: INVALID_TOKEN };
  const found = await ctx.tokens.checkAccess(match[1]);
  if (!found.ok) return { refused: found.reason === 'unknown' ? INVALID_TOKEN : INVALID_JWT };
  if (found.grant.userType !== 'Location' || !found.grant.locationId) return { refused: WRONG_AUTH_CLASS };
  return { locationId: found.grant.locationId };
}

