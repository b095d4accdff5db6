// One deploy at a time per (project, location) (SPEC §4). The lock belongs to the running
// deploy: it lives as long as its worker renews it, so a worker that dies frees it within
// `ttlMs` (no stuck locks), and the worker that takes over the same deploy may take it
// back at once because the owner is the deploy id, not the process.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.ts';

const ACQUIRE = `
local owner = redis.call('GET', KEYS[1])
if (not owner) or owner == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ''
end
return owner`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class LocationLock {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys, readonly ttlMs = 10_000) {}

  /** Takes (or renews) the lock for `deployId`; returns undefined, or the deploy holding it. */
  async acquire(project: string, market: string, location: string, deployId: string): Promise<string | undefined> {
    const owner = (await this.redis.eval(ACQUIRE, 1, this.keys.locationLock(project, market, location), deployId, String(this.ttlMs))) as string;
    return owner === '' ? undefined : owner;
  }

  async release(project: string, market: string, location: string, deployId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.locationLock(project, market, location), deployId);
  }

  async holder(project: string, market: string, location: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.locationLock(project, market, location))) ?? undefined;
  }
}
