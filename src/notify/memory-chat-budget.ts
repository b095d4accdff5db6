// A ChatBudget in this process's memory (docs/reference/chat-limits.md): for the console,
// tests, and any process without Redis. The rule is src/domain/chat-window-rule.ts.
import { type BudgetWindow, callWait, finalGrace, heldFor, type Urgency, type WindowState } from '../domain/chat-window-rule.ts';
import type { ChatBudget } from './chat-budget.ts';
import { type Clock, systemClock } from './clock.ts';

interface Entry {
  /** How long a grant counts here (the longest asked for). */
  heldMs: number;
  /** requestId → when it was granted (or answered, once landed). */
  grants: Map<string, number>;
  pausedUntil: number;
  /** requestId → until when the waiting final counts. */
  finals: Map<string, number>;
}

export class MemoryChatBudget implements ChatBudget {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  #calls = 0;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  async tryAcquire(windows: readonly BudgetWindow[], urgency: Urgency, requestId: string): Promise<number> {
    return this.tryAcquireNow(windows, urgency, requestId);
  }

  /** `tryAcquire`, answered synchronously. */
  tryAcquireNow(windows: readonly BudgetWindow[], urgency: Urgency, requestId: string): number {
    const now = this.#clock.now();
    if (++this.#calls % 1000 === 0) this.#sweep(now);
    const states = windows.map((window) => ({ window, entry: this.#entry(window.key, heldFor(window), now) }));
    const wait = callWait(states.map(({ window, entry }) => ({ window, state: stateOf(entry, urgency) })), now, urgency);
    for (const { window, entry } of states) {
      if (wait > 0) {
        if (urgency === 'final') entry.finals.set(requestId, now + wait + finalGrace(window));
      } else {
        entry.grants.set(requestId, now);
        entry.finals.delete(requestId);
      }
    }
    return wait;
  }

  async landed(windows: readonly BudgetWindow[], requestId: string): Promise<void> {
    const now = this.#clock.now();
    for (const window of windows) {
      const entry = this.#entries.get(window.key);
      if (entry?.grants.has(requestId)) entry.grants.set(requestId, now);
    }
  }

  async pause(key: string, ms: number): Promise<void> {
    const now = this.#clock.now();
    const entry = this.#entry(key, 0, now);
    entry.pausedUntil = Math.max(entry.pausedUntil, now + ms);
  }

  #entry(key: string, heldMs: number, now: number): Entry {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { heldMs, grants: new Map(), pausedUntil: 0, finals: new Map() };
      this.#entries.set(key, entry);
    }
    entry.heldMs = Math.max(entry.heldMs, heldMs);
    for (const [id, at] of entry.grants) if (at <= now - entry.heldMs) entry.grants.delete(id);
    for (const [id, until] of entry.finals) if (until <= now) entry.finals.delete(id);
    return entry;
  }

  /** Forgets windows with nothing left in them (one per message would otherwise pile up). */
  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      const last = Math.max(-Infinity, ...entry.grants.values());
      if (last <= now - entry.heldMs && entry.pausedUntil <= now && [...entry.finals.values()].every((until) => until <= now)) this.#entries.delete(key);
    }
  }
}

function stateOf(entry: Entry, urgency: Urgency): WindowState {
  // finals do not wait behind each other; progress waits behind every waiting final
  const finalsWaiting = urgency === 'progress' ? entry.finals.size : 0;
  return { grants: [...entry.grants.values()], pausedUntil: entry.pausedUntil, finalsWaiting };
}
