// The ReplayGuard on Redis: `SET key 1 NX EX ttl` (one atomic claim, whichever process asks).
import type { Redis } from 'ioredis';
import type { ReplayGuard } from '../core/replay-guard.ts';
import type { RedisKeys } from './redis-keys.ts';

export class RedisReplayGuard implements ReplayGuard {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  async claim(scope: string, id: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(this.keys.seen(scope, id), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async release(scope: string, id: string): Promise<void> {
    await this.redis.del(this.keys.seen(scope, id));
  }
}
