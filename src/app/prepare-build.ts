// The part of a deploy that runs before its approval (SPEC §7: the approval covers the
// commit and the build checksum): resolve and build, checkpointed in the deploy's own
// checkpoint so the run after the approval reuses them.
import { configSecrets } from '../../config/load-config.ts';
import { createDeployContext } from '../deploy/create-deploy-context.ts';
import { runStep, StepFailed, toErrorInfo, type DeployEngineDeps } from '../deploy/deploy-context.ts';
import type { DeployPlan } from '../deploy/deploy-plan.ts';
import type { ErrorInfo } from '../deploy/deploy-result.ts';
import { buildStep } from '../deploy/steps/build.ts';
import { resolveStep } from '../deploy/steps/resolve.ts';

export type PreparedBuild =
  | { ok: true; commit: string; releaseId: string; packageSha256: string; packageBytes: number; cacheHit: boolean }
  | { ok: false; error: ErrorInfo };

export async function prepareBuild(plan: DeployPlan, deps: DeployEngineDeps): Promise<PreparedBuild> {
  let ctx;
  try {
    ctx = createDeployContext(plan, deps);
  } catch (error) {
    return { ok: false, error: toErrorInfo(error, configSecrets(deps.config)) };
  }
  try {
    await runStep(ctx, 'resolve', () => resolveStep(ctx), (r) => ({ commit: r.commit, releaseId: r.releaseId }));
    const built = await runStep(ctx, 'build', () => buildStep(ctx), (b) => ({ sha256: b.sha256, bytes: b.bytes, cacheHit: b.cacheHit }));
    return { ok: true, commit: ctx.commit!, releaseId: ctx.releaseId!, packageSha256: built.sha256, packageBytes: built.bytes, cacheHit: built.cacheHit };
  } catch (error) {
    return { ok: false, error: error instanceof StepFailed ? error.info : toErrorInfo(error, ctx.secrets) };
  } finally {
    await ctx.pool.closeAll();
  }
}
