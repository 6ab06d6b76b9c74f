import type { GhlDouble } from '../support/ghl-double';

export const CALENDARS_VERSION = '2021-04-15';
export const CONTACTS_VERSION = '2021-07-28';

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A bare GHL API call against the sandbox, with the right Version for the path unless told otherwise. */
export async function api<T = any>(
  double: GhlDouble,
  method: string,
  path: string,
  options: { body?: unknown; version?: string | null; token?: string | null } = {},
): Promise<ApiAnswer<T>> {
  const version = options.version === undefined ? (path.startsWith('/contacts') ? CONTACTS_VERSION : CALENDARS_VERSION) : options.version;
  const token = options.token === undefined ? double.token : options.token;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (version) headers.version = version;
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(double.url + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Tomorrow (UTC) as YYYY-MM-DD: the test double is open 09:00-17:00 UTC every day, so this is always bookable. */
export function tomorrow(days = 1): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export const dayStartMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
