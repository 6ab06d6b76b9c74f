import { AppError } from '@wab/shared';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1h`, `30m`, `2d`, `45s`, or an ISO-8601 time: the instant (epoch ms) from which to act. */
export function parseSince(value: unknown, now = Date.now()): number {
  if (typeof value === 'string') {
    const relative = /^(\d+)([smhd])$/.exec(value.trim());
    if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]];
    const absolute = Date.parse(value);
    if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(absolute)) return absolute;
  }
  throw new AppError('VALIDATION_ERROR', 'since must be a duration such as 30m, 1h or 2d, or an ISO-8601 time', {
    field: 'since',
    value: typeof value === 'string' ? value.slice(0, 50) : null,
  });
}
