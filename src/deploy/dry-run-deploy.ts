// `--dry-run`: the plan a deploy would carry out — hosts, release id, what prune would
// remove, which hooks run, free disk per host — without changing anything anywhere: the ref
// is resolved with `git ls-remote`, hosts are only read.
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { HookPoint } from '../../config/schema.ts';
import { isLocalHost } from '../../config/schema.ts';
import { artifactsDirectory } from './build/artifacts-directory.ts';
import { buildDirectory } from './build/build-code.ts';
import { codeBuildSettingsFor } from './build/code-build-settings.ts';
import { createDeployContext } from './create-deploy-context.ts';
import { type DeployEngineDeps, toErrorInfo } from './deploy-context.ts';
import type { DeployPlan } from './deploy-plan.ts';
import { type ErrorInfo, SWITCH_STEPS } from './deploy-result.ts';
import { resolveRemoteRef } from './git/resolve-remote-ref.ts';
import { mirrorDirectory } from './git/update-mirror.ts';
import { hookCommand } from './hook-command.ts';
import { hookPlaceholders, type DeployVariables } from './hook-variables.ts';
import { planPrune } from '../domain/plan-prune.ts';
import { agreeOnRollbackTarget, previousReleaseOnDisk } from '../domain/plan-rollback.ts';
import { planRetry } from '../domain/plan-retry.ts';
import { readCurrentRelease } from './read-current-release.ts';
import { formatReleaseId, isReleaseId } from '../domain/release-id.ts';
import { runPool } from './run-pool.ts';
import { withTimeout } from '../services/with-timeout.ts';
import { planWaves } from '../domain/plan-waves.ts';
import { formatRolloutSize } from '../domain/rollout-size.ts';
import { checkLabel } from './health/run-health-check.ts';
import { rolloutSettings } from './rollout-settings.ts';
import { isProgressive } from './steps/rollout.ts';

export interface DryRunHost {
  host: string;
  reachable: boolean;
  error?: string;
  currentReleaseId?: string;
  currentIndicator?: string;
  /** Free bytes on the filesystem of releasesDir. */
  freeBytes?: number;
  /** Release directories prune would remove after this deploy (none for a rollback). */
  pruneWouldRemove: string[];
  /** rollback: whether the host holds the target release. */
  hasTarget?: boolean;
}

export interface DryRunReport {
  kind: DeployPlan['kind'];
  project: string;
  market: string;
  release: string;
  version: string;
  commit?: string;
  releaseId?: string;
  /** Whether the code build for this commit is already cached (no rebuild). */
  buildCached?: boolean;
  relayVia?: string;
  hooks: { point: HookPoint; runsOn: 'worker' | 'each host'; command: string }[];
  hosts: DryRunHost[];
  /** A progressive rollout (docs/configuration.md, "Health and rollout"): its waves and checks. */
  rollout?: { waves: string[][]; checks: string[]; bakeMs: number; maxUnhealthy: string; onFailure: 'rollback' | 'pause' };
  /** Why the deploy would stop before touching a host (unknown ref, missing rollback target …). */
  error?: ErrorInfo;
}

