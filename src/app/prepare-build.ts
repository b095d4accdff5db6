// The part of a deploy that runs before its approval (docs/reference/approval-and-policy.md: the approval covers the
// commit and the build checksum): resolve, then the policy that needs the commit, then the
// build — checkpointed in the deploy's own checkpoint so the run after the approval reuses
// them. Resolve runs no repository code (a fetch into the mirror and rev-parse); the build
// does, so it starts only once the policy has passed (docs/operations.md).
import { processRedactor } from '../core/process-redactor.ts';
import { createDeployContext } from '../deploy/create-deploy-context.ts';
import { runStep, StepFailed, toErrorInfo, type DeployEngineDeps } from '../deploy/deploy-context.ts';
import type { DeployPlan } from '../deploy/deploy-plan.ts';
import type { ErrorInfo } from '../deploy/deploy-result.ts';
import { buildStep } from '../deploy/steps/build.ts';
import { resolveStep } from '../deploy/steps/resolve.ts';
import { commitSubject } from '../deploy/git/resolve-ref.ts';
import { mirrorDirectory } from '../deploy/git/update-mirror.ts';

export type PreparedBuild =
  | { ok: true; commit: string; /** Unix seconds. */ commitTime: number; commitSubject?: string; releaseId: string; packageSha256: string; packageBytes: number; cacheHit: boolean }
  | { ok: false; error: ErrorInfo; /** An expected stop (policy, no sandbox), not a failure. */ refused?: boolean };

/** Why the resolved commit may not be built (and so the deploy is refused), or undefined when it may. */
export type CheckBeforeBuild = (commit: string) => Promise<string | undefined>;

export async function prepareBuild(plan: DeployPlan, deps: DeployEngineDeps, checkBeforeBuild?: CheckBeforeBuild): Promise<PreparedBuild> {
  let ctx;
  try {
    ctx = createDeployContext(plan, deps);
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, deps.redactor ?? processRedactor(deps.config)) };
  }
  try {
    const resolved = await runStep(ctx, 'resolve', () => resolveStep(ctx), (r) => ({ commit: r.commit, releaseId: r.releaseId }));
    const refusal = await checkBeforeBuild?.(ctx.commit!);
    if (refusal !== undefined) {
      ctx.emit({ type: 'step.skipped', step: 'build', reason: 'refused' });
      return { ok: false, refused: true, error: { code: 'refused', message: refusal } };
    }
    const built = await runStep(ctx, 'build', () => buildStep(ctx), (b) => ({ sha256: b.sha256, bytes: b.bytes, cacheHit: b.cacheHit }));
    const subject = await commitSubject(mirrorDirectory(deps.dataDir, plan.project), ctx.commit!).catch(() => undefined);
    return { ok: true, commit: ctx.commit!, commitTime: resolved.commitTime, ...(subject ? { commitSubject: subject } : {}), releaseId: ctx.releaseId!, packageSha256: built.sha256, packageBytes: built.bytes, cacheHit: built.cacheHit };
  } catch (error) {
    const info = error instanceof StepFailed ? error.info : toErrorInfo(error, ctx.redactor);
    return { ok: false, error: info, ...(info.code === 'sandbox_unavailable' ? { refused: true } : {}) };
  } finally {
    await ctx.pool.closeAll();
  }
}
