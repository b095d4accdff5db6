// `sync … --dry-run` (docs/operations.md, "Hosts that join or drift"): the hosts that differ
// from their recorded release and what each would get, answered at once; nothing changes.
import type { CommandContext } from '../core/command-router.ts';
import type { CommandOf } from '../core/command-types.ts';
import { describeSyncHost } from '../domain/plan-sync.ts';
import type { JobRuntime } from './job-runtime.ts';
import { marketLocations } from './market-locations.ts';
import { readReleaseState } from './read-release-state.ts';
import { RefusedError } from '../core/errors.ts';
import { readSyncPlan } from './sync-hosts.ts';

export async function syncDryRun(rt: JobRuntime, command: CommandOf<'sync'>, ctx: CommandContext): Promise<void> {
  const read = await readReleaseState(rt, command.project, command.market);
  if (!read.ok) throw new RefusedError('release_state_corrupt', `Refused: ${read.reason}.`);
  // every location of the market, or (with --hosts) the named hosts of the production location
  const locations = marketLocations(rt.config, command.market).filter((l) => !command.hosts || l.role === 'production');
  const plan = await readSyncPlan(rt, read.state, { locations, ...(command.hosts ? { only: command.hosts } : {}) });
  const head = `dry run: sync ${command.project} ${command.market}; nothing was changed`;
  const unknown = plan.hosts.filter((h) => h.state === 'unknown').map(describeSyncHost);
  if (plan.changes.length === 0) {
    const on = plan.hosts.length - unknown.length;
    await ctx.replyPrivately([head, `all ${on} hosts are already on their recorded releases`, ...unknown].join('\n'));
    return;
  }
  const lines = [head, `${plan.changes.length} of ${plan.hosts.length} hosts would change:`, ...plan.changes.map((h) => `• ${describeSyncHost(h)}`), ...unknown];
  await ctx.replyPrivately(lines.join('\n'));
}
