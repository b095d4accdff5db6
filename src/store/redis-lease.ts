// A lease in Redis: one key, owned by one execution (`<deploy id>/<execution>`), alive as long
// as its owner renews it within `ttlMs`. Taking and renewing are one atomic step, so two
// executions never both believe they hold it (docs/operations.md "When a worker dies").
//
// Beside it, `<key>:conn` names the owner's Redis connection (its CLIENT SETNAME, set by
// ioredis on every connect). A process that dies (SIGKILL, OOM) closes its connections at
// once, so another execution may free the lease as soon as Redis no longer lists that
// connection, instead of waiting out the TTL (`freeIfHolderGone`); see docs/operations.md
// "When a worker dies" for why that is safe across a Redis restart.
import type { Redis } from 'ioredis';

const ACQUIRE = `
local owner = redis.call('GET', KEYS[1])
if (not owner) or owner == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2]) else redis.call('DEL', KEYS[2]) end
  return ''
end
return owner`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]) return 1 end
return 0`;

/** Frees the lease whichever execution of the deploy ARGV[1] holds it (`cancel --force`). */
const RELEASE_DEPLOY = `
local owner = redis.call('GET', KEYS[1])
if owner and (owner == ARGV[1] or string.sub(owner, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '/') then redis.call('DEL', KEYS[1], KEYS[2]) return 1 end
return 0`;

/** Frees the lease if it is still held by ARGV[1] on connection ARGV[2] (the one found gone). */
const FREE_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[1], KEYS[2]) return 1 end
return 0`;

/** Where the lease at `key` names its holder's connection. */
export const leaseConnectionKey = (key: string) => `${key}:conn`;

export class RedisLease {
  #connectionName: Promise<string> | undefined;

  constructor(private readonly redis: Redis, readonly ttlMs: number) {}

  /**
   * This connection's name as Redis knows it, or '' — never a name Redis did not take (an ACL
   * that refuses CLIENT SETNAME), or every lease of ours would look abandoned.
   */
  #ownConnection(): Promise<string> {
    const name = this.redis.options.connectionName;
    if (!name) return Promise.resolve('');
    this.#connectionName ??= this.redis.client('GETNAME').then(
      (named) => (named === name ? name : ''),
      () => {
        this.#connectionName = undefined;
        return '';
      },
    );
    return this.#connectionName;
  }

  /** Takes (or renews) the lease at `key` for `owner`; returns undefined, or the owner holding it. */
  async acquire(key: string, owner: string): Promise<string | undefined> {
    const connection = await this.#ownConnection();
    const held = (await this.redis.eval(ACQUIRE, 2, key, leaseConnectionKey(key), owner, String(this.ttlMs), connection)) as string;
    return held === '' ? undefined : held;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 2, key, leaseConnectionKey(key), owner);
  }

  /** Frees `key` if an execution of `deployId` holds it; whether it did. */
  async releaseDeploy(key: string, deployId: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE_DEPLOY, 2, key, leaseConnectionKey(key), deployId)) === 1;
  }

  async holder(key: string): Promise<string | undefined> {
    return (await this.redis.get(key)) ?? undefined;
  }

  /**
   * Frees the lease when its holder's process is gone: Redis has been up for longer than a
   * TTL (so every live holder has reconnected since any restart, and renewed) and lists no
   * connection of the holder's name. Whether it freed it; false whenever in doubt (no
   * connection recorded, CLIENT LIST refused), and the TTL decides as before.
   */
  async freeIfHolderGone(key: string): Promise<boolean> {
    const [holder, connection] = await this.redis.mget(key, leaseConnectionKey(key));
    if (!holder || !connection) return false;
    try {
      const info = await this.redis.info('server');
      const uptimeSeconds = Number(/uptime_in_seconds:(\d+)/.exec(info)?.[1] ?? 0);
      if (uptimeSeconds * 1000 <= this.ttlMs) return false;
      const clients = String(await this.redis.client('LIST'));
      if (clients.includes(` name=${connection} `)) return false;
    } catch {
      return false;
    }
    return (await this.redis.eval(FREE_IF_UNCHANGED, 2, key, leaseConnectionKey(key), holder, connection)) === 1;
  }
}
