import type { LocalRedis } from '../../shared/src/redis/local-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __wabRedis?: LocalRedis }).__wabRedis?.stop();
}
