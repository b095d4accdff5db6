// How long a chat client (the DingTalk stream, Slack's start-up check) waits before its next
// connection attempt: exponential back-off with "equal jitter" — half of the capped
// exponential step is fixed, half random — so many bot processes that lost the gateway
// together do not come back in lockstep, and two attempts are never closer than half a step. Pure (the random source is passed in).
// See docs/dingtalk.md ("Reconnecting") and docs/slack.md ("When Slack cannot be reached").

export interface ReconnectBackoff {
  /** The first step. @defaultValue 1000 */
  baseMs: number;
  /** No step is longer. @defaultValue 60000 */
  maxMs: number;
}

export const DEFAULT_RECONNECT_BACKOFF: ReconnectBackoff = { baseMs: 1000, maxMs: 60_000 };

/** The capped exponential step for failure number `attempt` (0 for the first failure). */
export function reconnectStep(attempt: number, backoff: ReconnectBackoff = DEFAULT_RECONNECT_BACKOFF): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
}

/**
 * The wait after failure number `attempt`: in [step / 2, step], where step is
 * `reconnectStep(attempt)`. `random` returns a number in [0, 1).
 */
export function reconnectDelay(attempt: number, backoff: ReconnectBackoff = DEFAULT_RECONNECT_BACKOFF, random: () => number = Math.random): number {
  const step = reconnectStep(attempt, backoff);
  const unit = Math.min(Math.max(random(), 0), 1);
  return Math.min(step, Math.ceil(step / 2 + (step / 2) * unit));
}
