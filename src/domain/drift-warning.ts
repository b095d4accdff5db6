// The drift watch's warning (docs/operations.md, "Hosts that join or drift"): the hosts that
// differ from their recorded release, how, and the `sync` command that brings them back. Pure.
import type { GrayWarning } from './gray-warnings.ts';
import { describeSyncHost, type SyncHost } from './plan-sync.ts';

export function hostsDriftedWarning(input: { project: string; market: string; changes: readonly SyncHost[]; autoSync?: string }): GrayWarning {
  const { project, market, changes } = input;
  const command = `sync ${project} ${market}`;
  const then = input.autoSync ? `autoSync queued \`${command}\` (${input.autoSync})` : `run \`${command}\` to bring them back`;
  return {
    kind: 'hosts_drifted',
    project,
    market,
    release: [...new Set(changes.map((c) => c.release ?? ''))].join(', '),
    message: `${project} ${market}: ${changes.length} host(s) differ from their recorded release — ${changes.map(describeSyncHost).join('; ')}. ${then}.`,
    details: { hosts: changes.map((c) => c.host), command, ...(input.autoSync ? { syncDeployId: input.autoSync } : {}) },
  };
}
