import { z } from 'zod';

/**
 * The one rule for text from GHL and from webhooks: GHL sends `""` (and sometimes `null`) for fields that are
 * not set, so an empty or whitespace-only string means "absent", exactly like a missing key. Present text is
 * trimmed. Every schema that reads GHL's or a webhook's strings goes through this.
 */
export function absentIfBlank(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * A string that may be missing, null or blank: all three read as `undefined`. Written as a transform of a
 * plain string (not a preprocess), so the OpenAPI document still shows the field as a string.
 */
export const optionalText = z
  .string()
  .nullish()
  .transform((v) => absentIfBlank(v) as string | undefined);

/** A string that must be present and not blank (trimmed). */
export const requiredText = z.string().trim().min(1);

/** The same rule for a plain value (no schema at hand): blank, null and undefined become null. */
export function textOrNull(value: string | null | undefined): string | null {
  return (absentIfBlank(value) as string | undefined) ?? null;
}
