// Which rate windows each chat call spends in (docs/reference/chat-limits.md). Slack limits
// per workspace (`chat.update` Tier 3, ~50/min: we keep to 40), per message (1 edit/s) and
// per channel (`chat.postMessage` ~1/s); DingTalk throttles a robot per group (~20/min, then
// 10 min of silence: we keep to 15). Every per-second limit is a sixtieth of the window, so a
// shrunk window (tests) keeps the shape.
import type { Config } from '../../config/load-config.ts';
import type { MessageRef } from '../core/chat-types.ts';
import type { BudgetWindow } from '../domain/chat-window-rule.ts';

export interface ChatLimits {
  /** @defaultValue 60000 */
  windowMs: number;
  /** Slack `chat.update` calls per window per workspace. @defaultValue 40 */
  slackUpdates: number;
  /** Of those, how many only final edits may use. @defaultValue 8 */
  finalReserve: number;
  /** DingTalk messages per window per robot and conversation. @defaultValue 15 */
  dingtalkMessages: number;
}

export const DEFAULT_CHAT_LIMITS: ChatLimits = { windowMs: 60_000, slackUpdates: 40, finalReserve: 8, dingtalkMessages: 15 };

/** `chat.rateLimits` of the config (docs/configuration.md). */
export function chatLimitsOf(config: Config): ChatLimits {
  const { window, slackUpdates, finalReserve, dingtalkMessages } = config.chat.rateLimits;
  return { windowMs: window, slackUpdates, finalReserve, dingtalkMessages };
}

/** One call per this long per message (edits) or channel (posts): 1 s of a minute. */
export function perSecondOf(limits: ChatLimits): number {
  return Math.max(1, Math.round(limits.windowMs / 60));
}

/** The window a Slack 429 on `chat.update` pauses: the workspace's. */
export function slackUpdateKey(scope: string): string {
  return `slack:${scope}:chat.update`;
}

/** The window a Slack 429 on `chat.postMessage` pauses: the channel's. */
export function slackPostKey(scope: string, channel: string): string {
  return `slack:${scope}:chat.postMessage:${channel}`;
}

/** `chat.update` of `ref`: the workspace's window (finals reserved), then the message's 1/s. */
export function slackUpdateWindows(scope: string, limits: ChatLimits, ref: MessageRef): BudgetWindow[] {
  return [
    { key: slackUpdateKey(scope), limit: limits.slackUpdates, windowMs: limits.windowMs, reserve: limits.finalReserve },
    { key: `slack:${scope}:message:${ref.channel}:${ref.id}`, limit: 1, windowMs: perSecondOf(limits) },
  ];
}

/** `chat.postMessage` to `channel`: 1/s. */
export function slackPostWindows(scope: string, limits: ChatLimits, channel: string): BudgetWindow[] {
  return [{ key: slackPostKey(scope, channel), limit: 1, windowMs: perSecondOf(limits) }];
}

/** The window a DingTalk robot message to `conversationId` spends in (and a 130101 throttle pauses). */
export function dingtalkKey(robot: string, conversationId: string): string {
  return `dingtalk:${robot}:conversation:${conversationId}`;
}

export function dingtalkWindows(robot: string, limits: ChatLimits, conversationId: string): BudgetWindow[] {
  return [{ key: dingtalkKey(robot, conversationId), limit: limits.dingtalkMessages, windowMs: limits.windowMs }];
}
