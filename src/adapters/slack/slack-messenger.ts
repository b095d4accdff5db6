// Messenger over the Slack Web API: post → chat.postMessage, update → chat.update (fresh
// block_ids), postPrivate → chat.postEphemeral, uploadLog → filesUploadV2. Failed calls are
// counted in the chat metrics; errors carry Slack's error code, never the token.
import { webApi } from '@slack/bolt';
import type { ChatUser, MessageRef, Messenger, OutgoingMessage } from '../../core/chat-types.ts';
import { DeploybotError } from '../../core/errors.ts';
import { nativeIdOf } from '../../domain/user-id.ts';
import type { DeploybotMetrics } from '../../notify/metrics.ts';
import { renderSlackMessage } from './render-slack-message.ts';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from './slack-text.ts';

type WebClient = webApi.WebClient;

export class SlackMessenger implements Messenger {
  constructor(
    readonly client: WebClient,
    private readonly metrics?: DeploybotMetrics,
  ) {}

  async post(channel: string, message: OutgoingMessage): Promise<MessageRef> {
    const thread = message.replyTo && message.replyTo.channel === channel ? { thread_ts: message.replyTo.id } : {};
    const result = await this.#call('chat.postMessage', () => this.client.chat.postMessage({ channel, ...renderSlackMessage(message), ...thread }));
    if (!result.ts) throw new DeploybotError('slack_api_error', 'Slack chat.postMessage answered without a message ts');
    return { channel: result.channel ?? channel, id: result.ts };
  }

  async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    await this.#call('chat.update', () => this.client.chat.update({ channel: ref.channel, ts: ref.id, ...renderSlackMessage(message) }));
  }

  async postPrivate(channel: string, user: ChatUser, text: string): Promise<void> {
    await this.#call('chat.postEphemeral', () => this.client.chat.postEphemeral({
      channel,
      user: nativeIdOf(user.id),
      text: truncate(escapeMrkdwn(text), SLACK_LIMITS.sectionText),
    }));
  }

  /** Attaches a full log as a file in the message's thread (e.g. a failed deploy's output). */
  async uploadLog(channel: string, threadTs: string | undefined, filename: string, content: string): Promise<void> {
    const file = { filename, title: filename, content };
    await this.#call('files.uploadV2', () => this.client.filesUploadV2(threadTs
      ? { ...file, channel_id: channel, thread_ts: threadTs }
      : { ...file, channel_id: channel }));
  }

  async #call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.metrics?.chatApiErrors.inc({ platform: 'slack', method });
      throw error;
    }
  }
}

/** Slack's error code for a failed Web API call (`channel_not_found`, `ratelimited`, …), if it is one. */
export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof webApi.WebAPIRateLimitedError) return 'ratelimited';
  if (error instanceof webApi.WebAPIPlatformError) return String(error.data.error);
  return undefined;
}

/** Retry-After of a rejected rate-limited call, in milliseconds (for the throttled editor). */
export function slackRetryAfterMs(error: unknown): number | undefined {
  if (error instanceof webApi.WebAPIRateLimitedError) return error.retryAfter * 1000;
  const coded = error as { code?: unknown; retryAfter?: unknown } | undefined;
  if (coded?.code === webApi.ErrorCode.RateLimitedError && typeof coded.retryAfter === 'number') return coded.retryAfter * 1000;
  return undefined;
}
