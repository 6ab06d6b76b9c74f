import { configSchema, type Config } from './schema';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the environment once. Empty strings count as unset, so `FOO=` in a compose file falls back to the
 * default. Fails with a message naming every bad variable, never echoing a value (it may be a secret).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
