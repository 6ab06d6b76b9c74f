import type { Logger } from 'pino';
import { canonicalTimeZone } from '@wab/shared';
import type { WorkerMetrics } from '../metrics/worker-metrics';

export type TimeZoneSource = 'webhook' | 'ghl_contact';

/** How many distinct bad zones are remembered for "log once"; past that each is logged again (bounded memory). */
const REMEMBERED = 1000;

/**
 * Every contact time zone passes here before use: a zone Intl knows comes back canonical
 * ("america/new_york" → "America/New_York"); a blank or unknown one comes back null, so the business zone
 * is used instead. An ignored zone is counted each time and logged once; it is never stored.
 */
export function createTimeZoneCheck(deps: { logger: Logger; metrics: WorkerMetrics }) {
  const logged = new Set<string>();
  return function checkTimeZone(value: string | null | undefined, source: TimeZoneSource): string | null {
    if (value === null || value === undefined || value.trim() === '') return null;
    const zone = canonicalTimeZone(value);
    if (zone) return zone;
    deps.metrics.ignoredTimeZones.inc({ source });
    const shown = value.slice(0, 64);
    if (!logged.has(shown)) {
      if (logged.size >= REMEMBERED) logged.clear();
      logged.add(shown);
      deps.logger.warn({ timeZone: shown, source }, 'ignored a time zone Intl does not know; using the business zone');
    }
    return null;
  };
}

export type TimeZoneCheck = ReturnType<typeof createTimeZoneCheck>;
