import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator, type Options } from 'express-rate-limit';
import { RedisStore, type RedisReply, type SendCommandClusterDetails } from 'rate-limit-redis';
import type { Logger } from 'pino';
import { dataNodes, keysFor, type RedisConnection } from '@wab/shared';
import { sendError } from '../http/send-error';

export interface LimitOptions {
  redis: RedisConnection;
  prefix: string;
  windowSeconds: number;
  onLimited: (limit: 'ip' | 'phone') => void;
  logger: Logger;
}

type Scope = 'ip' | 'phone' | 'admin-auth';

const LIMITED_MESSAGE: Record<Scope, string> = {
  ip: 'Too many requests from this address',
  phone: 'Too many requests for this phone number',
  'admin-auth': 'Too many failed admin authentications from this address',
};

/**
 * rate-limit-redis's commands. Each limit is one key per client and one script, so a cluster routes them by key;
 * only SCRIPT LOAD names no key: it goes to every master (where the scripts' EVALSHA may land), and the SHA-1 is
 * the script's own, so a master added later is loaded by the store's NOSCRIPT retry.
 */
function sendCommand(redis: RedisConnection) {
  return async ({ command: [name, ...args] }: SendCommandClusterDetails): Promise<RedisReply> => {
    if (redis.isCluster && name.toUpperCase() === 'SCRIPT' && args[0]?.toUpperCase() === 'LOAD') {
      await Promise.all(dataNodes(redis).map((node) => node.call(name, ...args)));
      return createHash('sha1').update(args[1] ?? '').digest('hex');
    }
    return redis.call(name, ...args) as Promise<RedisReply>;
  };
}

/**
 * A limit counted in Redis, so it holds across replicas. When Redis cannot be asked, the request goes on
 * (the queue then answers 503 honestly) rather than being refused for the limiter's sake.
 */
function limiter(
  scope: Scope,
  limit: number,
  key: Options['keyGenerator'],
  options: Omit<LimitOptions, 'onLimited'> & { onLimited: () => void },
  extra: Partial<Pick<Options, 'skip' | 'skipSuccessfulRequests' | 'requestWasSuccessful' | 'passOnStoreError'>> = {},
): RequestHandler {
  if (limit === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: options.windowSeconds * 1000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    passOnStoreError: true,
    ...extra,
    // A store error is Redis being away; the queue reports that once per request already.
    logger: {
      warn: (...args: unknown[]) => options.logger.debug({ limiter: scope }, String(args.at(-1))),
      error: (...args: unknown[]) => options.logger.debug({ limiter: scope }, String(args.at(-1))),
    },
    keyGenerator: key,
    store: new RedisStore({
      prefix: keysFor(options.prefix, options.redis).rateLimit(scope),
      sendCommandCluster: sendCommand(options.redis),
    }),
    handler: (_req, res, _next, opts) => {
      options.onLimited();
      const resetTime = (_req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(opts.windowMs / 1000);
      res.setHeader('Retry-After', String(retryAfter));
      sendError(res, 'RATE_LIMITED', LIMITED_MESSAGE[scope], {
        limit: opts.limit,
        window_seconds: options.windowSeconds,
        retry_after_seconds: retryAfter,
      });
    },
  });
}

/** Per client IP (behind a proxy, set TRUST_PROXY so `req.ip` is the client's). IPv6 by /56 subnet. */
export function perIpLimit(limit: number, options: LimitOptions): RequestHandler {
  return limiter('ip', limit, (req) => ipKeyGenerator(req.ip ?? 'unknown'), { ...options, onLimited: () => options.onLimited('ip') });
}

/** Per sender phone; reads `res.locals.phone`, set once the body is verified and parsed. */
export function perPhoneLimit(limit: number, options: LimitOptions): RequestHandler {
  return limiter('phone', limit, (_req, res) => String(res.locals.phone), { ...options, onLimited: () => options.onLimited('phone') }, { skip: (_req, res) => !res.locals.phone });
}

/**
 * Counts only answers of 401 to requests that carried credentials, per client address (the admin app trusts no proxy, so that is the socket's).
 * Past the limit every admin request from that address gets 429 until the window ends, a right token too:
 * otherwise a guesser would learn the token from the one answer that is not 429. Fails closed when Redis
 * cannot count, since the admin routes need Redis anyway.
 */
export function adminAuthFailureLimit(limit: number, options: Omit<LimitOptions, 'onLimited'>): RequestHandler {
  return limiter(
    'admin-auth',
    limit,
    (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    { ...options, onLimited: () => options.logger.warn('admin authentication failures over the limit: refusing this address for the window') },
    {
      skipSuccessfulRequests: true,
      // A request with no credentials at all (a browser's first load, before it asks for the password) guesses nothing.
      requestWasSuccessful: (req, res) => res.statusCode !== 401 || !req.get('authorization'),
      passOnStoreError: false,
    },
  );
}
