// How to reach a conversation later (the job layer posts progress long after the command):
// its latest session webhook while valid, else the OpenAPI group send — or, for a robot's
// 1:1 chat, the 1:1 send to its user. Kept in Redis so every bot process and worker knows.
import type { Redis } from 'ioredis';
import { ExpiringJsonKeys } from './expiring-json-keys.ts';

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
  readonly #routes: ExpiringJsonKeys<ConversationRoute>;

  /** `ttlSeconds` @defaultValue 30 days */
  constructor(redis: Redis, keyPrefix: string, ttlSeconds = 30 * 24 * 3600) {
    this.#routes = new ExpiringJsonKeys(redis, keyPrefix, 'conversation', ttlSeconds);
  }

  remember(conversationId: string, route: ConversationRoute): Promise<void> {
    return this.#routes.set(conversationId, route);
  }

  get(conversationId: string): Promise<ConversationRoute | undefined> {
    return this.#routes.get(conversationId);
  }
}
