// JSON values in Redis under `<keyPrefix><kind>:<id>`, each expiring after a TTL: what the
// DingTalk adapter keeps for any bot process to find (card buttons, conversation routes).
// A value that is missing or not JSON reads as undefined.
import type { Redis } from 'ioredis';

export class ExpiringJsonKeys<T> {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly kind: string,
    private readonly ttlSeconds: number,
  ) {}

  async set(id: string, value: T): Promise<void> {
    await this.redis.set(this.#key(id), JSON.stringify(value), 'EX', this.ttlSeconds);
  }

  async get(id: string): Promise<T | undefined> {
    const text = await this.redis.get(this.#key(id));
    if (!text) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }

  #key(id: string): string {
    return `${this.keyPrefix}${this.kind}:${id}`;
  }
}
