import pino, { type Logger } from 'pino';

/**
 * A service's root logger: JSON lines with the service name; headers that carry secrets are redacted.
 * Components take child loggers that add requestId / jobId / contact.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-ghl-signature"]', 'req.headers["x-wh-signature"]', '*.token', '*.apiKey'], censor: '[redacted]' },
  });
}
