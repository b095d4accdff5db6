// `lock`/`unlock` (docs/reference/command-grammar.md): a human lock on (project, market) with a reason, an
// author and a time; while it is there, new side-effecting commands are refused with it.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.ts';

export interface HumanLock {
  reason: string;
  by: string;
  at: string;
}

export class HumanLocks {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  /** Sets the lock unless one is there; returns the lock that is in force afterwards and whether it is ours. */
  async lock(project: string, market: string, lock: HumanLock): Promise<{ lock: HumanLock; created: boolean }> {
    const key = this.keys.humanLock(project, market);
    const created = (await this.redis.set(key, JSON.stringify(lock), 'NX')) === 'OK';
    if (created) return { lock, created };
    const existing = await this.get(project, market);
    return { lock: existing ?? lock, created: false };
  }

  async unlock(project: string, market: string): Promise<HumanLock | undefined> {
    const key = this.keys.humanLock(project, market);
    const existing = await this.get(project, market);
    if (existing) await this.redis.del(key);
    return existing;
  }

  async get(project: string, market: string): Promise<HumanLock | undefined> {
    const text = await this.redis.get(this.keys.humanLock(project, market));
    return text ? (JSON.parse(text) as HumanLock) : undefined;
  }
}
