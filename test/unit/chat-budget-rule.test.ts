// The chat budget's rule (docs/reference/chat-limits.md), through the in-memory budget that
// applies it: interleaved callers who ask again when told never get more than `limit` grants
// in any window (progress no more than `limit − reserve`), and a waiting final is granted
// before waiting progress.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BudgetWindow, progressRoom, type Urgency, windowWait } from '../../src/domain/chat-window-rule.ts';
import { MemoryChatBudget } from '../../src/notify/memory-chat-budget.ts';
import type { Clock } from '../../src/notify/clock.ts';
import { mostInAnyWindow } from '../support/most-in-any-window.ts';

/** A clock the simulation sets by hand (no timers: callers ask again themselves). */
function handClock(start = 1_000_000): Clock & { at: number } {
  const clock = { at: start, now: () => clock.at, setTimer: () => ({ cancel: () => undefined }) };
  return clock;
}

interface Grant {
  at: number;
  urgency: Urgency;
  caller: number;
}

interface Caller {
  urgency: Urgency;
  /** When the caller first asks, ms after the start. */
  arrival: number;
}

/**
 * Runs callers against one budget as an event loop: each asks at its arrival and, refused,
 * asks again exactly when told (several asking at the same moment go in arrival order).
 * Returns every grant, and for each final when it first asked.
 */
function simulate(window: BudgetWindow, callers: Caller[]) {
  const clock = handClock();
  const start = clock.at;
  const budget = new MemoryChatBudget({ clock });
  const queue = callers.map((caller, index) => ({ at: start + caller.arrival, index }));
  const grants: Grant[] = [];
  const firstAsked = new Map<number, number>();
  const waitingFinals = new Set<number>();
  const progressWhileFinalWaited: number[] = [];
  let steps = 0;
  while (queue.length > 0 && steps++ < 100_000) {
    queue.sort((x, y) => x.at - y.at || x.index - y.index);
    const next = queue.shift()!;
    clock.at = next.at;
    const caller = callers[next.index]!;
    if (!firstAsked.has(next.index)) firstAsked.set(next.index, next.at);
    const wait = budget.tryAcquireNow([window], caller.urgency, `caller-${next.index}`);
    if (wait === 0) {
      if (caller.urgency === 'progress' && waitingFinals.size > 0) progressWhileFinalWaited.push(next.index);
      waitingFinals.delete(next.index);
      grants.push({ at: next.at, urgency: caller.urgency, caller: next.index });
    } else {
      expect(wait).toBeGreaterThan(0);
      if (caller.urgency === 'final') waitingFinals.add(next.index);
      queue.push({ at: next.at + wait, index: next.index });
    }
  }
  return { grants, firstAsked, progressWhileFinalWaited, start };
}

/** The most grants (matching `which`) within any `windowMs` (a window is (t − windowMs, t]). */
function mostGrantsInAnyWindow(grants: Grant[], windowMs: number, which: (grant: Grant) => boolean = () => true): number {
  return mostInAnyWindow(grants.filter(which).map((grant) => grant.at), windowMs);
}

const windowArb = fc.record({
  limit: fc.integer({ min: 1, max: 12 }),
  windowMs: fc.integer({ min: 10, max: 5000 }),
  reserve: fc.integer({ min: 0, max: 6 }),
}).map(({ limit, windowMs, reserve }): BudgetWindow => ({ key: 'w', limit, windowMs, reserve: Math.min(reserve, limit - 1) }));

const callersArb = (windowMs: number) => fc.array(
  fc.record({ urgency: fc.constantFrom<Urgency>('final', 'progress'), arrival: fc.integer({ min: 0, max: windowMs * 4 }) }),
  { minLength: 1, maxLength: 60 },
);

