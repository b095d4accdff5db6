// Messenger for DingTalk. A message goes to its conversation through the latest session
// webhook while it is valid, else through the OpenAPI (group send, or the 1:1 send for a
// robot chat); at most ~20 a minute per conversation. Robot messages cannot be edited, so
// `update` posts a new message only at a milestone (see `milestoneKey`); an interactive
// card (when a card template is configured and the message has buttons) is edited in place.
// DingTalk has no ephemeral messages: `postPrivate` posts in the conversation mentioning the user.
import { randomBytes } from 'node:crypto';
import type { ChatUser, MessageRef, Messenger, OutgoingMessage } from '../../core/chat-types.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Clock } from '../../notify/clock.ts';
import type { DeploybotMetrics } from '../../notify/metrics.ts';
import type { CardButtons } from './card-buttons.ts';
import type { ConversationRateLimiter } from './conversation-rate-limiter.ts';
import type { ConversationRoutes } from './conversation-routes.ts';
import { DingTalkApiError, type DingTalkOpenApi, type RobotPayload } from './dingtalk-open-api.ts';
import { renderCardParams, renderMention, renderRobotMarkdown } from './render-dingtalk-message.ts';

export interface DingTalkMessengerOptions {
  api: DingTalkOpenApi;
  routes: ConversationRoutes;
  cards: CardButtons;
  limiter: ConversationRateLimiter;
  clock: Clock;
  logger: Logger;
  metrics?: DeploybotMetrics | undefined;
  cardTemplateId?: string | undefined;
  /**
   * THE NOTIFIER HOOK. `update` of a robot message posts a new message only when this key
   * differs from the one last posted for that message. @defaultValue the text, lines and
   * buttons with every number blanked — so a step flipping ⏳ → ✅ is a milestone, a host
   * count or an elapsed time ticking up is not.
   */
  milestoneKey?: ((message: OutgoingMessage) => string) | undefined;
  /** A session webhook this close to expiry is not used. @defaultValue 60000 */
  webhookMarginMs?: number;
}

const THROTTLED_PAUSE_MS = 10 * 60_000;
const REMEMBERED_MESSAGES = 1000;

export function defaultMilestoneKey(message: OutgoingMessage): string {
  return [message.text, ...(message.lines ?? []), ...(message.buttons ?? []).map((b) => b.command)].join('\n').replace(/\d+/g, '#');
}

export class DingTalkMessenger implements Messenger {
  readonly #lastKeys = new Map<string, string>();
  readonly #milestoneKey: (message: OutgoingMessage) => string;

  constructor(private readonly options: DingTalkMessengerOptions) {
    this.#milestoneKey = options.milestoneKey ?? defaultMilestoneKey;
  }

  async post(channel: string, message: OutgoingMessage): Promise<MessageRef> {
    if (this.options.cardTemplateId && (message.buttons?.length ?? 0) > 0) return this.#postCard(channel, message, this.options.cardTemplateId);
    await this.send(channel, renderRobotMarkdown(message));
    const ref = { channel, id: `msg:${randomBytes(8).toString('hex')}` };
    this.#remember(ref.id, this.#milestoneKey(message));
    return ref;
  }

  async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    if (ref.id.startsWith('card:')) {
      await this.#counted('card update', () => this.options.api.updateCard(ref.id.slice('card:'.length), renderCardParams(message)));
      return;
    }
    const key = this.#milestoneKey(message);
    if (this.#lastKeys.get(ref.id) === key) return;
    await this.send(ref.channel, renderRobotMarkdown(message));
    this.#remember(ref.id, key);
  }

  async postPrivate(channel: string, user: ChatUser, text: string): Promise<void> {
    await this.send(channel, renderMention(user, text));
  }

  /** One robot message to a conversation, by the best route it has. */
  async send(conversationId: string, payload: RobotPayload): Promise<void> {
    await this.options.limiter.acquire(conversationId);
    const route = await this.options.routes.get(conversationId);
    const margin = this.options.webhookMarginMs ?? 60_000;
    if (route?.webhook && (route.webhookExpiresAt ?? 0) - margin > this.options.clock.now()) {
      try {
        await this.#counted('session webhook', () => this.options.api.postToSessionWebhook(route.webhook as string, payload), conversationId);
        return;
      } catch (error) {
        if (error instanceof DingTalkApiError && error.throttled) throw error;
        this.options.logger.warn('session webhook failed; sending through the OpenAPI', { conversationId, error: errorMessage(error) });
      }
    }
    if (route?.type === '1' && route.userId) {
      await this.#counted('robot 1:1 send', () => this.options.api.sendToUser(route.userId as string, payload), conversationId);
      return;
    }
    await this.#counted('robot group send', () => this.options.api.sendToGroup(conversationId, payload), conversationId);
  }

  async #postCard(channel: string, message: OutgoingMessage, templateId: string): Promise<MessageRef> {
    await this.options.limiter.acquire(channel);
    const outTrackId = `deploybot-${randomBytes(12).toString('hex')}`;
    await this.options.cards.save(outTrackId, { channel, buttons: (message.buttons ?? []).map(({ label, command }) => ({ label, command })) });
    const route = await this.options.routes.get(channel);
    await this.#counted('card create', () => this.options.api.createAndDeliverCard({
      outTrackId,
      templateId,
      params: renderCardParams(message),
      conversationId: channel,
      conversationType: route?.type ?? '2',
      userId: route?.userId,
    }), channel);
    return { channel, id: `card:${outTrackId}` };
  }

  async #counted<T>(method: string, run: () => Promise<T>, conversationId?: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.options.metrics?.chatApiErrors.inc({ platform: 'dingtalk', method });
      if (error instanceof DingTalkApiError && error.throttled) {
        this.options.metrics?.chatRateLimited.inc({ platform: 'dingtalk', method });
        if (conversationId) this.options.limiter.pause(conversationId, THROTTLED_PAUSE_MS);
      }
      throw error;
    }
  }

  #remember(id: string, key: string): void {
    this.#lastKeys.set(id, key);
    if (this.#lastKeys.size > REMEMBERED_MESSAGES) {
      const oldest = this.#lastKeys.keys().next().value;
      if (oldest !== undefined) this.#lastKeys.delete(oldest);
    }
  }
}
