// What a finished deploy's result says about its hosts, for the progress message: per
// host step group how many hosts are done / failed, and the failed hosts with the step that
// failed, its error and the last lines of its output. Pure.
import type { HostResult, HostStepName } from '../deploy/deploy-result.ts';
import type { FailedHostView, HostCounts, HostStepGroup } from './deploy-view-types.ts';

export function hostSummary(hosts: readonly HostResult[]): { counts: Record<HostStepGroup, HostCounts>; failed: FailedHostView[] } {
  return { counts: countsFromResult(hosts), failed: failedHostsFromResult(hosts) };
}

function countsFromResult(hosts: readonly HostResult[]): Record<HostStepGroup, HostCounts> {
  const count = (pick: (h: HostResult) => 'done' | 'failed' | undefined, among: readonly HostResult[]): HostCounts => {
    let done = 0;
    let failed = 0;
    for (const h of among) {
      const status = pick(h);
      if (status === 'done') done += 1;
      else if (status === 'failed') failed += 1;
    }
    return { done, failed, total: among.length };
  };
  const statusOf = (r: { status: string } | undefined): 'done' | 'failed' | undefined =>
    r?.status === 'done' || r?.status === 'skipped' ? 'done' : r?.status === 'failed' ? 'failed' : undefined;
  const switchStatus = (h: HostResult): 'done' | 'failed' | undefined => {
    const parts = [h.steps.beforeDeploy, h.steps.link, h.steps.afterDeploy];
    if (parts.some((p) => p?.status === 'failed')) return 'failed';
    return h.steps.link?.status === 'done' ? 'done' : undefined;
  };
  const pruned = hosts.filter((h) => h.steps.prune !== undefined);
  return {
    distribute: count((h) => statusOf(h.steps.distribute), hosts),
    switch: count(switchStatus, hosts),
    prune: count((h) => statusOf(h.steps.prune), pruned),
  };
}

function failedHostsFromResult(hosts: readonly HostResult[]): FailedHostView[] {
  return hosts
    .filter((h) => h.outcome === 'failed')
    .map((h) => {
      const step = h.failedStep ?? (Object.entries(h.steps).find(([name, r]) => name !== 'prune' && r?.status === 'failed')?.[0] as HostStepName | undefined);
      const record = step ? h.steps[step] : undefined;
      const error = h.error ?? record?.error;
      const tail = h.outputTail ?? record?.outputTail ?? [];
      return { host: h.host, ...(step ? { step } : {}), ...(error ? { error } : {}), outputTail: tail };
    });
}
