import { z } from 'zod';
import { optionalText, requiredText } from '../input/absent';

/** GHL's token answer (ghl-openapi/oauth.json); unknown keys are ignored, blank ones are absent. */
const tokenAnswer = z.object({
  access_token: requiredText,
  expires_in: z.coerce.number().positive(),
  refresh_token: optionalText,
  userType: optionalText,
  locationId: optionalText,
  companyId: optionalText,
  isBulkInstallation: z.boolean().optional(),
  approvedLocations: z.array(z.string()).optional(),
});

/** GHL's documented default page size for installedLocations; and as many locations as a deployment serves. */
const INSTALLED_PAGE = 20;
const MAX_INSTALLED_LOCATIONS = 10_000;

const installedLocationsAnswer = z.object({
  locations: z.array(z.object({ _id: requiredText, isInstalled: z.boolean().optional() })).default([]),
});

/** A token as the product keeps it: when it expires, and what it is for. */
export interface OAuthToken {
  accessToken: string;
  /** Null for a location token minted from a Company token: it is re-minted, not refreshed. */
  refreshToken: string | null;
  userType: 'Company' | 'Location';
  /** Epoch ms. */
  expiresAt: number;
  lifetimeMs: number;
  companyId: string | null;
  locationId: string | null;
  /** A Company (bulk) install: the locations it may mint tokens for. */
  approvedLocations: string[];
}

/** GHL refused the grant for good (a used or revoked refresh token, a bad code): only a new install helps. */
export class OAuthRefusedError extends Error {
  override name = 'OAuthRefusedError';
}

/** GHL could not be asked (network, 5xx, 429): the same request may work later. */
export class OAuthUnavailableError extends Error {
  override name = 'OAuthUnavailableError';
}

export interface OAuthAppSettings {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** The clock expiries are counted from (tests move it instead of waiting). */
  now?: () => number;
}

/** The Marketplace app's calls to GHL's OAuth endpoints. Tokens never reach a log or an error message. */
export class OAuthClient {
  private readonly fetchImpl: typeof fetch;
  private readonly baseUrl: string;
  private readonly now: () => number;

  constructor(private readonly settings: OAuthAppSettings) {
    this.now = settings.now ?? Date.now;
    this.fetchImpl = settings.fetch ?? fetch;
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
  }

  /** The app id GHL puts in INSTALL / UNINSTALL webhooks (GHL's SDK: the client id before its first "-"). */
  get appId(): string {
    return this.settings.clientId.split('-')[0];
  }

  /** The install's code, from /oauth/callback. GHL says in the answer whether it is a Company or a Location token. */
  exchangeCode(code: string): Promise<OAuthToken> {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: this.settings.redirectUri });
  }

  /** Single-use: the answer has the next refresh token, and the one sent is spent. */
  refresh(token: OAuthToken): Promise<OAuthToken> {
    if (!token.refreshToken) throw new OAuthRefusedError('this token has no refresh token');
    return this.token({ grant_type: 'refresh_token', refresh_token: token.refreshToken, user_type: token.userType, redirect_uri: this.settings.redirectUri });
  }

  /** A location's token, minted with the agency's Company token (bulk installs). It has no refresh token. */
  async locationToken(company: OAuthToken, locationId: string): Promise<OAuthToken> {
    const answer = await this.post('/oauth/locationToken', { companyId: company.companyId ?? '', locationId }, company.accessToken);
    return { ...toToken(answer, this.now()), userType: 'Location', refreshToken: null, locationId, companyId: company.companyId };
  }

  /**
   * Where the app is installed under the company: the approved list when GHL's answer left it out (an install
   * to all locations). GHL answers a page at a time (`limit` 20 by default): every page is read.
   */
  async installedLocations(company: OAuthToken): Promise<string[]> {
    const ids: string[] = [];
    for (let skip = 0; skip < MAX_INSTALLED_LOCATIONS; skip += INSTALLED_PAGE) {
      const query = { companyId: company.companyId ?? '', appId: this.appId, isInstalled: 'true', skip: String(skip), limit: String(INSTALLED_PAGE) };
      const json = await this.request(`/oauth/installedLocations?${new URLSearchParams(query)}`, { method: 'GET', headers: this.headers(company.accessToken) });
      const parsed = installedLocationsAnswer.safeParse(json);
      if (!parsed.success) throw new OAuthUnavailableError('GHL installedLocations: unexpected answer');
      ids.push(...parsed.data.locations.filter((l) => l.isInstalled !== false).map((l) => l._id));
      if (parsed.data.locations.length < INSTALLED_PAGE) break;
    }
    return ids;
  }

  private async token(form: Record<string, string>): Promise<OAuthToken> {
    const answer = await this.post('/oauth/token', { client_id: this.settings.clientId, client_secret: this.settings.clientSecret, ...form });
    return toToken(answer, this.now());
  }

  private async post(path: string, form: Record<string, string>, bearer?: string): Promise<z.infer<typeof tokenAnswer>> {
    const json = await this.request(path, {
      method: 'POST',
      headers: { ...this.headers(bearer), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    const parsed = tokenAnswer.safeParse(json);
    if (!parsed.success) throw new OAuthUnavailableError(`GHL ${path}: unexpected answer: ${parsed.error.issues[0]?.path.join('.')}`);
    return parsed.data;
  }

  private headers(bearer?: string): Record<string, string> {
    return { Accept: 'application/json', Version: '2021-07-28', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) };
  }

  private async request(path: string, init: RequestInit): Promise<unknown> {
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(this.settings.timeoutMs) });
      text = await res.text();
    } catch (error) {
      throw new OAuthUnavailableError(`GHL ${path.split('?')[0]}: no answer (${(error as Error).name})`);
    }
    const where = `GHL ${path.split('?')[0]}: ${res.status}`;
    if (res.status === 429 || res.status >= 500) throw new OAuthUnavailableError(where);
    // GHL's body for a spent or revoked grant is unconfirmed: 400/401 with invalid_grant somewhere, or 401.
    if (res.status === 401 || /invalid_grant/i.test(text)) throw new OAuthRefusedError(`${where}: invalid_grant`);
    if (res.status >= 400) throw new OAuthRefusedError(`${where}: ${ghlMessage(text)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new OAuthUnavailableError(`${where}: unreadable answer`);
    }
  }
}

function toToken(answer: z.infer<typeof tokenAnswer>, now: number): OAuthToken {
  const lifetimeMs = answer.expires_in * 1000;
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? null,
    userType: answer.userType === 'Company' ? 'Company' : 'Location',
    expiresAt: now + lifetimeMs,
    lifetimeMs,
    companyId: answer.companyId ?? null,
    locationId: answer.locationId ?? null,
    approvedLocations: answer.approvedLocations ?? [],
  };
}

/** GHL's `message` (a string or a list), short; never the body itself, which could echo a token. */
function ghlMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    const joined = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : '';
    return joined.slice(0, 200) || 'refused';
  } catch {
    return 'refused';
  }
}
