// `deploy … --dry-run` (docs/reference/command-grammar.md): the plan — hosts, release id, what prune would
// remove, the hooks that would run, free disk — answered at once, with no id and no change.
import type { CommandContext } from '../core/command-router.ts';
import type { CommandOf } from '../core/command-types.ts';
import { RefusedError } from '../core/errors.ts';
import { dryRunDeploy, type DryRunReport } from '../deploy/dry-run-deploy.ts';
import { deployTarget } from '../domain/deploy-target.ts';
import { formatDecimalSize } from '../domain/format-size.ts';
import { formatDuration } from '../domain/format-duration.ts';
import { platformsOf } from './command-platforms.ts';
import type { JobRuntime } from './job-runtime.ts';
import { marketLocations } from './market-locations.ts';

export async function dryRunCommand(rt: JobRuntime, command: CommandOf<'deploy'>, ctx: CommandContext): Promise<void> {
  const state = await rt.releases.read(command.project, command.market);
  const target = deployTarget(command, marketLocations(rt.config, command.market), state);
  if (!target.ok) throw new RefusedError(target.refusal.code, `Refused: ${target.refusal.message}.`);
  const report = await dryRunDeploy({
    deployId: 'dry-run',
    kind: 'deploy',
    project: command.project,
    market: command.market,
    location: target.value.location,
    release: target.value.release,
    ref: command.ref,
    version: command.ref,
    hosts: target.value.hosts,
    requestedBy: ctx.user.id,
    createdAt: rt.now().toISOString(),
  }, { config: rt.config, dataDir: rt.dataDir, ...(rt.transport ? { transport: rt.transport } : {}) });
  await ctx.replyPrivately(renderDryRun(report, target.value.sparedGrayHosts, platformsOf(rt.config, command, target.value.location).platforms));
}

export function renderDryRun(report: DryRunReport, spared: readonly string[] = [], platforms?: readonly string[]): string {
  const lines = [`dry run: deploy ${report.project} ${report.version} → ${report.market} (${report.release}); nothing was changed`];
  if (platforms) lines.push(`platforms: ${platforms.join(', ')}`);
  if (report.error) lines.push(`⛔ it would stop before touching a host: ${report.error.message}`);
  if (report.commit) lines.push(`commit ${report.commit.slice(0, 12)} · release id ${report.releaseId}${report.buildCached ? ' · build cached' : ' · would build'}`);
  if (report.relayVia) lines.push(`upload once to ${report.relayVia}, which relays to the hosts`);
  for (const host of report.hosts) {
    const free = host.freeBytes !== undefined ? ` · ${formatDecimalSize(host.freeBytes)} free` : '';
    const prune = host.pruneWouldRemove.length ? ` · prune would remove ${host.pruneWouldRemove.join(', ')}` : '';
    lines.push(host.reachable ? `${host.host}: now ${host.currentReleaseId ?? 'no release'}${free}${prune}` : `${host.host}: unreachable (${host.error})`);
  }
  if (spared.length > 0) lines.push(`gray hosts ${spared.join(', ')} keep the active gray release`);
  for (const hook of report.hooks) lines.push(`hook ${hook.point} (${hook.runsOn}): ${hook.command}`);
  if (report.rollout) {
    const { rollout } = report;
    rollout.waves.forEach((wave, i) => lines.push(`wave ${i + 1}/${rollout.waves.length}: ${wave.join(', ')}`));
    lines.push(`health: ${rollout.checks.length > 0 ? rollout.checks.join('; ') : 'no checks'} · bake ${formatDuration(rollout.bakeMs)} · maxUnhealthy ${rollout.maxUnhealthy} · on failure ${rollout.onFailure}`);
  }
  return lines.join('\n');
}
