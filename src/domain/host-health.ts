// What a switched host's health checks add up to (docs/configuration.md, "Health and rollout"):
// a check fails the host once it fails `failureLimit + 1` times in a row (a pass resets its
// streak); a host passes a round when every check passed; a host that has not passed within
// `healthTimeout` of its switch is unhealthy — missing answers are never counted as a pass,
// and no host waits forever. Once unhealthy, a host stays unhealthy for this deploy.

export interface UnhealthyVerdict {
  /** The check that failed it (`http http://…`, `command …`), or `healthTimeout`. */
  check: string;
  /** The last lines of that check's output (or its error). */
  outputTail: string[];
  at: number;
}

export interface HostHealth {
  switchedAt: number;
  /** When every check last passed since the switch. */
  passedAt?: number;
  unhealthy?: UnhealthyVerdict;
  /** Failures in a row, per check (by its label). */
  streaks: Record<string, number>;
  /** The last failing check's output, kept for a timeout's verdict. */
  lastFailure?: { check: string; outputTail: string[] };
}

export interface CheckOutcome {
  check: string;
  ok: boolean;
  failureLimit: number;
  outputTail: string[];
}

export function switchedHealth(at: number): HostHealth {
  return { switchedAt: at, streaks: {} };
}

export function afterRound(health: HostHealth, outcomes: readonly CheckOutcome[], now: number, healthTimeout: number): HostHealth {
  if (health.unhealthy) return health;
  const next: HostHealth = { ...health, streaks: { ...health.streaks } };
  for (const outcome of outcomes) {
    const streak = outcome.ok ? 0 : (next.streaks[outcome.check] ?? 0) + 1;
    next.streaks[outcome.check] = streak;
    if (outcome.ok) continue;
    next.lastFailure = { check: outcome.check, outputTail: outcome.outputTail };
    if (streak > outcome.failureLimit) return { ...next, unhealthy: { check: outcome.check, outputTail: outcome.outputTail, at: now } };
  }
  if (outcomes.every((o) => o.ok)) return { ...next, passedAt: now };
  return timedOut(next, now, healthTimeout);
}

/** A host that has not passed within healthTimeout of its switch is unhealthy. */
export function timedOut(health: HostHealth, now: number, healthTimeout: number): HostHealth {
  if (health.unhealthy || health.passedAt !== undefined || now - health.switchedAt < healthTimeout) return health;
  const last = health.lastFailure;
  const outputTail = [...(last ? [`${last.check}:`, ...last.outputTail] : []), `not healthy within healthTimeout ${healthTimeout} ms of its switch`];
  return { ...health, unhealthy: { check: last ? `${last.check} (healthTimeout)` : 'healthTimeout', outputTail, at: now } };
}

/** Passed since its switch, or counted unhealthy: the wave need not wait for it any more. */
export function settled(health: HostHealth): boolean {
  return health.unhealthy !== undefined || health.passedAt !== undefined;
}
