// The prepare phase's lease, one per deploy: a job BullMQ re-delivers while the first
// execution still runs (its event loop stalled past the job lock) finds it held and waits,
// so a deploy is never resolved, built or carded twice at once.
import type { Redis } from 'ioredis';
import { RedisLease } from './redis-lease.ts';
import type { RedisKeys } from './redis-keys.ts';

export class PrepareLease {
  readonly #lease: RedisLease;

  constructor(redis: Redis, private readonly keys: RedisKeys, readonly ttlMs: number) {
    this.#lease = new RedisLease(redis, ttlMs);
  }

  /** Takes (or renews) the lease for `execution` (`<deploy id>/<uuid>`); undefined, or the execution holding it. */
  acquire(deployId: string, execution: string): Promise<string | undefined> {
    return this.#lease.acquire(this.keys.prepareLease(deployId), execution);
  }

  release(deployId: string, execution: string): Promise<void> {
    return this.#lease.release(this.keys.prepareLease(deployId), execution);
  }

  releaseDeploy(deployId: string): Promise<boolean> {
    return this.#lease.releaseDeploy(this.keys.prepareLease(deployId), deployId);
  }

  /** Frees the lease if the process holding it is gone (redis-lease.ts); whether it did. */
  freeIfHolderGone(deployId: string): Promise<boolean> {
    return this.#lease.freeIfHolderGone(this.keys.prepareLease(deployId));
  }

  holder(deployId: string): Promise<string | undefined> {
    return this.#lease.holder(this.keys.prepareLease(deployId));
  }
}
