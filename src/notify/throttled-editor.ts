// Edits one message in place without flooding the platform (docs/reference/messages.md): per message only the
// latest state is kept and sent, at most one edit per `minIntervalMs`; every edit spends in
// a chat budget (docs/reference/chat-limits.md) — by default one window shared by all
// messages, 40 a minute of which progress may use 32 — which several editors, or every
// process through Redis, may share. A rate-limited call (429) pauses the first window of the
// message for Retry-After and then sends the latest state. `finish()` is the edit that must
// land: it asks the budget as a final (never waiting behind progress), is retried until it
// has landed, and its promise says so.
//
// The sender must *reject* on a 429 rather than wait (for Slack: a WebClient with
// `rejectRateLimitedCalls: true`), or one rate limit would stall every caller of a shared
// client queue instead of just coalescing here.
import type { MessageRef, OutgoingMessage } from '../core/chat-types.ts';
import { DeploybotError, errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { randomUUID } from 'node:crypto';
import type { BudgetWindow, ChatBudget } from './chat-budget.ts';
import { DEFAULT_CHAT_LIMITS } from './chat-limits.ts';
import { type Clock, systemClock, type TimerHandle } from './clock.ts';
import { MemoryChatBudget } from './memory-chat-budget.ts';

/** Performs one edit. Rejects on failure, including a 429 (see `rateLimitDelay`). */
export type EditSender<M> = (ref: MessageRef, message: M) => Promise<void>;

export interface ThrottledEditorOptions<M> {
  send: EditSender<M>;
  /** Milliseconds to wait when `error` is a rate limit (429 Retry-After); `undefined` for any other error. */
  rateLimitDelay?: (error: unknown) => number | undefined;
  /** @defaultValue 1000 — at most one edit per second per message */
  minIntervalMs?: number;
  /** Where edits spend (pass one budget to several editors, or a Redis one to every process, to share it wider). @defaultValue a MemoryChatBudget of its own */
  budget?: ChatBudget;
  /** The windows an edit of `ref` spends in; the first is the one a rate limit pauses. @defaultValue one window for all messages, 40 per 60 s, 8 kept for finals */
  windowsFor?: (ref: MessageRef) => readonly BudgetWindow[];
  clock?: Clock;
  /** Attempts for a final edit failing with errors other than rate limits (429s are always retried). @defaultValue 5 */
  finalAttempts?: number;
  /** First back-off after a failed final edit; doubles with each failure. @defaultValue 1000 */
  retryBackoffMs?: number;
  logger?: Logger;
  onRateLimited?: (retryAfterMs: number) => void;
  onError?: (error: unknown) => void;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

interface Slot<M> {
  ref: MessageRef;
  /** The newest state not yet sent. */
  latest: M | undefined;
  final: boolean;
  sending: boolean;
  /** Asking the budget. */
  asking: boolean;
  /** Names the call being asked for (a new one after each grant). */
  requestId: string;
  timer: TimerHandle | undefined;
  lastSentAt: number;
  notBefore: number;
  failures: number;
  waiters: Waiter[];
}

export class ThrottledEditor<M = OutgoingMessage> {
  readonly #send: EditSender<M>;
  readonly #rateLimitDelay: (error: unknown) => number | undefined;
  readonly #minIntervalMs: number;
  readonly #budget: ChatBudget;
  readonly #windowsFor: (ref: MessageRef) => readonly BudgetWindow[];
  readonly #clock: Clock;
  readonly #finalAttempts: number;
  readonly #retryBackoffMs: number;
  readonly #options: ThrottledEditorOptions<M>;
  readonly #slots = new Map<string, Slot<M>>();
  /** When recently finished messages were last edited, so an `update` right after still waits its turn. */
  readonly #finishedAt = new Map<string, number>();
  #closed = false;

  constructor(options: ThrottledEditorOptions<M>) {
    this.#options = options;
    this.#send = options.send;
    this.#rateLimitDelay = options.rateLimitDelay ?? (() => undefined);
    this.#minIntervalMs = options.minIntervalMs ?? 1000;
    this.#clock = options.clock ?? systemClock;
    this.#budget = options.budget ?? new MemoryChatBudget({ clock: this.#clock });
    this.#windowsFor = options.windowsFor ?? (() => DEFAULT_EDIT_WINDOWS);
    this.#finalAttempts = options.finalAttempts ?? 5;
    this.#retryBackoffMs = options.retryBackoffMs ?? 1000;
  }

  /**
   * Replaces the state to show; sent when the message's interval and the budget allow.
   * Ignored while a `finish` is pending; after the final edit has landed, the message starts over.
   */
  update(ref: MessageRef, message: M): void {
    if (this.#closed) return;
    const slot = this.#slot(ref);
    if (slot.final) return;
    slot.latest = message;
    this.#pump(slot);
  }

  /** The last state of the message: resolves once it has been sent, retried through rate limits and errors. */
  finish(ref: MessageRef, message: M): Promise<void> {
    if (this.#closed) return Promise.reject(new DeploybotError('editor_closed', 'the message editor is closed'));
    const slot = this.#slot(ref);
    if (!slot.final && slot.timer) {
      // a progress state waiting for the budget: the final asks again at once, for the reserve progress may not use
      slot.timer.cancel();
      slot.timer = undefined;
    }
    slot.final = true;
    slot.latest = message;
    const done = new Promise<void>((resolve, reject) => slot.waiters.push({ resolve, reject }));
    this.#pump(slot);
    return done;
  }

  /** Messages with a state not yet sent or in flight. */
  get pending(): number {
    let count = 0;
    for (const slot of this.#slots.values()) if (slot.sending || slot.asking || slot.latest !== undefined) count += 1;
    return count;
  }

  /** Stops all timers; unsent states are dropped and unfinished `finish` promises reject. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#slots.values()) {
      slot.timer?.cancel();
      this.#settle(slot, new DeploybotError('editor_closed', 'the message editor was closed before the final edit landed'));
    }
    this.#slots.clear();
    this.#finishedAt.clear();
  }

  #slot(ref: MessageRef): Slot<M> {
    const key = keyOf(ref);
    let slot = this.#slots.get(key);
    if (!slot) {
      const lastSentAt = this.#finishedAt.get(key) ?? -Infinity;
      slot = { ref, latest: undefined, final: false, sending: false, asking: false, requestId: randomUUID(), timer: undefined, lastSentAt, notBefore: 0, failures: 0, waiters: [] };
      this.#slots.set(key, slot);
    }
    return slot;
  }

  /** Drops a finished message, remembering its last edit while that still limits the next one. */
  #forget(slot: Slot<M>): void {
    const key = keyOf(slot.ref);
    this.#slots.delete(key);
    const now = this.#clock.now();
    for (const [other, at] of this.#finishedAt) if (at + this.#minIntervalMs <= now) this.#finishedAt.delete(other);
    if (slot.lastSentAt + this.#minIntervalMs > now) this.#finishedAt.set(key, slot.lastSentAt);
  }

  #pump(slot: Slot<M>): void {
    if (this.#closed || slot.sending || slot.asking || slot.timer || slot.latest === undefined) return;
    const now = this.#clock.now();
    const wait = Math.max(slot.lastSentAt + this.#minIntervalMs - now, slot.notBefore - now, 0);
    if (wait > 0) return this.#retryIn(slot, wait);
    slot.asking = true;
    const askedFinal = slot.final;
    this.#budget.tryAcquire(this.#windowsFor(slot.ref), askedFinal ? 'final' : 'progress', slot.requestId).then(
      (budgetWait) => {
        slot.asking = false;
        // asked for progress, and the final came meanwhile: ask again, as the final
        if (budgetWait > 0 && !askedFinal && slot.final) return this.#pump(slot);
        if (budgetWait > 0) return this.#retryIn(slot, budgetWait);
        const granted = slot.requestId;
        slot.requestId = randomUUID();
        this.#sendLatest(slot, granted);
      },
      (error: unknown) => {
        slot.asking = false;
        this.#options.logger?.warn('the chat budget did not answer; asking again in a second', { channel: slot.ref.channel, error: errorMessage(error) });
        this.#retryIn(slot, BUDGET_RETRY_MS);
      },
    );
  }

  #retryIn(slot: Slot<M>, ms: number): void {
    if (this.#closed) return;
    slot.timer = this.#clock.setTimer(ms, () => {
      slot.timer = undefined;
      this.#pump(slot);
    });
  }

  /** Sends the newest state (granted by the budget): a state that came in while asking replaces the one asked for. */
  #sendLatest(slot: Slot<M>, granted: string): void {
    if (this.#closed || slot.latest === undefined) return;
    const message = slot.latest;
    const isFinal = slot.final;
    slot.latest = undefined;
    slot.sending = true;
    slot.lastSentAt = this.#clock.now();
    // the grant counts from when the platform answered (see ChatBudget.landed)
    const landed = () => this.#budget.landed(this.#windowsFor(slot.ref), granted).catch(() => undefined);
    this.#send(slot.ref, message).then(
      () => {
        void landed();
        this.#sent(slot, isFinal);
      },
      (error: unknown) => {
        void landed();
        this.#failed(slot, message, isFinal, error);
      },
    );
  }

  #sent(slot: Slot<M>, wasFinal: boolean): void {
    slot.sending = false;
    // The interval runs from when the platform answered, not from when the call left: with
    // varying latency two edits sent 1 s apart may otherwise arrive less than 1 s apart.
    slot.lastSentAt = this.#clock.now();
    slot.failures = 0;
    if (wasFinal && slot.latest === undefined) {
      this.#settle(slot);
      this.#forget(slot);
      return;
    }
    this.#pump(slot);
  }

  #failed(slot: Slot<M>, message: M, wasFinal: boolean, error: unknown): void {
    slot.sending = false;
    slot.lastSentAt = this.#clock.now();
    if (this.#closed) return;
    const retryAfterMs = this.#rateLimitDelay(error);
    if (retryAfterMs !== undefined) {
      const paused = this.#windowsFor(slot.ref)[0];
      if (paused) {
        this.#budget.pause(paused.key, retryAfterMs).catch((error: unknown) => this.#options.logger?.warn('could not share a rate-limit pause', { error: errorMessage(error) }));
      }
      slot.notBefore = this.#clock.now() + retryAfterMs;
      this.#options.onRateLimited?.(retryAfterMs);
      this.#options.logger?.warn('message edit rate-limited; sending the latest state after Retry-After', { channel: slot.ref.channel, retryAfterMs });
      slot.latest ??= message;
      this.#pump(slot);
      return;
    }
    this.#options.onError?.(error);
    if (!wasFinal) {
      // A newer state (or the final one) will follow; this one is simply dropped.
      this.#options.logger?.warn('message edit failed; waiting for the next state', { channel: slot.ref.channel, error: errorMessage(error) });
      this.#pump(slot);
      return;
    }
    slot.failures += 1;
    if (slot.failures >= this.#finalAttempts) {
      this.#options.logger?.error('final message edit failed; giving up', { channel: slot.ref.channel, attempts: slot.failures, error: errorMessage(error) });
      this.#settle(slot, error);
      this.#forget(slot);
      return;
    }
    this.#options.logger?.warn('final message edit failed; retrying', { channel: slot.ref.channel, attempt: slot.failures, error: errorMessage(error) });
    slot.latest ??= message;
    slot.notBefore = this.#clock.now() + this.#retryBackoffMs * 2 ** (slot.failures - 1);
    this.#pump(slot);
  }

  #settle(slot: Slot<M>, error?: unknown): void {
    const waiters = slot.waiters.splice(0);
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }
}

/** How long to wait before asking a budget that failed to answer (Redis away) again. */
const BUDGET_RETRY_MS = 1000;

const DEFAULT_EDIT_WINDOWS: readonly BudgetWindow[] = [
  { key: 'edits', limit: DEFAULT_CHAT_LIMITS.slackUpdates, windowMs: DEFAULT_CHAT_LIMITS.windowMs, reserve: DEFAULT_CHAT_LIMITS.finalReserve },
];

function keyOf(ref: MessageRef): string {
  return `${ref.channel}\u0000${ref.id}`;
}
