// `freeze` / `unfreeze` in chat (docs/scheduling.md#freezes): one freeze per market, or one
// for every market (`all`), with a reason, an author and an end; Redis drops it at its end.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.ts';

/** `all` freezes every market. */
export const EVERY_MARKET = 'all';

export interface ChatFreeze {
  /** A market, or `all`. */
  market: string;
  reason: string;
  by: string;
  at: string;
  until: string;
}

export class ChatFreezes {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  /** Sets (or replaces) the freeze of `freeze.market`; it lapses at `until`. */
  async freeze(freeze: ChatFreeze, nowMs: number): Promise<ChatFreeze | undefined> {
    const previous = await this.get(freeze.market);
    const ttl = Math.max(1, Date.parse(freeze.until) - nowMs);
    await this.redis.set(this.keys.chatFreeze(freeze.market), JSON.stringify(freeze), 'PX', ttl);
    return previous;
  }

  async unfreeze(market: string): Promise<ChatFreeze | undefined> {
    const existing = await this.get(market);
    if (existing) await this.redis.del(this.keys.chatFreeze(market));
    return existing;
  }

  async get(market: string): Promise<ChatFreeze | undefined> {
    const text = await this.redis.get(this.keys.chatFreeze(market));
    return text ? (JSON.parse(text) as ChatFreeze) : undefined;
  }

  /** The freezes that apply to `market`: its own and the one of every market. */
  async of(market: string): Promise<ChatFreeze[]> {
    return (await Promise.all([this.get(market), this.get(EVERY_MARKET)])).filter((f): f is ChatFreeze => f !== undefined);
  }
}
