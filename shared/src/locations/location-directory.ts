import type { RedisConnection } from '../redis/connection';
import { z } from 'zod';
import type { Config } from '../config/schema';
import { AppError } from '../errors/codes';
import { keysFor } from '../redis/keys';
import { locationSettingsSchema, resolveLocation, type Location, type LocationSettings } from './locations';

/**
 * How a location reaches GHL. `static`: a Private Integration Token. The others are the Marketplace app's:
 * `not_connected` until installed, `connected` with a token pair, `needs_reinstall` once GHL refused a
 * refresh (only a new install brings it back), `uninstalled` after GHL's UNINSTALL.
 */
export const CONNECTION_STATES = ['static', 'not_connected', 'connected', 'needs_reinstall', 'uninstalled'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export const connectionInfoSchema = z.object({
  state: z.enum(['connected', 'needs_reinstall', 'uninstalled']),
  /** The agency that installed it in bulk: its Company token mints this location's tokens. */
  companyId: z.string().nullable(),
  updatedAt: z.string(),
  reason: z.string().nullable().optional(),
});
export type ConnectionInfo = z.infer<typeof connectionInfoSchema>;

/** How often each replica re-reads the locations' settings and connections from Redis. */
export const LOCATION_REFRESH_MS = 5000;

/** A location's settings (file, environment, admin API) and its connection, as one replica sees them. */
export interface LocationView extends Location {
  connection: ConnectionState;
  /** Set through the admin API (stored in Redis), over the file's. */
  overridden: boolean;
}

/**
 * The locations a deployment serves: those of LOCATIONS_FILE (or the environment), plus what the admin API
 * set in Redis, with each one's connection. Reads are synchronous against a snapshot that `refresh()` renews
 * (every few seconds, and at once after a local change), so a request never waits on Redis to learn its
 * tenant. Another replica's change is seen within one refresh interval.
 */
export class LocationDirectory {
  private readonly keys;
  private readonly fileById: Map<string, Location>;
  private overrides = new Map<string, LocationSettings>();
  private connections = new Map<string, ConnectionInfo>();
  private views = new Map<string, LocationView>();
  private snapshot = 0;
  /** What the last refresh read from Redis, so an unchanged read rebuilds nothing. */
  private lastRead = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: RedisConnection,
    private readonly config: Config,
    fileLocations: Location[],
  ) {
    this.keys = keysFor(config.QUEUE_PREFIX, redis);
    this.fileById = new Map(fileLocations.map((location) => [location.id, location]));
    this.rebuild();
  }

  /** Every location, in the file's order, then those only the admin API knows. */
  all(): LocationView[] {
    return [...this.views.values()];
  }

  /** How many locations are served (no copy made: the ingest asks on every request). */
  get size(): number {
    return this.views.size;
  }

  /** Changes whenever the snapshot is rebuilt: what callers derive from it can be kept until then. */
  get version(): number {
    return this.snapshot;
  }

  get(id: string): LocationView | undefined {
    return this.views.get(id);
  }

  /** Events are taken for a configured location that GHL has not uninstalled. */
  serves(id: string): boolean {
    const view = this.views.get(id);
    return view !== undefined && view.connection !== 'uninstalled';
  }

  /** The one location of a single-location deployment: events without a location id belong to it. */
  sole(): LocationView | null {
    return this.views.size === 1 ? this.views.values().next().value! : null;
  }

  connectionOf(id: string): ConnectionInfo | undefined {
    return this.connections.get(id);
  }

  async refresh(): Promise<void> {
    const [overrides, connections] = await Promise.all([
      this.redis.hgetall(this.keys.locationOverrides),
      this.redis.hgetall(this.keys.connections),
    ]);
    // Unchanged in Redis: the views (and `version`, which callers cache by) stay as they are.
    const raw = JSON.stringify([overrides, connections]);
    if (raw === this.lastRead) return;
    this.lastRead = raw;
    this.overrides = parseEntries(overrides, locationSettingsSchema);
    this.connections = parseEntries(connections, connectionInfoSchema);
    this.rebuild();
  }

  /** Refreshes every `intervalMs` until stop(); a failed refresh keeps the last snapshot. */
  start(intervalMs: number, onError: (error: Error) => void): void {
    this.timer ??= setInterval(() => this.refresh().catch(onError), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Admin API: settings for a location (a new one needs a calendarId), kept in Redis over the file's. */
  async override(id: string, settings: LocationSettings): Promise<LocationView> {
    const merged = { ...this.overrides.get(id), ...settings };
    if (!this.fileById.has(id) && !merged.calendarId) {
      throw new AppError('VALIDATION_ERROR', 'Invalid field calendarId: a location the file does not list needs a calendarId', { field: 'calendarId' });
    }
    await this.redis.hset(this.keys.locationOverrides, id, JSON.stringify(merged));
    await this.refresh();
    return this.views.get(id)!;
  }

  /** Admin API: back to the file's settings (a location only the admin API knew is removed). */
  async clearOverride(id: string): Promise<void> {
    await this.redis.hdel(this.keys.locationOverrides, id);
    await this.refresh();
  }

  async setConnection(id: string, info: Omit<ConnectionInfo, 'updatedAt'>): Promise<void> {
    const value: ConnectionInfo = { ...info, updatedAt: new Date().toISOString() };
    await this.redis.hset(this.keys.connections, id, JSON.stringify(value));
    this.connections.set(id, value);
    this.rebuild();
  }

  private rebuild(): void {
    const views = new Map<string, LocationView>();
    const ids = new Set([...this.fileById.keys(), ...this.overrides.keys()]);
    for (const id of ids) {
      const override = this.overrides.get(id);
      const location = resolveLocation(this.config, id, fileSettings(this.fileById.get(id)), override ?? {});
      views.set(id, { ...location, connection: this.connectionState(location), overridden: override !== undefined });
    }
    this.views = views;
    this.snapshot++;
  }

  private connectionState(location: Location): ConnectionState {
    const info = this.connections.get(location.id);
    if (info?.state === 'uninstalled') return 'uninstalled';
    if (location.token) return 'static';
    return info?.state ?? 'not_connected';
  }
}

/** A resolved location back to the settings it was made of (the layer under an admin override). */
function fileSettings(location: Location | undefined): LocationSettings {
  if (!location) return {};
  const { id: _id, calendarId, token, webhookToken, windowClosedWorkflowId, ...rest } = location;
  return {
    ...rest,
    calendarId: calendarId ?? undefined,
    token: token ?? undefined,
    webhookToken: webhookToken ?? undefined,
    windowClosedWorkflowId: windowClosedWorkflowId ?? undefined,
  };
}

function parseEntries<T>(entries: Record<string, string>, schema: z.ZodType<T>): Map<string, T> {
  const map = new Map<string, T>();
  for (const [id, json] of Object.entries(entries)) {
    try {
      const parsed = schema.safeParse(JSON.parse(json));
      if (parsed.success) map.set(id, parsed.data);
    } catch {
      // an unreadable entry is skipped: the others still serve
    }
  }
  return map;
}