describe('chat budget rule', () => {
  it('never grants more than `limit` calls in any window, nor progress more than `limit − reserve`, however callers interleave', () => {
    fc.assert(fc.property(windowArb.chain((window) => fc.tuple(fc.constant(window), callersArb(window.windowMs))), ([window, callers]) => {
      const { grants } = simulate(window, callers);
      expect(grants).toHaveLength(callers.length); // everyone is granted in the end
      expect(mostGrantsInAnyWindow(grants, window.windowMs)).toBeLessThanOrEqual(window.limit);
      expect(mostGrantsInAnyWindow(grants, window.windowMs, (grant) => grant.urgency === 'progress')).toBeLessThanOrEqual(progressRoom(window));
    }), { numRuns: 300 });
  });

  it('grants no progress while a final that asked earlier still waits', () => {
    fc.assert(fc.property(windowArb.chain((window) => fc.tuple(fc.constant(window), callersArb(window.windowMs))), ([window, callers]) => {
      const { progressWhileFinalWaited } = simulate(window, callers);
      expect(progressWhileFinalWaited).toEqual([]);
    }), { numRuns: 300 });
  });

  it('when the window is full, a final and a progress wait, then the final is granted first though progress asks first', () => {
    const window: BudgetWindow = { key: 'w', limit: 4, windowMs: 1000, reserve: 1 };
    const callers: Caller[] = [
      ...Array.from({ length: 4 }, () => ({ urgency: 'final' as const, arrival: 0 })),
      { urgency: 'progress', arrival: 10 },
      { urgency: 'final', arrival: 20 },
    ];
    const { grants, start } = simulate(window, callers);
    const late = grants.filter((grant) => grant.caller >= 4).map((grant) => [grant.caller, grant.at - start]);
    // both wait for the window (1000 ms and its 100 ms guard); the final goes then, progress a step (17 ms) later
    expect(late).toEqual([[5, 1100], [4, 1117]]);
  });

  it('progress keeps `reserve` calls of each window for finals', () => {
    const window: BudgetWindow = { key: 'w', limit: 5, windowMs: 60_000, reserve: 2 };
    const clock = handClock();
    const budget = new MemoryChatBudget({ clock });
    const answers = Array.from({ length: 4 }, (_, i) => budget.tryAcquireNow([window], 'progress', `p${i}`));
    expect(answers.map((wait) => wait === 0)).toEqual([true, true, true, false]);
    expect(budget.tryAcquireNow([window], 'final', 'f1')).toBe(0);
    expect(budget.tryAcquireNow([window], 'final', 'f2')).toBe(0);
    expect(budget.tryAcquireNow([window], 'final', 'f3')).toBe(61_000); // the window and its 1 s guard
  });

  it('a pause holds every urgency until it ends', () => {
    fc.assert(fc.property(windowArb, fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (window, pauseMs, later) => {
      const now = 1_000_000;
      const state = { grants: [], pausedUntil: now + pauseMs, finalsWaiting: 0 };
      for (const urgency of ['final', 'progress'] as const) {
        const wait = windowWait(window, state, now + later, urgency);
        expect(wait).toBe(Math.max(0, pauseMs - later));
      }
    }));
  });

  it('a call spends in every one of its windows or in none', () => {
    const clock = handClock();
    const budget = new MemoryChatBudget({ clock });
    const workspace: BudgetWindow = { key: 'workspace', limit: 3, windowMs: 60_000 };
    const message = (id: string): BudgetWindow => ({ key: `message:${id}`, limit: 1, windowMs: 1000 });
    expect(budget.tryAcquireNow([workspace, message('a')], 'progress', 'r1')).toBe(0);
    expect(budget.tryAcquireNow([workspace, message('a')], 'progress', 'r2')).toBe(1100); // the message's 1/s (and its guard)
    expect(budget.tryAcquireNow([workspace, message('b')], 'progress', 'r3')).toBe(0); // the workspace was not spent by r2
    expect(budget.tryAcquireNow([workspace, message('c')], 'progress', 'r4')).toBe(0);
    expect(budget.tryAcquireNow([workspace, message('d')], 'progress', 'r5')).toBe(61_000);
  });
});
