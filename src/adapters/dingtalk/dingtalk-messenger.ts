// Messenger for DingTalk. A message goes to its conversation through the latest session
// webhook while it is valid, else through the OpenAPI (group send, or the 1:1 send for a
// robot chat); at most 15 a minute per conversation (docs/reference/chat-limits.md). Robot messages cannot be edited, so
// `update` posts a new message only at a milestone (see `milestoneKey`); an interactive
// card (when a card template is configured and the message has buttons) is edited in place.
// DingTalk has no ephemeral messages: `postPrivate` posts in the conversation mentioning the
// user — by `at` on the session webhook, in words on the OpenAPI group send (which cannot
// mention). When DingTalk throttles, sends to what it throttled wait (the conversation, or
// the whole OpenAPI for QPS and quota answers) and `retryDelay` tells an editor when to try
// a final state again; what it accepted without delivering is logged and counted.
// See docs/dingtalk.md ("When DingTalk says no").
import { randomBytes } from 'node:crypto';
import type { ChatUser, MessageRef, Messenger, OutgoingMessage } from '../../core/chat-types.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Clock } from '../../notify/clock.ts';
import type { DeploybotMetrics } from '../../notify/metrics.ts';
import type { CardButtons } from './card-buttons.ts';
import type { ConversationRateLimiter } from './conversation-rate-limiter.ts';
import type { ConversationRoutes } from './conversation-routes.ts';
import { DingTalkApiError, type DingTalkThrottle } from './dingtalk-api-error.ts';
import type { DingTalkOpenApi, RobotPayload } from './dingtalk-open-api.ts';
import { renderAddressed, renderCardParams, renderMention, renderPlainText, renderRobotMarkdown } from './render-dingtalk-message.ts';

/** How long to send nothing to what DingTalk throttled, per kind of limit. */
export type DingTalkThrottlePauses = Record<DingTalkThrottle, number>;

/** 130101 throttles a robot in a group for 10 minutes; QPS limits last about a second; the monthly quota until DingTalk resets it. */
export const DEFAULT_THROTTLE_PAUSES: DingTalkThrottlePauses = { conversation: 10 * 60_000, user: 60_000, qps: 1000, quota: 60 * 60_000 };

/** The longest an editor waits before trying a throttled final state again (a fresh session webhook may have come in meanwhile). */
const MAX_RETRY_WAIT_MS = 60_000;

/** What to send by each route: the session webhook can mention, the OpenAPI group send cannot. */
export interface RobotPayloads {
  webhook: RobotPayload;
  group: RobotPayload;
  oneToOne: RobotPayload;
}

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
  /** @defaultValue DEFAULT_THROTTLE_PAUSES */
  throttlePauses?: Partial<DingTalkThrottlePauses> | undefined;
}

const REMEMBERED_MESSAGES = 1000;

export function defaultMilestoneKey(message: OutgoingMessage): string {
  return [message.text, ...(message.lines ?? []), ...(message.buttons ?? []).map((b) => b.command)].join('\n').replace(/\d+/g, '#');
}

function everywhere(payload: RobotPayload): RobotPayloads {
  return { webhook: payload, group: payload, oneToOne: payload };
}

export class DingTalkMessenger implements Messenger {
  readonly #lastKeys = new Map<string, string>();
  readonly #milestoneKey: (message: OutgoingMessage) => string;
  readonly #pauses: DingTalkThrottlePauses;
  /** The OpenAPI answered a QPS or quota limit: no OpenAPI send before `until`. */
  #openApiPause: { until: number; code: string } | undefined;

  constructor(private readonly options: DingTalkMessengerOptions) {
    this.#milestoneKey = options.milestoneKey ?? defaultMilestoneKey;
    this.#pauses = { ...DEFAULT_THROTTLE_PAUSES, ...options.throttlePauses };
  }

  async post(channel: string, message: OutgoingMessage): Promise<MessageRef> {
    if (this.options.cardTemplateId && (message.buttons?.length ?? 0) > 0) return this.#postCard(channel, message, this.options.cardTemplateId);
    return this.#postRobotMessage(channel, message);
  }

  async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    if (ref.id.startsWith('card:')) {
      await this.#counted('card update', () => this.options.api.updateCard(ref.id.slice('card:'.length), renderCardParams(message)), ref.channel);
      return;
    }
    const key = this.#milestoneKey(message);
    if (this.#lastKeys.get(ref.id) === key) return;
    await this.send(ref.channel, renderRobotMarkdown(message));
    this.#remember(ref.id, key);
  }

  async postPrivate(channel: string, user: ChatUser, text: string): Promise<void> {
    await this.send(channel, { webhook: renderMention(user, text), group: renderAddressed(user, text), oneToOne: renderPlainText(text) });
  }

