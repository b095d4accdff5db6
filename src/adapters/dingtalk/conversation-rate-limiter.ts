// DingTalk throttles a robot that sends more than ~20 messages a minute to one group (for
// 10 minutes, errcode 130101). Each conversation gets its own sliding window; a send waits
// for a free slot instead of being refused.
import type { Clock } from '../../notify/clock.ts';
import { sleepOn, systemClock } from '../../notify/clock.ts';
import { SlidingWindowBudget } from '../../notify/sliding-window-budget.ts';

export class ConversationRateLimiter {
  readonly #budgets = new Map<string, SlidingWindowBudget>();

  constructor(
    /** @defaultValue 20 */
    private readonly perMinute = 20,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Resolves when a message may be sent to `conversationId`, and counts it. */
  async acquire(conversationId: string): Promise<void> {
    const budget = this.#budget(conversationId);
    for (;;) {
      const delay = budget.delay();
      if (delay === 0) {
        budget.spend();
        return;
      }
      await sleepOn(this.clock, delay);
    }
  }

  /** DingTalk said this conversation is throttled: send nothing there for `ms`. */
  pause(conversationId: string, ms: number): void {
    this.#budget(conversationId).pauseFor(ms);
  }

  #budget(conversationId: string): SlidingWindowBudget {
    let budget = this.#budgets.get(conversationId);
    if (!budget) {
      budget = new SlidingWindowBudget({ limit: this.perMinute, windowMs: 60_000, clock: this.clock });
      this.#budgets.set(conversationId, budget);
    }
    return budget;
  }
}
