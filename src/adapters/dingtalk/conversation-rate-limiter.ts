// DingTalk throttles a robot that sends more than ~20 messages a minute to one group (for
// 10 minutes, errcode 130101). Each robot and conversation gets its own window in the chat
// budget — by default 15 a minute, shared by every process when the budget is Redis'
// (docs/reference/chat-limits.md); a send waits for a free slot instead of being refused, and
// a throttle DingTalk answered pauses that conversation for every process.
import { acquireBudget, type ChatBudget } from '../../notify/chat-budget.ts';
import { type ChatLimits, DEFAULT_CHAT_LIMITS, dingtalkKey, dingtalkWindows } from '../../notify/chat-limits.ts';
import type { Clock } from '../../notify/clock.ts';
import { systemClock } from '../../notify/clock.ts';
import { MemoryChatBudget } from '../../notify/memory-chat-budget.ts';

export interface ConversationRateLimiterOptions {
  /** Names the robot in budget keys (its robotCode, else the app's client id — never a secret). */
  robot: string;
  /** @defaultValue a MemoryChatBudget of its own */
  budget?: ChatBudget;
  /** @defaultValue DEFAULT_CHAT_LIMITS (15 per 60 s) */
  limits?: Pick<ChatLimits, 'windowMs' | 'dingtalkMessages'>;
  clock?: Clock;
}

export class ConversationRateLimiter {
  readonly #robot: string;
  readonly #budget: ChatBudget;
  readonly #limits: ChatLimits;
  readonly #clock: Clock;

  constructor(options: ConversationRateLimiterOptions) {
    this.#robot = options.robot;
    this.#clock = options.clock ?? systemClock;
    this.#budget = options.budget ?? new MemoryChatBudget({ clock: this.#clock });
    this.#limits = { ...DEFAULT_CHAT_LIMITS, ...options.limits };
  }

  /** Resolves when a message may be sent to `conversationId`, and counts it. */
  async acquire(conversationId: string): Promise<void> {
    await acquireBudget(this.#budget, dingtalkWindows(this.#robot, this.#limits, conversationId), 'final', this.#clock);
  }

  /** DingTalk said this conversation is throttled: send nothing there for `ms` (from any process sharing the budget). */
  pause(conversationId: string, ms: number): Promise<void> {
    return this.#budget.pause(dingtalkKey(this.#robot, conversationId), ms);
  }
}
