import { findOrStartRedis } from '../../shared/src/redis/local-server';

/** Finds Redis the way the product does (REDIS_URL, else :6379, else a private server) once per jest run. */
export default async function globalSetup(): Promise<void> {
  const redis = await findOrStartRedis(process.env.REDIS_URL || undefined);
  process.env.REDIS_URL = redis.url;
  (globalThis as { __wabRedis?: typeof redis }).__wabRedis = redis;
}
