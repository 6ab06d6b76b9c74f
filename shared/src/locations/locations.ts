import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../config/load';
import { MIN_WEBHOOK_SECRET_LENGTH, type Config } from '../config/schema';
import { isValidTimeZone } from '../time/zoned-time';

/**
 * One GHL location (sub-account) this deployment serves, every setting resolved: what the file (or the admin
 * API) does not say comes from the matching environment variable.
 */
export interface Location {
  id: string;
  /** Null only where the environment names a location without a calendar (an ingest needs none). */
  calendarId: string | null;
  timeZone: string;
  businessName: string;
  minBudget: number;
  currency: string;
  services: string[];
  minNoticeMinutes: number;
  maxDaysAhead: number;
  language: 'en' | 'es';
  /** A Private Integration Token; without one the location connects through the Marketplace app (OAuth). */
  token: string | null;
  /** Binds a workflow-webhook token to this location (see WEBHOOK_TOKENS). */
  webhookToken: string | null;
  /** The GHL workflow sending a template when a reply is due outside WhatsApp's window (null: send nothing). */
  windowClosedWorkflowId: string | null;
}

const text = z.string().trim().min(1, 'must not be blank');

/** What a location may set, in the file and through the admin API: every key but the ids optional. */
export const locationSettingsSchema = z
  .object({
    timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Madrid'),
    businessName: z.string(),
    minBudget: z.number().min(0),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
    services: z.array(text).max(100),
    minNoticeMinutes: z.number().int().min(0),
    maxDaysAhead: z.number().int().min(1).max(365),
    language: z.enum(['en', 'es']),
    token: text,
    webhookToken: z.string().min(MIN_WEBHOOK_SECRET_LENGTH, `must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`),
    calendarId: text,
    windowClosedWorkflowId: text,
  })
  .partial()
  // A misspelt key would silently fall back to a default: refuse it instead.
  .strict();

export type LocationSettings = z.infer<typeof locationSettingsSchema>;

const fileSchema = z
  .object({
    locations: z
      .array(locationSettingsSchema.extend({ id: text, calendarId: text }).strict())
      .min(1, 'must list at least one location')
      .max(10_000),
  })
  .strict();

/** The environment's defaults for every setting a location may leave out. */
function defaultsOf(config: Config): Omit<Location, 'id' | 'calendarId' | 'token' | 'webhookToken' | 'windowClosedWorkflowId'> {
  return {
    timeZone: config.BUSINESS_TIMEZONE,
    businessName: config.BUSINESS_NAME,
    minBudget: config.MIN_BUDGET,
    currency: config.BUDGET_CURRENCY,
    services: config.SERVICES,
    minNoticeMinutes: config.MIN_NOTICE_MINUTES,
    maxDaysAhead: config.MAX_DAYS_AHEAD,
    language: config.BUSINESS_LANGUAGE,
  };
}

/** A location's settings over the environment's defaults (and, for the admin API, over the file's). */
export function resolveLocation(config: Config, id: string, ...layers: LocationSettings[]): Location {
  const merged: LocationSettings = Object.assign({}, ...layers);
  return {
    ...defaultsOf(config),
    ...withoutUndefined(merged),
    id,
    calendarId: merged.calendarId ?? null,
    token: merged.token ?? null,
    webhookToken: merged.webhookToken ?? null,
    windowClosedWorkflowId: merged.windowClosedWorkflowId ?? config.GHL_WINDOW_CLOSED_WORKFLOW_ID ?? null,
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The locations of the configuration: LOCATIONS_FILE's, or the one GHL_LOCATION_ID names (empty when neither
 * is set). Read once at start; a bad file stops the service with every problem named.
 */
export function loadLocations(config: Config): Location[] {
  if (!config.LOCATIONS_FILE) {
    if (!config.GHL_LOCATION_ID) return [];
    return [
      resolveLocation(config, config.GHL_LOCATION_ID, {
        calendarId: config.GHL_CALENDAR_ID,
        token: config.GHL_API_TOKEN,
      }),
    ];
  }
  return parseLocationsFile(config, readLocationsFile(config.LOCATIONS_FILE));
}

function readLocationsFile(file: string): unknown {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError('Invalid configuration: LOCATIONS_FILE: cannot be read');
  }
  try {
    // YAML 1.2 reads JSON as well.
    return parseYaml(source, { maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(`Invalid configuration: LOCATIONS_FILE: not YAML or JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

export function parseLocationsFile(config: Config, content: unknown): Location[] {
  const parsed = fileSchema.safeParse(content);
  if (!parsed.success) {
    // Values are never echoed: a location may carry a token.
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: LOCATIONS_FILE: ${problems.join('; ')}`);
  }
  const seen = new Set<string>();
  const webhookTokens = new Set<string>();
  return parsed.data.locations.map(({ id, ...settings }, index) => {
    if (seen.has(id)) throw new ConfigError(`Invalid configuration: LOCATIONS_FILE: locations.${index}.id: ${id} is listed twice`);
    seen.add(id);
    if (settings.webhookToken) {
      if (webhookTokens.has(settings.webhookToken)) {
        throw new ConfigError(`Invalid configuration: LOCATIONS_FILE: locations.${index}.webhookToken: the same token is bound to two locations`);
      }
      webhookTokens.add(settings.webhookToken);
    }
    return resolveLocation(config, id, settings);
  });
}
