// The two-phase gate (docs/reference/deploy-lifecycle.md step 6): switching starts only once every targeted host has
// either received the verified release or failed, and only if the failures are at most
// `maxFailedHosts`. Otherwise nothing is switched.

export interface DistributeTally {
  host: string;
  ok: boolean;
}

export type SwitchDecision =
  | { go: true; hosts: string[]; failed: string[] }
  | { go: false; hosts: []; failed: string[]; reason: string };

export function decideSwitch(tally: readonly DistributeTally[], maxFailedHosts: number): SwitchDecision {
  const ready = tally.filter((t) => t.ok).map((t) => t.host);
  const failed = tally.filter((t) => !t.ok).map((t) => t.host);
  if (ready.length === 0) {
    return { go: false, hosts: [], failed, reason: failed.length === 0 ? 'no hosts to switch' : `no host received the release (failed: ${failed.join(', ')}); nothing was switched` };
  }
  if (failed.length > maxFailedHosts) {
    return {
      go: false,
      hosts: [],
      failed,
      reason: `${failed.length} host${failed.length === 1 ? '' : 's'} did not receive the release (${failed.join(', ')}), more than maxFailedHosts ${maxFailedHosts}; nothing was switched`,
    };
  }
  return { go: true, hosts: ready, failed };
}
