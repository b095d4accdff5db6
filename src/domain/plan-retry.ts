// Retry of a finished deploy ("re-runs only the nodes that failed", docs/reference/deploy-lifecycle.md):
// hosts that succeeded are left alone; every other targeted host runs again, skipping the
// switch steps it already finished. Distribute always runs for them: it is a cheap check
// when the release is already on the host, and it re-verifies the indicator before a switch.
// The engine says which steps are switch steps (src/deploy/deploy-result.ts, SWITCH_STEPS).

/** What a retry reads of one host in the previous deploy's result. */
export interface PreviousHostRun<Step extends string> {
  host: string;
  outcome: string;
  steps: Partial<Record<Step, { status: string }>>;
}

export interface RetryPlan<Step extends string> {
  /** Hosts to work on, in the original order. */
  hosts: string[];
  /** Per host, switch steps already done that must not run again. */
  doneSteps: Record<string, Step[]>;
  /** Hosts that already succeeded: reported as they were. */
  finished: string[];
}

export function planRetry<Step extends string>(previous: { hosts: readonly PreviousHostRun<Step>[] }, switchSteps: readonly Step[]): RetryPlan<Step> {
  const hosts: string[] = [];
  const doneSteps: Record<string, Step[]> = {};
  const finished: string[] = [];
  for (const host of previous.hosts) {
    if (host.outcome === 'success') {
      finished.push(host.host);
      continue;
    }
    hosts.push(host.host);
    const done = switchSteps.filter((step) => host.steps[step]?.status === 'done');
    if (done.length > 0) doneSteps[host.host] = done;
  }
  return { hosts, doneSteps, finished };
}
