// How to reach a conversation later (the job layer posts progress long after the command):
// its latest session webhook while valid, else the OpenAPI group send — or, for a robot's
// 1:1 chat, the 1:1 send to its user. Kept in Redis so every bot process and worker knows.
import type { Redis } from 'ioredis';

export interface ConversationRoute {
  /** '1' one-to-one with the robot, '2' group. */
  type: string;
  /** The user of a 1:1 conversation. */
  userId?: string | undefined;
  webhook?: string | undefined;
  /** Milliseconds since the epoch. */
  webhookExpiresAt?: number | undefined;
}

export class ConversationRoutes {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    /** @defaultValue 30 days */
    private readonly ttlSeconds = 30 * 24 * 3600,
  ) {}

  async remember(conversationId: string, route: ConversationRoute): Promise<void> {
    await this.redis.set(this.#key(conversationId), JSON.stringify(route), 'EX', this.ttlSeconds);
  }

  async get(conversationId: string): Promise<ConversationRoute | undefined> {
    const text = await this.redis.get(this.#key(conversationId));
    if (!text) return undefined;
    try {
      return JSON.parse(text) as ConversationRoute;
    } catch {
      return undefined;
    }
  }

  #key(conversationId: string): string {
    return `${this.keyPrefix}conversation:${conversationId}`;
  }
}
