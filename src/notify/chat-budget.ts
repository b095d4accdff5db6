// The chat budget every sender spends before a platform call (docs/reference/chat-limits.md):
// one interface, kept in memory for the console and tests (memory-chat-budget.ts) or in
// Redis, shared by every process (src/store/redis-chat-budget.ts).
import { randomUUID } from 'node:crypto';
import type { BudgetWindow, Urgency } from '../domain/chat-window-rule.ts';
import { type Clock, sleepOn } from './clock.ts';

export type { BudgetWindow, Urgency } from '../domain/chat-window-rule.ts';

export interface ChatBudget {
  /**
   * Spends one call in every window when all have room for `urgency` and answers 0; else
   * spends nothing and answers the milliseconds to wait before asking again. A refused final
   * is remembered as waiting (under `requestId`, until it asks again or its wait is long past),
   * so progress in its windows waits behind it. `requestId` names one call, the same on every ask.
   */
  tryAcquire(windows: readonly BudgetWindow[], urgency: Urgency, requestId: string): Promise<number>;
  /** The platform said "not before `ms` from now" for what `key` limits: nothing is granted there until then. */
  pause(key: string, ms: number): Promise<void>;
}

/** Resolves once one call of `urgency` has been granted in every window (waiting as long as it takes). */
export async function acquireBudget(budget: ChatBudget, windows: readonly BudgetWindow[], urgency: Urgency, clock: Clock): Promise<void> {
  const requestId = randomUUID();
  for (;;) {
    const wait = await budget.tryAcquire(windows, urgency, requestId);
    if (wait === 0) return;
    await sleepOn(clock, wait);
  }
}
