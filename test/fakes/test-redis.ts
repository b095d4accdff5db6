// The real Redis for a test file: the one the vitest global setup provides
// (`inject('redisUrl')`), or, when run without it, a throwaway redis-server of its own.
// Keys get a fresh prefix per test file so files sharing one Redis never collide.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { startLocalRedis } from '../../src/services/local-redis.ts';

export interface TestRedis {
  url: string;
  /** A key prefix unique to this test file. */
  prefix: string;
  stop(): Promise<void>;
}

export async function testRedis(): Promise<TestRedis> {
  const prefix = `test-${randomBytes(6).toString('hex')}:`;
  // Typed loosely: the global setup declares `redisUrl` in vitest's ProvidedContext.
  const injected = (inject as unknown as (key: string) => unknown)('redisUrl');
  if (typeof injected === 'string' && injected !== '') return { url: injected, prefix, stop: async () => undefined };
  const local = await startLocalRedis();
  return { url: local.url, prefix, stop: () => local.stop() };
}