export async function dryRunDeploy(plan: DeployPlan, deps: Omit<DeployEngineDeps, 'checkpoint'>): Promise<DryRunReport> {
  const ctx = createDeployContext(plan, { ...deps, checkpoint: { get: async () => undefined, set: async () => undefined } });
  const { project } = ctx;
  const targets = plan.kind === 'retry' && plan.previous ? planRetry(plan.previous, SWITCH_STEPS).hosts : plan.hosts;
  const report: DryRunReport = { kind: plan.kind, project: plan.project, market: plan.market, release: plan.release, version: plan.version, hooks: [], hosts: [] };
  const settings = rolloutSettings(ctx.config, plan.project, plan.market);
  if (plan.kind !== 'rollback' && isProgressive(settings, targets)) {
    report.rollout = { waves: planWaves(targets, settings.waves), checks: settings.checks.map(checkLabel), bakeMs: settings.bake, maxUnhealthy: formatRolloutSize(settings.maxUnhealthy), onFailure: settings.onFailure };
  }
  const admin = ctx.location.admin;
  if (plan.kind !== 'rollback' && admin !== undefined && !isLocalHost(ctx.config.hosts[admin]!)) report.relayVia = admin;
  try {
    if (plan.kind !== 'rollback') {
      const commit = plan.commit ?? (plan.kind === 'retry' ? plan.previous?.commit : undefined)
        ?? (await resolveRemoteRef(project.repo, plan.ref, mirrorDirectory(deps.dataDir, plan.project), plan.project)).commit;
      report.commit = commit;
      report.releaseId = plan.releaseId ?? (plan.kind === 'retry' ? plan.previous?.releaseId : undefined) ?? formatReleaseId(plan.version, new Date(plan.createdAt), commit);
    }
  } catch (error) {
    report.error = toErrorInfo(error, ctx.redactor);
  }

  const vars: DeployVariables = { deployId: plan.deployId, releaseId: report.releaseId ?? '', version: plan.version, commit: report.commit ?? '', project: plan.project, market: plan.market, release: plan.release };
  const placeholders = hookPlaceholders(vars, { path: project.path, releasesDir: project.releasesDir, releaseDir: report.releaseId ? posix.join(project.releasesDir, report.releaseId) : undefined });
  for (const point of ['beforeDownload', 'afterDownload', 'beforeDeploy', 'afterDeploy'] as const) {
    const worker = point === 'beforeDownload' || point === 'afterDownload';
    if (worker && plan.kind === 'rollback') continue;
    const command = hookCommand(project, ctx.config.hookTemplates, point, placeholders);
    if (command !== undefined) report.hooks.push({ point, runsOn: worker ? 'worker' : 'each host', command });
  }
  if (report.commit) {
    const dir = buildDirectory(artifactsDirectory(ctx.config, deps.dataDir), codeBuildSettingsFor(ctx.config, plan.project, project, report.commit, vars));
    report.buildCached = existsSync(join(dir, 'build.json'));
  }

  const { results } = await runPool(targets, project.parallel, async (host): Promise<DryRunHost & { entries: string[] }> => {
    const transport = ctx.pool.get(host);
    try {
      return await withTimeout((async () => {
        const entries = await transport.list(project.releasesDir);
        const current = await readCurrentRelease(transport, project);
        const freeBytes = await transport.freeBytes(project.releasesDir);
        return { host, reachable: true, entries, currentReleaseId: current.releaseId, currentIndicator: current.indicator, freeBytes, pruneWouldRemove: [] };
      })(), project.hostTimeout, `${host}: reading its state`, () => transport.destroy());
    } catch (error) {
      return { host, reachable: false, error: toErrorInfo(error, ctx.redactor).message, entries: [], pruneWouldRemove: [] };
    } finally {
      // at most `parallel` connections open at once: this host's closes before the next opens
      await ctx.pool.close(host);
    }
  });
  await ctx.pool.closeAll();

  let rollbackTarget = plan.rollbackTo;
  if (plan.kind === 'rollback' && rollbackTarget === undefined) {
    const choice = agreeOnRollbackTarget(new Map(targets.map((host) => [host, previousReleaseOnDisk(results.get(host)!.entries, results.get(host)!.currentReleaseId)])));
    if (choice.ok) rollbackTarget = choice.releaseId;
    else report.error ??= { code: 'rollback_target_unknown', message: `no release to roll back to: ${choice.reason}` };
  }
  if (plan.kind === 'rollback' && rollbackTarget !== undefined) report.releaseId = rollbackTarget;

  for (const host of targets) {
    const { entries, ...view } = results.get(host)!;
    if (plan.kind === 'rollback') {
      view.hasTarget = rollbackTarget !== undefined && entries.includes(rollbackTarget);
    } else if (report.releaseId && view.reachable) {
      const after = entries.filter(isReleaseId).concat(entries.includes(report.releaseId) ? [] : [report.releaseId]);
      view.pruneWouldRemove = planPrune(after, project.keepReleases, [report.releaseId, view.currentReleaseId]);
    }
    report.hosts.push(view);
  }
  if (plan.kind === 'rollback' && rollbackTarget !== undefined && !report.error) {
    const missing = report.hosts.filter((h) => !h.hasTarget).map((h) => h.host);
    if (missing.length > 0) report.error = { code: 'rollback_target_missing', message: `release ${rollbackTarget} is not on ${missing.join(', ')}` };
  }
  return report;
}
