// Messenger over the Slack Web API: post → chat.postMessage, update → chat.update (fresh
// block_ids), postPrivate → chat.postEphemeral, uploadLog → filesUploadV2. Failed calls are
// counted in the chat metrics; errors carry Slack's error code, never the token. With a call
// budget, posts and updates are calls that must land (docs/reference/chat-limits.md): each
// waits for its channel's / workspace's budget and, answered 429, pauses that window for
// every process sharing the budget and tries again after Retry-After — never dropped.
import { webApi } from '@slack/bolt';
import type { ChatUser, MessageRef, Messenger, OutgoingMessage } from '../../core/chat-types.ts';
import { DeploybotError } from '../../core/errors.ts';
import { nativeIdOf } from '../../domain/user-id.ts';
import { type BudgetWindow, type ChatBudget, spendOn } from '../../notify/chat-budget.ts';
import { type ChatLimits, slackPostWindows, slackUpdateWindows } from '../../notify/chat-limits.ts';
import type { Clock } from '../../notify/clock.ts';
import type { DeploybotMetrics } from '../../notify/metrics.ts';
import { renderSlackMessage } from './render-slack-message.ts';
import { escapeMrkdwn, SLACK_LIMITS, truncate } from './slack-text.ts';

type WebClient = webApi.WebClient;

/** Posts and updates that wait for the chat budget and live through 429s. */
export interface SlackCallBudget {
  /** A client that rejects on 429 (`rejectRateLimitedCalls`), so a rate limit pauses one window, not a whole client queue. */
  client: WebClient;
  budget: ChatBudget;
  limits: ChatLimits;
  /** Names the workspace in budget keys (its team id, else a short hash of the token). */
  scope: () => string;
  clock: Clock;
}

export class SlackMessenger implements Messenger {
  constructor(
    readonly client: WebClient,
    private readonly metrics?: DeploybotMetrics,
    private readonly callBudget?: SlackCallBudget,
  ) {}

  async post(channel: string, message: OutgoingMessage): Promise<MessageRef> {
    const thread = message.replyTo && message.replyTo.channel === channel ? { thread_ts: message.replyTo.id } : {};
    const budgeted = this.callBudget;
    const result = await this.#call('chat.postMessage', budgeted
      ? () => this.#mustLand(budgeted, slackPostWindows(budgeted.scope(), budgeted.limits, channel), () => budgeted.client.chat.postMessage({ channel, ...renderSlackMessage(message), ...thread }))
      : () => this.client.chat.postMessage({ channel, ...renderSlackMessage(message), ...thread }));
    if (!result.ts) throw new DeploybotError('slack_api_error', 'Slack chat.postMessage answered without a message ts');
    return { channel: result.channel ?? channel, id: result.ts };
  }

  async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    const budgeted = this.callBudget;
    await this.#call('chat.update', budgeted
      ? () => this.#mustLand(budgeted, slackUpdateWindows(budgeted.scope(), budgeted.limits, ref), () => budgeted.client.chat.update({ channel: ref.channel, ts: ref.id, ...renderSlackMessage(message) }))
      : () => this.client.chat.update({ channel: ref.channel, ts: ref.id, ...renderSlackMessage(message) }));
  }

  /** Waits for `windows` (as a final), calls; on a 429 pauses the first window for Retry-After and goes again. */
  async #mustLand<T>(budgeted: SlackCallBudget, windows: readonly BudgetWindow[], run: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await spendOn(budgeted.budget, windows, 'final', budgeted.clock, run);
      } catch (error) {
        const retryAfterMs = slackRetryAfterMs(error);
        if (retryAfterMs === undefined) throw error;
        if (windows[0]) await budgeted.budget.pause(windows[0].key, retryAfterMs);
      }
    }
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
