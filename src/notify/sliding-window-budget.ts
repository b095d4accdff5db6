// A budget of N calls per time window, shared by everything that spends it (Slack's Tier 3
// `chat.update`: ~50 a minute per workspace, whatever the message). It also remembers a
// pause that the platform imposed (a 429's Retry-After), since that pause is per method and
// per workspace too.
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';

export interface RateBudget {
  /** Milliseconds until a call may be made (0: now). Does not spend anything. */
  delay(): number;
  /** Records one call made now. */
  spend(): void;
  /** The platform said "not before `ms` from now" (429 Retry-After). */
  pauseFor(ms: number): void;
}

export interface SlidingWindowBudgetOptions {
  /** @defaultValue 50 (Slack Tier 3) */
  limit?: number;
  /** @defaultValue 60000 */
  windowMs?: number;
  clock?: Clock;
}

export class SlidingWindowBudget implements RateBudget {
  readonly limit: number;
  readonly windowMs: number;
  readonly #clock: Clock;
  #spent: number[] = [];
  #pausedUntil = 0;

  constructor(options: SlidingWindowBudgetOptions = {}) {
    this.limit = options.limit ?? 50;
    this.windowMs = options.windowMs ?? 60_000;
    this.#clock = options.clock ?? systemClock;
    if (!(this.limit >= 1)) throw new RangeError('limit must be at least 1');
  }

  delay(): number {
    const now = this.#clock.now();
    this.#forgetBefore(now - this.windowMs);
    const pause = Math.max(0, this.#pausedUntil - now);
    const oldest = this.#spent[0];
    const windowWait = this.#spent.length < this.limit || oldest === undefined ? 0 : oldest + this.windowMs - now;
    return Math.max(pause, windowWait, 0);
  }

  spend(): void {
    this.#spent.push(this.#clock.now());
  }

  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }

  #forgetBefore(time: number): void {
    let drop = 0;
    while (drop < this.#spent.length && (this.#spent[drop] as number) <= time) drop += 1;
    if (drop > 0) this.#spent.splice(0, drop);
  }
}
