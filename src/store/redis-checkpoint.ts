// The deploy engine's checkpoint in a Redis hash, so a worker that takes over a dead
// worker's deploy resumes from what was finished (docs/reference/deploy-lifecycle.md).
import type { Redis } from 'ioredis';
import type { DeployCheckpoint } from '../deploy/deploy-checkpoint.ts';

export class RedisCheckpoint implements DeployCheckpoint {
  constructor(private readonly redis: Redis, private readonly key: string) {}

  async get(field: string): Promise<unknown | undefined> {
    const text = await this.redis.hget(this.key, field);
    return text === null ? undefined : JSON.parse(text);
  }

  async set(field: string, value: unknown): Promise<void> {
    await this.redis.hset(this.key, field, JSON.stringify(value));
  }
}
