// When one more chat call may be made in a rate window (docs/reference/chat-limits.md): a
// sliding-window log of the grants of the last `windowMs` (and a small guard, `heldFor`), of which progress edits may use
// only `limit − reserve` and finals all `limit`; while a final waits for a window, progress
// in that window waits behind it; a pause the platform imposed (429 Retry-After) holds
// everything. The Redis budget's Lua script (src/store/redis-chat-budget.ts) is this rule.

/** One limit a call spends in, e.g. Slack `chat.update`: 40 per 60 s per workspace. */
export interface BudgetWindow {
  /** Names what the limit is per (workspace, message, channel, robot + conversation); never a token. */
  key: string;
  limit: number;
  windowMs: number;
  /** Grants only finals may use. @defaultValue 0 */
  reserve?: number;
}

/** `final`: a state that must land (last edit, post); `progress`: one newer state may replace. */
export type Urgency = 'final' | 'progress';

export interface WindowState {
  /** When calls were granted, any order; older than the window is ignored. */
  grants: readonly number[];
  /** Nothing is granted before this time (0: no pause). */
  pausedUntil: number;
  /** Finals refused and still waiting for this window. */
  finalsWaiting: number;
}

/** The progress room of a window: `limit − reserve`, at least 1. */
export function progressRoom(window: BudgetWindow): number {
  return Math.max(1, window.limit - Math.max(0, window.reserve ?? 0));
}

/**
 * How long a grant counts: the platform's window and a guard (a fiftieth of it, 100 ms to 1 s),
 * because a call reaches the platform a varying few milliseconds after it was granted — two
 * calls granted exactly a window apart could otherwise arrive a little less than one apart.
 */
export function heldFor(window: BudgetWindow): number {
  return window.windowMs + Math.min(1000, Math.max(100, Math.floor(window.windowMs / 50)));
}

/**
 * How much later than its grant a call still in flight counts, until it has landed (the shared
 * budget stamps a grant this far ahead, and re-stamps it when the platform answered): a
 * process that stalls between grant and send must not let another's call overtake its own.
 * A caller held up by a call in flight is told to ask again after at most `heldFor`.
 */
export const IN_FLIGHT_MS = 2000;

/** Milliseconds until a call of `urgency` may be granted in `window` (0: now). */
export function windowWait(window: BudgetWindow, state: WindowState, now: number, urgency: Urgency): number {
  const pause = Math.max(0, state.pausedUntil - now);
  const held = heldFor(window);
  const recent = state.grants.filter((at) => at > now - held).sort((x, y) => x - y);
  const untilRoom = (room: number): number => {
    if (recent.length < room) return 0;
    return Math.max(1, (recent[recent.length - room] as number) + held - now);
  };
  if (urgency === 'final') return Math.max(pause, untilRoom(window.limit));
  if (state.finalsWaiting > 0) return Math.max(pause, untilRoom(window.limit), retryStep(window));
  return Math.max(pause, untilRoom(progressRoom(window)));
}

/** How long progress waiting behind a final asks again: a sixtieth of the window (1 s of a minute). */
export function retryStep(window: BudgetWindow): number {
  return Math.max(1, Math.ceil(window.windowMs / 60));
}

/**
 * How long past its wait a refused final still counts as waiting: long enough for a caller
 * that asks again when told to be late (a busy event loop, a slow round trip), short enough
 * that the final of a caller that went away does not hold progress up for long.
 */
export function finalGrace(window: BudgetWindow): number {
  return Math.ceil(window.windowMs / 10) + 1000;
}

/** Milliseconds until a call may be granted in every window (0: now). */
export function callWait(windows: ReadonlyArray<{ window: BudgetWindow; state: WindowState }>, now: number, urgency: Urgency): number {
  let wait = 0;
  for (const { window, state } of windows) wait = Math.max(wait, windowWait(window, state, now, urgency));
  return wait;
}
