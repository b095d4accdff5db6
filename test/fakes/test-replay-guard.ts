// A real ReplayGuard for adapter and HTTP tests: Redis (the run's shared one) under a key
// prefix of its own, so tests never see each other's claims.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '../../src/store/redis-keys.ts';
import { RedisReplayGuard } from '../../src/store/redis-replay-guard.ts';
import { testRedis } from './test-redis.ts';

export interface TestReplayGuard {
  guard: RedisReplayGuard;
  redis: Redis;
  keys: RedisKeys;
  /** Every claim this guard holds (`<prefix>:seen:<scope>:<id>` keys). */
  claims(): Promise<string[]>;
  close(): Promise<void>;
}

export async function testReplayGuard(): Promise<TestReplayGuard> {
  const server = await testRedis();
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  const keys = new RedisKeys(`replay-${randomBytes(6).toString('hex')}`);
  return {
    guard: new RedisReplayGuard(redis, keys),
    redis,
    keys,
    claims: () => redis.keys(`${keys.prefix}:seen:*`),
    async close() {
      redis.disconnect();
      await server.stop();
    },
  };
}
