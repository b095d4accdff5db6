// The drift watch (docs/operations.md, "Hosts that join or drift"): every `driftCheck` a
// market's production hosts are compared with their recorded releases, as `sync` would. A
// drift episode — from the first check that finds a host off its record to the first that
// finds none — is warned about once, in the thread of the deploy that recorded the release;
// with `autoSync: true` the same check queues that `sync` itself, as the user `deploybot`.
import type { CommandContext } from '../core/command-router.ts';
import { hostsDriftedWarning } from '../domain/drift-warning.ts';
import type { GrayWarning } from '../domain/gray-warnings.ts';
import { PRODUCTION_RELEASE } from '../domain/release-names.ts';
import { qualifyUserId, type Platform } from '../domain/user-id.ts';
import { acceptCommand } from './accept-command.ts';
import type { JobRuntime } from './job-runtime.ts';
import { marketLocations } from './market-locations.ts';
import { readReleaseState } from './read-release-state.ts';
import { readSyncPlan } from './sync-hosts.ts';

/** The name the drift watch acts under (audit, history, the deploy's requester). */
export const DRIFT_WATCH_USER = 'deploybot';

/** One check of `market`; returns the warnings posted now (one per project whose episode began). */
export async function watchDrift(rt: JobRuntime, market: string): Promise<GrayWarning[]> {
  const posted: GrayWarning[] = [];
  const autoSync = rt.config.markets[market]?.autoSync === true;
  for (const [project, settings] of Object.entries(rt.config.projects)) {
    if (!settings.markets.includes(market)) continue;
    const read = await readReleaseState(rt, project, market);
    if (!read.ok) {
      rt.logger.warn('drift watch skipped a market', { project, market, reason: read.reason });
      continue;
    }
    const current = read.state.releases[read.state.defaultRelease ?? PRODUCTION_RELEASE]?.current;
    if (!current) continue; // nothing recorded yet: nothing to drift from
    const production = marketLocations(rt.config, market).filter((l) => l.role === 'production');
    const plan = await readSyncPlan(rt, read.state, { locations: production });
    const episode = rt.keys.driftEpisode(project, market);
    if (plan.changes.length === 0) {
      await rt.redis.del(episode);
      continue;
    }
    const began = await rt.redis.set(episode, JSON.stringify({ at: rt.now().toISOString(), hosts: plan.changes.map((c) => c.host) }), 'NX');
    if (began !== 'OK') continue;
    const origin = await rt.records.get(current.deployId);
    const syncId = autoSync ? await queueSync(rt, project, market, origin) : undefined;
    const warning = hostsDriftedWarning({ project, market, changes: plan.changes, ...(syncId ? { autoSync: syncId } : {}) });
    await rt.notify(current.deployId, { type: 'job.warning', warning });
    posted.push(warning);
  }
  return posted;
}

/** Queues `sync <project> <market>` as the drift watch; posts where the recorded deploy posted. */
async function queueSync(rt: JobRuntime, project: string, market: string, origin: { platform: string; channel: string } | undefined): Promise<string | undefined> {
  const platform = (origin?.platform ?? 'console') as Platform;
  const commandText = `sync ${project} ${market}`;
  const ctx: CommandContext = {
    config: rt.config,
    commandText,
    user: { id: qualifyUserId(platform, DRIFT_WATCH_USER) },
    channel: origin?.channel ?? '',
    platform,
    reply: async () => ({ channel: origin?.channel ?? '', id: '' }),
    replyPrivately: async () => undefined,
    track: () => undefined,
  };
  try {
    const record = await acceptCommand(rt, { verb: 'sync', project, market, dryRun: false }, ctx, (deployId) => ({ deployId, idle: async () => undefined }));
    return record?.id;
  } catch (error) {
    rt.logger.warn('drift watch could not queue a sync', { project, market, error });
    return undefined;
  }
}
