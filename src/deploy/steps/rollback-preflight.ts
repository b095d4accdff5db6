// Rollback preflight: find the target (named, or each host's previous release on disk) and
// check that every targeted host holds it with the right release indicator. Hosts that do
// not are named and nothing is switched. Hosts that cannot be reached are left out when they
// are no more than `maxFailedHosts` (the same tolerance as a deploy's switch gate), so an
// urgent rollback is not held up by one dead machine. No upload ever happens in a rollback.
import { posix } from 'node:path';
import { DeploybotError } from '../../core/errors.ts';
import { type DeployContext } from '../deploy-context.ts';
import { agreeOnRollbackTarget, previousReleaseOnDisk } from '../../domain/plan-rollback.ts';
import { readCurrentRelease, readIndicator } from '../read-current-release.ts';
import { isReleaseId } from '../../domain/release-id.ts';
import { indicatorMismatch } from '../../domain/release-indicator.ts';
import { runPool } from '../run-pool.ts';
import { withTimeout } from '../../services/with-timeout.ts';

interface HostView {
  entries: string[];
  current?: string;
  error?: string;
}

export interface RollbackPreflight {
  releaseId: string;
  /** Hosts left out because they could not be reached, with why. */
  unreachable: Record<string, string>;
}

export async function rollbackPreflight(ctx: DeployContext, allHosts: readonly string[]): Promise<RollbackPreflight> {
  const saved = (await ctx.deps.checkpoint.get('preflight')) as RollbackPreflight | undefined;
  if (saved) return saved;

  const { results: views } = await runPool(allHosts, ctx.project.parallel, async (host): Promise<HostView> => {
    const transport = ctx.pool.get(host);
    try {
      return await withTimeout(
        (async () => ({ entries: await transport.list(ctx.project.releasesDir), current: (await readCurrentRelease(transport, ctx.project)).releaseId }))(),
        ctx.project.hostTimeout,
        `${host}: reading releases`,
        () => transport.destroy(),
      );
    } catch (error) {
      return { entries: [], error: (error as Error).message };
    }
  });
  const unreachable = allHosts.filter((host) => views.get(host)?.error !== undefined);
  if (unreachable.length > ctx.project.maxFailedHosts) {
    throw new DeploybotError('rollback_preflight_failed', `cannot check ${unreachable.join(', ')}: ${unreachable.map((h) => views.get(h)!.error).join('; ')}; more than maxFailedHosts ${ctx.project.maxFailedHosts}, so nothing was switched`, { hosts: unreachable });
  }
  const hosts = allHosts.filter((host) => !unreachable.includes(host));

  let target = ctx.plan.rollbackTo;
  if (target === undefined) {
    const choice = agreeOnRollbackTarget(new Map(hosts.map((host) => [host, previousReleaseOnDisk(views.get(host)!.entries, views.get(host)!.current)])));
    if (!choice.ok) throw new DeploybotError('rollback_target_unknown', `no release to roll back to: ${choice.reason}`);
    target = choice.releaseId;
  }
  if (!isReleaseId(target)) throw new DeploybotError('rollback_target_invalid', `"${target}" is not a release id`);

  const missing: string[] = [];
  const wrongRelease: string[] = [];
  for (const host of hosts) {
    if (!views.get(host)!.entries.includes(target)) {
      missing.push(host);
      continue;
    }
    const indicator = await readIndicator(ctx.pool.get(host), posix.join(ctx.project.releasesDir, target));
    if (indicatorMismatch(indicator, ctx.plan.release)) wrongRelease.push(`${host} (${indicator ?? 'no indicator'})`);
  }
  if (missing.length > 0) {
    throw new DeploybotError('rollback_target_missing', `release ${target} is not on ${missing.join(', ')}; nothing was switched`, { hosts: missing, releaseId: target });
  }
  if (wrongRelease.length > 0) {
    throw new DeploybotError('release_mismatch', `release ${target} is not a "${ctx.plan.release}" release on ${wrongRelease.join(', ')}; nothing was switched`);
  }
  const result: RollbackPreflight = { releaseId: target, unreachable: Object.fromEntries(unreachable.map((host) => [host, views.get(host)!.error!])) };
  await ctx.deps.checkpoint.set('preflight', result);
  return result;
}
