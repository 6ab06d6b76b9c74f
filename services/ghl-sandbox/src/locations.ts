import type { Response } from 'express';
import { GhlHttpError } from './http';
import { SlotGrid, type BusinessHours } from './slots';
import { isValidTimeZone } from './time';

/** A sub-account (location) as the options give it. */
export interface LocationOption {
  id: string;
  calendarId: string;
  /** Its calendar's hours and zone; by default the app's `businessHours`. */
  businessHours?: BusinessHours;
  /** A Private Integration Token of this location (works on this location only). */
  token?: string;
  name?: string;
}

/** A location the sandbox serves: one calendar with its own slot grid; contacts and conversations belong to it. */
export interface SandboxLocation {
  id: string;
  name: string;
  calendarId: string;
  grid: SlotGrid;
}

/** Who is calling, as the API gate found out from the bearer token. */
export type Caller = { locationId: string } | { anyLocation: true };

/**
 * What GHL answers when a token is used on another location's data. The OpenAPI files document only 400 and
 * 401 for these routes; integrators report this 403 (a 401 would tell a client to refresh a token that is fine).
 */
export const NO_ACCESS = 'The token does not have access to this location.';

export class Locations {
  readonly all: SandboxLocation[];
  /** The first location: the one a PIT given as the app's `token` belongs to, and the chat page's default. */
  readonly primary: SandboxLocation;
  private readonly byId = new Map<string, SandboxLocation>();
  private readonly byCalendar = new Map<string, SandboxLocation>();

  constructor(options: LocationOption[], defaults: { businessHours: BusinessHours; slotDurationMinutes: number }) {
    if (!options.length) throw new Error('the sandbox needs at least one location');
    this.all = options.map((o) => {
      const hours = o.businessHours ?? defaults.businessHours;
      if (!isValidTimeZone(hours.timeZone)) throw new Error(`unknown time zone: ${hours.timeZone}`);
      if (!o.id || !o.calendarId) throw new Error('a location needs an id and a calendarId');
      if (this.byId.has(o.id)) throw new Error(`location ${o.id} is given twice`);
      if (this.byCalendar.has(o.calendarId)) throw new Error(`calendar ${o.calendarId} is given to two locations`);
      const location = { id: o.id, name: o.name || `Sandbox location ${o.id}`, calendarId: o.calendarId, grid: new SlotGrid(hours, defaults.slotDurationMinutes) };
      this.byId.set(o.id, location);
      this.byCalendar.set(o.calendarId, location);
      return location;
    });
    this.primary = this.all[0];
  }

  get(id: string): SandboxLocation | undefined {
    return this.byId.get(id);
  }

  ofCalendar(calendarId: string): SandboxLocation | undefined {
    return this.byCalendar.get(calendarId);
  }
}

export function setCaller(res: Response, caller: Caller): void {
  res.locals.ghlCaller = caller;
}

/** The location the caller's token is bound to, or null when auth is off (any location will do). */
export function callerLocation(res: Response): string | null {
  const caller = res.locals.ghlCaller as Caller | undefined;
  return caller && 'locationId' in caller ? caller.locationId : null;
}

/** Refuses data of a location the caller's token does not cover. */
export function requireAccess(res: Response, locationId: string): void {
  const bound = callerLocation(res);
  if (bound !== null && bound !== locationId) throw new GhlHttpError(403, NO_ACCESS);
}

/** A location named in a query or body: unknown ones are refused as GHL refuses a location the token lacks. */
export function requireLocation(res: Response, locations: Locations, locationId: string): SandboxLocation {
  const location = locations.get(locationId);
  if (!location) throw new GhlHttpError(403, NO_ACCESS);
  requireAccess(res, locationId);
  return location;
}
