// One deploy at a time per (project, location) (docs/reference/deploy-lifecycle.md). The lock belongs to the running
// deploy: it lives as long as its worker renews it, so a worker that dies frees it within
// `ttlMs` (no stuck locks), and the worker that takes over the same deploy may take it
// back at once because the owner is the deploy id, not the process.
import type { Redis } from 'ioredis';
import { RedisLease } from './redis-lease.ts';
import type { RedisKeys } from './redis-keys.ts';

export class LocationLock {
  readonly #lease: RedisLease;

  constructor(redis: Redis, private readonly keys: RedisKeys, readonly ttlMs = 10_000) {
    this.#lease = new RedisLease(redis, ttlMs);
  }

  /** Takes (or renews) the lock for `deployId`; returns undefined, or the deploy holding it. */
  async acquire(project: string, market: string, location: string, deployId: string): Promise<string | undefined> {
    return this.#lease.acquire(this.keys.locationLock(project, market, location), deployId);
  }

  async release(project: string, market: string, location: string, deployId: string): Promise<void> {
    await this.#lease.release(this.keys.locationLock(project, market, location), deployId);
  }

  /** Frees the lock if any execution of `deployId` holds it (`cancel --force`). */
  async releaseDeploy(project: string, market: string, location: string, deployId: string): Promise<boolean> {
    return this.#lease.releaseDeploy(this.keys.locationLock(project, market, location), deployId);
  }

  /** Frees the lock if the process holding it is gone (redis-lease.ts); whether it did. */
  async freeIfHolderGone(project: string, market: string, location: string): Promise<boolean> {
    return this.#lease.freeIfHolderGone(this.keys.locationLock(project, market, location));
  }

  async holder(project: string, market: string, location: string): Promise<string | undefined> {
    return this.#lease.holder(this.keys.locationLock(project, market, location));
  }
}
