// Retry of a finished deploy (SEEDS §2 "re-runs only the nodes that failed", SPEC §12):
// hosts that succeeded are left alone; every other targeted host runs again, skipping the
// switch steps it already finished. Distribute always runs for them: it is a cheap check
// when the release is already on the host, and it re-verifies the indicator before a switch.
import { type DeployResult, type HostStepName, SWITCH_STEPS } from './deploy-result.ts';

export interface RetryPlan {
  /** Hosts to work on, in the original order. */
  hosts: string[];
  /** Per host, switch steps already done that must not run again. */
  doneSteps: Record<string, HostStepName[]>;
  /** Hosts that already succeeded: reported as they were. */
  finished: string[];
}

export function planRetry(previous: DeployResult): RetryPlan {
  const hosts: string[] = [];
  const doneSteps: Record<string, HostStepName[]> = {};
  const finished: string[] = [];
  for (const host of previous.hosts) {
    if (host.outcome === 'success') {
      finished.push(host.host);
      continue;
    }
    hosts.push(host.host);
    const done = SWITCH_STEPS.filter((step) => host.steps[step]?.status === 'done');
    if (done.length > 0) doneSteps[host.host] = done;
  }
  return { hosts, doneSteps, finished };
}
