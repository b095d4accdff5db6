// `lock`/`unlock` (docs/operations.md "Human locks"): a human lock on (project, market) with a
// reason, an author and a time, for ever or until `until` (Redis expires the key then);
// while it is there, side-effecting commands other than recovery verbs are refused with it.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.ts';

export interface HumanLock {
  reason: string;
  by: string;
  at: string;
  /** `lock … --for 2h`: when it lifts by itself (ISO 8601); absent: until unlocked. */
  until?: string;
}

/** Deletes the key only if it still holds the lock that was read (an unlock never lifts a newer lock). */
const DELETE_IF_SAME = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

export class HumanLocks {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  /** Sets the lock unless one is there; returns the lock that is in force afterwards and whether it is ours. */
  async lock(project: string, market: string, lock: HumanLock): Promise<{ lock: HumanLock; created: boolean }> {
    const key = this.keys.humanLock(project, market);
    const text = JSON.stringify(lock);
    const ttlMs = lock.until === undefined ? undefined : Math.max(1, Date.parse(lock.until) - Date.parse(lock.at));
    const created = (ttlMs === undefined ? await this.redis.set(key, text, 'NX') : await this.redis.set(key, text, 'PX', ttlMs, 'NX')) === 'OK';
    if (created) return { lock, created };
    const existing = await this.get(project, market);
    return { lock: existing ?? lock, created: false };
  }

  /**
   * Lifts the lock if `allowed` says so for the lock in force; returns that lock (undefined:
   * none) and whether it was lifted.
   */
  async unlock(project: string, market: string, allowed: (lock: HumanLock) => boolean): Promise<{ lock: HumanLock | undefined; lifted: boolean }> {
    const key = this.keys.humanLock(project, market);
    const text = await this.redis.get(key);
    if (!text) return { lock: undefined, lifted: false };
    const lock = JSON.parse(text) as HumanLock;
    if (!allowed(lock)) return { lock, lifted: false };
    const deleted = await this.redis.eval(DELETE_IF_SAME, 1, key, text);
    return { lock, lifted: deleted === 1 };
  }

  async get(project: string, market: string): Promise<HumanLock | undefined> {
    const text = await this.redis.get(this.keys.humanLock(project, market));
    return text ? (JSON.parse(text) as HumanLock) : undefined;
  }
}
