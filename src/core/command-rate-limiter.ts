// The per-user command budget the router asks before it does anything with a command
// (docs/configuration.md, `limits.commandsPerMinute`). The router only knows this interface;
// the job layer gives it one backed by Redis, shared by every process.

export type RateDecision = { allowed: true } | { allowed: false; limit: number; retryAfterMs: number };

export interface CommandRateLimiter {
  /** Counts one command of `userId` if it is within the budget. Rejects when the store does not answer. */
  take(userId: string): Promise<RateDecision>;
}

export function rateLimitedAnswer(decision: Extract<RateDecision, { allowed: false }>): string {
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  return `Too many commands: at most ${decision.limit} a minute per person. Nothing was run; try again in ${seconds} s.`;
}
