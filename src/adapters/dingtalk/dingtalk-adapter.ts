// The DingTalk ChatAdapter on dingtalk-stream (Stream mode: no public URL). Robot messages
// (TOPIC_ROBOT) become commands typed by `senderStaffId` in `conversationId`; interactive
// card clicks (TOPIC_CARD) run the clicked button's command as the clicking user. Every push
// is acked; a redelivered push (same msgId) runs nothing twice, across all bot processes
// sharing Redis.
import type { DWClientDownStream } from 'dingtalk-stream';
import { TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import type { Redis } from 'ioredis';
import { dispatchCommand } from '../../core/dispatch-command.ts';
import type { ChatAdapter, ChatHandler, ChatUser, IncomingCommand, OutgoingMessage } from '../../core/chat-types.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Secret } from '../../core/secret.ts';
import { qualifyUserId } from '../../domain/user-id.ts';
import type { ChatBudget } from '../../notify/chat-budget.ts';
import type { ChatLimits } from '../../notify/chat-limits.ts';
import { type Clock, systemClock } from '../../notify/clock.ts';
import type { MessageEditor } from '../../notify/message-editor.ts';
import type { DeploybotMetrics } from '../../notify/metrics.ts';
import { ThrottledEditor } from '../../notify/throttled-editor.ts';
import { CardButtons, resolveCardCommand } from './card-buttons.ts';
import { claimOnce } from './claim-once.ts';
import { ConversationRateLimiter } from './conversation-rate-limiter.ts';
import { ConversationRoutes } from './conversation-routes.ts';
import { DingTalkMessenger, type DingTalkThrottlePauses } from './dingtalk-messenger.ts';
import { DingTalkOpenApi } from './dingtalk-open-api.ts';
import { DingTalkStreamClient } from './dingtalk-stream-client.ts';
import type { ReconnectBackoff } from '../../domain/reconnect-delay.ts';
import { renderMention } from './render-dingtalk-message.ts';
import { commandTextOf, parseRobotMessage } from './robot-message.ts';

export interface DingTalkAdapterOptions {
  /** `DINGTALK_CLIENT_ID` (the app key). */
  clientId: string;
  /** `DINGTALK_CLIENT_SECRET`. */
  clientSecret: Secret;
  /** config.chat.dingtalk.robotCode. @defaultValue clientId */
  robotCode?: string | undefined;
  /** config.chat.dingtalk.cardTemplateId: buttons become an interactive card. Without it, reply lines. */
  cardTemplateId?: string | undefined;
  /** Redelivery dedupe, conversation routes and card buttons live here. */
  redis: Redis;
  logger: Logger;
  metrics?: DeploybotMetrics | undefined;
  /** The Stream gateway's connections/open URL. @defaultValue https://api.dingtalk.com/v1.0/gateway/connections/open */
  gatewayUrl?: string | undefined;
  /** The OpenAPI base. @defaultValue https://api.dingtalk.com */
  openApiUrl?: string | undefined;
  /** @defaultValue 'deploybot:dingtalk:' */
  keyPrefix?: string;
  /** How long a handled msgId is remembered. @defaultValue 86400 (a day) */
  dedupeTtlSeconds?: number;
  /** Where robot messages spend (docs/reference/chat-limits.md); give every process the Redis one. @defaultValue a MemoryChatBudget of its own */
  budget?: ChatBudget | undefined;
  /** config.chat.rateLimits: robot messages per window per conversation. @defaultValue 15 per 60 s */
  chatLimits?: ChatLimits | undefined;
  /** Waits between failed stream connection attempts. @defaultValue 1 s doubling up to 60 s, with jitter */
  reconnectBackoff?: ReconnectBackoff | undefined;
  /** How long to send nothing to what DingTalk throttled. @defaultValue DEFAULT_THROTTLE_PAUSES */
  throttlePauses?: Partial<DingTalkThrottlePauses> | undefined;
  /** See DingTalkMessenger: when an `update` of a robot message is worth a new message. */
  milestoneKey?: ((message: OutgoingMessage) => string) | undefined;
  clock?: Clock;
}

export class DingTalkAdapter implements ChatAdapter {
  readonly platform = 'dingtalk' as const;
  readonly messenger: DingTalkMessenger;
  readonly client: DingTalkStreamClient;
  readonly #logger: Logger;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #dedupeTtl: number;
  readonly #routes: ConversationRoutes;
  readonly #cards: CardButtons;
  readonly #api: DingTalkOpenApi;
  #handler: ChatHandler | undefined;

  constructor(options: DingTalkAdapterOptions) {
    this.#logger = options.logger.child({ adapter: 'dingtalk' });
    this.#redis = options.redis;
    this.#prefix = options.keyPrefix ?? 'deploybot:dingtalk:';
    this.#dedupeTtl = options.dedupeTtlSeconds ?? 86_400;
    const clock = options.clock ?? systemClock;
    this.#routes = new ConversationRoutes(options.redis, this.#prefix);
    this.#cards = new CardButtons(options.redis, this.#prefix);
    const api = this.#api = new DingTalkOpenApi({ baseUrl: options.openApiUrl, clientId: options.clientId, clientSecret: options.clientSecret, robotCode: options.robotCode, clock });
    this.messenger = new DingTalkMessenger({
      api,
      routes: this.#routes,
      cards: this.#cards,
      limiter: new ConversationRateLimiter({ robot: options.robotCode ?? options.clientId, clock, ...(options.budget ? { budget: options.budget } : {}), ...(options.chatLimits ? { limits: options.chatLimits } : {}) }),
      clock,
      logger: this.#logger,
      metrics: options.metrics,
      cardTemplateId: options.cardTemplateId,
      milestoneKey: options.milestoneKey,
      throttlePauses: options.throttlePauses,
    });
    let lastConnectError = '';
    this.client = new DingTalkStreamClient({
      clientId: options.clientId,
      clientSecret: options.clientSecret.reveal(),
      gatewayUrl: options.gatewayUrl,
      backoff: options.reconnectBackoff,
      onConnectError: (error, retryInMs) => {
        if (error.message === lastConnectError) return; // say each distinct failure once, not every retry
        lastConnectError = error.message;
        this.#logger.warn('cannot open the dingtalk stream; retrying with back-off', { error: error.message, retryInMs, hint: 'check DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET and that the app receives robot messages in Stream mode' });
      },
      onDisconnect: (retryInMs) => {
        lastConnectError = '';
        this.#logger.warn('dingtalk stream connection closed; reconnecting', { retryInMs });
      },
    });
    this.client.registerCallbackListener(TOPIC_ROBOT, (frame) => this.#onFrame('robot', frame, () => this.#onRobotMessage(frame)));
    this.client.registerCallbackListener(TOPIC_CARD, (frame) => this.#onFrame('card', frame, () => this.#onCardCallback(frame)));
  }

  /** Connects the stream. If the gateway cannot be reached yet, the client keeps retrying with back-off. */
  async start(handler: ChatHandler): Promise<void> {
    this.#handler = handler;
    await this.client.connect();
    if (this.client.connected) this.#logger.info('dingtalk stream connected');
    else this.#logger.warn('dingtalk stream is not connected yet; retrying in the background');
  }

  /**
   * The notifier's editor for DingTalk messages: at most one edit a second per message, and a
   * final state retried through DingTalk's throttles for as long as they last (never given up
   * on for a throttle), other errors a few times.
   */
  createProgressEditor(): MessageEditor {
    return new ThrottledEditor<OutgoingMessage>({
      send: (ref, message) => this.messenger.update(ref, message),
      rateLimitDelay: (error) => this.messenger.retryDelay(error),
      logger: this.#logger,
    });
  }

  async stop(): Promise<void> {
    this.#handler = undefined;
    await this.client.close();
  }

  #onFrame(kind: string, frame: DWClientDownStream, handle: () => Promise<void>): void {
    handle().catch((error: unknown) => {
      this.#logger.error(`dingtalk ${kind} push failed`, { messageId: frame.headers.messageId, error: errorMessage(error) });
    });
  }

  async #onRobotMessage(frame: DWClientDownStream): Promise<void> {
    const message = parseRobotMessage(frame.data);
    if (!message) {
      this.#ack(frame, 'OK');
      this.#logger.warn('dingtalk robot push without msgId, conversationId or senderStaffId; ignored', { messageId: frame.headers.messageId });
      return;
    }
    const user: ChatUser = { id: qualifyUserId('dingtalk', message.senderStaffId), ...(message.senderNick ? { name: message.senderNick } : {}) };
    let first: boolean;
    try {
      first = await claimOnce(this.#redis, `${this.#prefix}msg:${message.msgId}`, this.#dedupeTtl);
    } catch (error) {
      this.#ack(frame, 'OK');
      this.#logger.error('cannot check dingtalk redelivery in Redis; the message was not run', { msgId: message.msgId, error: errorMessage(error) });
      // Straight to the message's webhook: the usual route lookup needs Redis too.
      if (message.sessionWebhook) {
        const notice = renderMention(user, 'deploybot cannot take commands right now (its state store is unreachable); nothing was run — please send it again in a minute.');
        await this.#api.postToSessionWebhook(message.sessionWebhook, notice).catch(() => undefined);
      }
      return;
    }
    this.#ack(frame, 'OK');
    if (!first) {
      this.#logger.info('dingtalk message redelivered; already handled', { msgId: message.msgId });
      return;
    }
    await this.#routes.remember(message.conversationId, {
      type: message.conversationType,
      userId: message.conversationType === '1' ? message.senderStaffId : undefined,
      webhook: message.sessionWebhook,
      webhookExpiresAt: message.sessionWebhookExpiredTime,
    });
    if (message.msgtype !== 'text') {
      await this.messenger.postPrivate(message.conversationId, user, 'deploybot reads text commands only; type `help` to see them.');
      return;
    }
    await this.#dispatch(commandTextOf(message.content), user, message.conversationId);
  }

  async #onCardCallback(frame: DWClientDownStream): Promise<void> {
    this.#ack(frame, {});
    const data = safeParse(frame.data);
    const outTrackId = typeof data.outTrackId === 'string' ? data.outTrackId : undefined;
    const userId = typeof data.userId === 'string' ? data.userId : undefined;
    if (!outTrackId || !userId) {
      this.#logger.warn('dingtalk card callback without outTrackId or userId; ignored', { messageId: frame.headers.messageId });
      return;
    }
    if (!(await claimOnce(this.#redis, `${this.#prefix}card-click:${frame.headers.messageId}`, this.#dedupeTtl))) {
      this.#logger.info('dingtalk card callback redelivered; already handled', { messageId: frame.headers.messageId });
      return;
    }
    const card = await this.#cards.load(outTrackId);
    if (!card) {
      this.#logger.warn('click on an unknown or expired deploybot card; ignored', { outTrackId, userId });
      return;
    }
    const content = typeof data.content === 'string' ? safeParse(data.content) : {};
    const params = ((content.cardPrivateData as { params?: unknown } | undefined)?.params ?? {}) as Record<string, unknown>;
    const command = resolveCardCommand(card, params);
    if (!command) {
      this.#logger.warn('card click names no button of the card; ignored', { outTrackId, userId, params: Object.keys(params) });
      await this.messenger.postPrivate(card.channel, { id: qualifyUserId('dingtalk', userId) }, 'that button is not one deploybot offered on this card; nothing was run.');
      return;
    }
    await this.#dispatch(command, { id: qualifyUserId('dingtalk', userId) }, card.channel);
  }

  async #dispatch(text: string, user: ChatUser, channel: string): Promise<void> {
    const handler = this.#handler;
    const replyPrivately = (message: string) => this.messenger.postPrivate(channel, user, message);
    if (!handler) return;
    const incoming: IncomingCommand = {
      text,
      user,
      channel,
      platform: 'dingtalk',
      reply: (message) => this.messenger.post(channel, message),
      replyPrivately,
      track: () => undefined,
    };
    await dispatchCommand(handler, incoming, this.#logger);
  }

  #ack(frame: DWClientDownStream, result: unknown): void {
    try {
      this.client.socketCallBackResponse(frame.headers.messageId, result);
    } catch (error) {
      this.#logger.warn('could not ack a dingtalk push', { messageId: frame.headers.messageId, error: errorMessage(error) });
    }
  }
}

function safeParse(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
