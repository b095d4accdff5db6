// A lease in Redis: one key, owned by one execution (`<deploy id>/<execution>`), alive as long
// as its owner renews it within `ttlMs`. Taking and renewing are one atomic step, so two
// executions never both believe they hold it (docs/operations.md "When a worker dies").
import type { Redis } from 'ioredis';

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

/** Frees the lease whichever execution of the deploy ARGV[1] holds it (`cancel --force`). */
const RELEASE_DEPLOY = `
local owner = redis.call('GET', KEYS[1])
if owner and (owner == ARGV[1] or string.sub(owner, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '/') then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisLease {
  constructor(private readonly redis: Redis, readonly ttlMs: number) {}

  /** Takes (or renews) the lease at `key` for `owner`; returns undefined, or the owner holding it. */
  async acquire(key: string, owner: string): Promise<string | undefined> {
    const held = (await this.redis.eval(ACQUIRE, 1, key, owner, String(this.ttlMs))) as string;
    return held === '' ? undefined : held;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, key, owner);
  }

  /** Frees `key` if an execution of `deployId` holds it; whether it did. */
  async releaseDeploy(key: string, deployId: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE_DEPLOY, 1, key, deployId)) === 1;
  }

  async holder(key: string): Promise<string | undefined> {
    return (await this.redis.get(key)) ?? undefined;
  }
}
