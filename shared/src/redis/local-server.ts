import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

export interface LocalRedis {
  url: string;
  /** True when this process started the server (and `stop` will end it). */
  started: boolean;
  stop(): Promise<void>;
}

/** Answers PING within the deadline, or false. Never throws, never retries. */
export async function redisAnswers(url: string, timeoutMs = 800, extra: RedisOptions = {}): Promise<boolean> {
  const client = new Redis(url, {
    ...extra,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * A loopback port free now, for a server that will listen on it a little later. Taken below the kernel's
 * ephemeral range (32768 and up on Linux): ports there are handed to every outgoing connection and every
 * `listen(0)`, so one picked there can be gone by the time a slow starter (`npm start` builds first) binds.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  return listenOn(0);
}

function canListen(port: number): Promise<boolean> {
  return listenOn(port).then(
    () => true,
    () => false,
  );
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface PrivateRedisOptions {
  port?: number;
  /** Configuration lines given on stdin (`redis-server -`), e.g. ACL users: they stay off the command line. */
  stdinConfig?: string;
  /** TLS arguments (certificates): the port becomes `--tls-port` and the plain port is off. */
  tlsArgs?: string[];
  /** The URL the readiness check (and `url`) uses, for credentials or `rediss://`; given the port. */
  urlFor?: (port: number) => string;
  /** Connection options of the readiness check (a TLS CA). */
  clientOptions?: RedisOptions;
}

/** Starts `redis-server` on a free (or the given) port in a temporary directory, with no persistence. */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<LocalRedis> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'wab-redis-'));
  const listen = options.tlsArgs ? ['--port', '0', '--tls-port', String(port), ...options.tlsArgs] : ['--port', String(port)];
  const child: ChildProcess = spawn(
    'redis-server',
    [
      ...(options.stdinConfig === undefined ? [] : ['-']),
      ...listen,
      ...['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'noeviction'],
    ],
    { stdio: [options.stdinConfig === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'] },
  );
  if (options.stdinConfig !== undefined) child.stdin!.end(options.stdinConfig);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const url = options.urlFor?.(port) ?? `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await Promise.race([redisAnswers(url, 300, options.clientOptions), spawnError]);
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    started: true,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export class RedisNotFoundError extends Error {
  override name = 'RedisNotFoundError';
}

/**
 * Finds Redis the way the product does: `REDIS_URL`, else 127.0.0.1:6379, else a private `redis-server`
 * started on a free port. Fails with one line naming the fixes.
 */
export async function findOrStartRedis(explicitUrl?: string): Promise<LocalRedis> {
  const none = { started: false, stop: async () => undefined };
  if (explicitUrl) {
    if (await redisAnswers(explicitUrl, 2000)) return { url: explicitUrl, ...none };
    throw new RedisNotFoundError(`Redis at REDIS_URL does not answer; start it, or unset REDIS_URL to use a local one`);
  }
  const standard = 'redis://127.0.0.1:6379';
  if (await redisAnswers(standard)) return { url: standard, ...none };
  try {
    return await startPrivateRedis();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RedisNotFoundError(
        'No Redis found: set REDIS_URL, install Redis (apt-get install redis-server / brew install redis), or run `docker compose up`',
      );
    }
    throw error;
  }
}
