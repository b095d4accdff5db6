// Step 8, prune: on each switched host keep the newest `keepReleases` release directories,
// never the current one or the rollback target (what was current before this deploy).
// Stale entries of `.incoming/` (what killed deploys left) go too. Prune problems are
// reported on the host but never fail the deploy.
import { posix } from 'node:path';
import { type DeployContext, hostResult, toErrorInfo } from '../deploy-context.ts';
import { planPrune } from '../../domain/plan-prune.ts';
import { readCurrentRelease } from '../read-current-release.ts';
import { runPool } from '../run-pool.ts';
import { withTimeout } from '../../services/with-timeout.ts';

export async function pruneStep(ctx: DeployContext, hosts: readonly string[]): Promise<void> {
  await runPool(hosts, ctx.project.parallel, (host) => pruneHost(ctx, host), () => !ctx.stopRequested());
}

async function pruneHost(ctx: DeployContext, host: string): Promise<void> {
  const result = hostResult(ctx, host);
  const key = `prune:${host}`;
  const saved = (await ctx.deps.checkpoint.get(key)) as { removed: string[] } | undefined;
  if (saved) {
    result.steps.prune = { status: 'done', durationMs: 0, removed: saved.removed };
    return;
  }
  const started = ctx.now();
  ctx.emit({ type: 'host.started', step: 'prune', host });
  const transport = ctx.pool.get(host);
  try {
    const work = async () => {
      const entries = await transport.list(ctx.project.releasesDir);
      const current = await readCurrentRelease(transport, ctx.project);
      const removed = planPrune(entries, ctx.project.keepReleases, [current.releaseId, result.previousReleaseId, ctx.releaseId]);
      for (const id of removed) await transport.remove(posix.join(ctx.project.releasesDir, id));
      // leftovers of killed or failed deploys in .incoming (partial uploads, half-unpacked trees)
      const incoming = posix.join(ctx.project.releasesDir, '.incoming');
      for (const name of await transport.list(incoming)) await transport.remove(posix.join(incoming, name));
      return removed;
    };
    const removed = await withTimeout(work(), ctx.project.hostTimeout, `${host}: prune`, () => transport.destroy());
    await ctx.deps.checkpoint.set(key, { removed });
    const durationMs = ctx.now() - started;
    result.steps.prune = { status: 'done', durationMs, removed };
    ctx.emit({ type: 'host.finished', step: 'prune', host, durationMs });
  } catch (error) {
    const durationMs = ctx.now() - started;
    const info = toErrorInfo(error, ctx.redactor);
    result.steps.prune = { status: 'failed', durationMs, error: info };
    ctx.emit({ type: 'host.failed', step: 'prune', host, durationMs, error: info });
  }
}
