import type { RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator, type Options } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { productKeys } from '@wab/shared';
import { sendError } from '../http/send-error';

export interface LimitOptions {
  redis: Redis;
  prefix: string;
  windowSeconds: number;
  onLimited: (limit: 'ip' | 'phone') => void;
  logger: Logger;
}

/**
 * A limit counted in Redis, so it holds across replicas. When Redis cannot be asked, the request goes on
 * (the queue then answers 503 honestly) rather than being refused for the limiter's sake.
 */
function limiter(
  scope: 'ip' | 'phone',
  limit: number,
  key: Options['keyGenerator'],
  options: LimitOptions,
  skip?: Options['skip'],
): RequestHandler {
  if (limit === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: options.windowSeconds * 1000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    passOnStoreError: true,
    // A store error is Redis being away; the queue reports that once per request already.
    logger: {
      warn: (...args: unknown[]) => options.logger.debug({ limiter: scope }, String(args.at(-1))),
      error: (...args: unknown[]) => options.logger.debug({ limiter: scope }, String(args.at(-1))),
    },
    keyGenerator: key,
    skip,
    store: new RedisStore({
      prefix: productKeys(options.prefix).rateLimit(scope),
      sendCommand: (command: string, ...args: string[]) => options.redis.call(command, ...args) as Promise<RedisReply>,
    }),
    handler: (_req, res, _next, opts) => {
      options.onLimited(scope);
      const resetTime = (_req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(opts.windowMs / 1000);
      res.setHeader('Retry-After', String(retryAfter));
      sendError(res, 'RATE_LIMITED', `Too many requests ${scope === 'ip' ? 'from this address' : 'for this phone number'}`, {
        limit: opts.limit,
        window_seconds: options.windowSeconds,
        retry_after_seconds: retryAfter,
      });
    },
  });
}

/** Per client IP (behind a proxy, set TRUST_PROXY so `req.ip` is the client's). IPv6 by /56 subnet. */
export function perIpLimit(limit: number, options: LimitOptions): RequestHandler {
  return limiter('ip', limit, (req) => ipKeyGenerator(req.ip ?? 'unknown'), options);
}

/** Per sender phone; reads `res.locals.phone`, set once the body is verified and parsed. */
export function perPhoneLimit(limit: number, options: LimitOptions): RequestHandler {
  return limiter('phone', limit, (_req, res) => String(res.locals.phone), options, (_req, res) => !res.locals.phone);
}