  /**
   * For an editor retrying a state that must land: how long to wait after `error`, when it
   * is a throttle (`undefined` for any other error). A throttled conversation is waited
   * for in `send` itself, so only OpenAPI-wide limits wait here.
   */
  retryDelay(error: unknown): number | undefined {
    if (!(error instanceof DingTalkApiError) || !error.throttled) return undefined;
    const throttle = error.throttle!;
    if (throttle === 'conversation' || throttle === 'user') return 0;
    const left = (this.#openApiPause?.until ?? 0) - this.options.clock.now();
    return Math.min(MAX_RETRY_WAIT_MS, Math.max(left, 0));
  }

  /** One robot message to a conversation, by the best route it has. */
  async send(conversationId: string, payload: RobotPayload | RobotPayloads): Promise<void> {
    const payloads = 'msgtype' in payload ? everywhere(payload) : payload;
    await this.options.limiter.acquire(conversationId);
    const route = await this.options.routes.get(conversationId);
    const margin = this.options.webhookMarginMs ?? 60_000;
    if (route?.webhook && (route.webhookExpiresAt ?? 0) - margin > this.options.clock.now()) {
      try {
        await this.#counted('session webhook', () => this.options.api.postToSessionWebhook(route.webhook as string, payloads.webhook), conversationId);
        return;
      } catch (error) {
        if (error instanceof DingTalkApiError && error.throttled) throw error;
        this.options.logger.warn('session webhook failed; sending through the OpenAPI', { conversationId, error: errorMessage(error) });
      }
    }
    this.#checkOpenApiPause();
    if (route?.type === '1' && route.userId) {
      await this.#counted('robot 1:1 send', () => this.options.api.sendToUser(route.userId as string, payloads.oneToOne), conversationId);
      return;
    }
    await this.#counted('robot group send', () => this.options.api.sendToGroup(conversationId, payloads.group), conversationId);
  }

  async #postRobotMessage(channel: string, message: OutgoingMessage): Promise<MessageRef> {
    await this.send(channel, renderRobotMarkdown(message));
    const ref = { channel, id: `msg:${randomBytes(8).toString('hex')}` };
    this.#remember(ref.id, this.#milestoneKey(message));
    return ref;
  }

  async #postCard(channel: string, message: OutgoingMessage, templateId: string): Promise<MessageRef> {
    await this.options.limiter.acquire(channel);
    this.#checkOpenApiPause();
    const outTrackId = `deploybot-${randomBytes(12).toString('hex')}`;
    await this.options.cards.save(outTrackId, { channel, buttons: (message.buttons ?? []).map(({ label, command }) => ({ label, command })) });
    const route = await this.options.routes.get(channel);
    const undelivered = await this.#counted('card create', () => this.options.api.createAndDeliverCard({
      outTrackId,
      templateId,
      params: renderCardParams(message),
      conversationId: channel,
      conversationType: route?.type ?? '2',
      userId: route?.userId,
    }), channel);
    if (undelivered.length === 0) return { channel, id: `card:${outTrackId}` };
    // Nobody sees the card: send the message as a robot message with "reply:" lines instead.
    this.options.metrics?.chatUndelivered.inc({ platform: 'dingtalk', method: 'card deliver', reason: 'card_not_delivered' });
    this.options.logger.warn('interactive card was not delivered; sending it as a robot message with reply lines instead', {
      conversationId: channel,
      outTrackId,
      targets: undelivered.map((space) => `${space.spaceType} ${space.spaceId}: ${space.errorMsg}`),
      hint: 'check that the robot is in this conversation and the card template is linked to the app (docs/dingtalk.md)',
    });
    return this.#postRobotMessage(channel, message);
  }

  /** While the OpenAPI is paused (QPS or quota), fail at once, without a call, as throttled. */
  #checkOpenApiPause(): void {
    const pause = this.#openApiPause;
    if (!pause) return;
    const now = this.options.clock.now();
    if (pause.until <= now) {
      this.#openApiPause = undefined;
      return;
    }
    throw new DingTalkApiError('openapi', 403, pause.code, `not sent: DingTalk asked to wait, for ${Math.ceil((pause.until - now) / 1000)} s more`);
  }

  async #counted<T>(method: string, run: () => Promise<T>, conversationId: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.options.metrics?.chatApiErrors.inc({ platform: 'dingtalk', method });
      if (error instanceof DingTalkApiError) this.#noteFailure(method, error, conversationId);
      throw error;
    }
  }

  #noteFailure(method: string, error: DingTalkApiError, conversationId: string): void {
    const throttle = error.throttle;
    if (throttle) {
      this.options.metrics?.chatRateLimited.inc({ platform: 'dingtalk', method });
      const pauseMs = this.#pauses[throttle];
      if (throttle === 'conversation' || throttle === 'user') {
        this.options.limiter.pause(conversationId, pauseMs).catch((failure: unknown) => this.options.logger.warn('could not share a DingTalk throttle pause', { conversationId, error: errorMessage(failure) }));
      }
      else {
        const until = this.options.clock.now() + pauseMs;
        if ((this.#openApiPause?.until ?? 0) < until) this.#openApiPause = { until, code: error.dingtalkCode };
      }
      this.options.logger.warn('DingTalk throttled deploybot; waiting before sending there again', { method, conversationId, limit: throttle, code: error.dingtalkCode, pauseMs });
      return;
    }
    if (error.failure.kind === 'undelivered') {
      this.options.metrics?.chatUndelivered.inc({ platform: 'dingtalk', method, reason: error.dingtalkCode });
      this.options.logger.warn('DingTalk accepted the message but did not deliver it', { method, conversationId, code: error.dingtalkCode, hint: 'the user left the organisation or cannot see the app' });
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
