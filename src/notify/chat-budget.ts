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
  /**
   * The granted call `requestId` has been answered (or failed): its grant now counts from
   * this moment, so the next call in its windows reaches the platform a window after this
   * one did, however long it took to send.
   */
  landed(windows: readonly BudgetWindow[], requestId: string): Promise<void>;
  /** The platform said "not before `ms` from now" for what `key` limits: nothing is granted there until then. */
  pause(key: string, ms: number): Promise<void>;
}

/** Resolves once one call of `urgency` has been granted in every window (waiting as long as it takes), with the grant's request id. */
export async function acquireBudget(budget: ChatBudget, windows: readonly BudgetWindow[], urgency: Urgency, clock: Clock): Promise<string> {
  const requestId = randomUUID();
  for (;;) {
    const wait = await budget.tryAcquire(windows, urgency, requestId);
    if (wait === 0) return requestId;
    await sleepOn(clock, wait);
  }
}

/** Waits for the budget, makes the call, and tells the budget when it was answered. */
export async function spendOn<T>(budget: ChatBudget, windows: readonly BudgetWindow[], urgency: Urgency, clock: Clock, call: () => Promise<T>): Promise<T> {
  const requestId = await acquireBudget(budget, windows, urgency, clock);
  try {
    return await call();
  } finally {
    await budget.landed(windows, requestId).catch(() => undefined);
  }
}
