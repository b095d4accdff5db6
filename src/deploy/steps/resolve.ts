// Step 3, resolve: ref → commit in the project's mirror, and the release id. Both are
// checkpointed, so a resumed deploy never re-resolves a branch that has moved meanwhile.
import { DeploybotError } from '../../core/errors.ts';
import type { DeployContext } from '../deploy-context.ts';
import { commitTime as readCommitTime, resolveRef, verifyCommit } from '../git/resolve-ref.ts';
import { updateMirror } from '../git/update-mirror.ts';
import { formatReleaseId } from '../../domain/release-id.ts';

interface Resolved {
  commit: string;
  releaseId: string;
  commitTime: number;
  kind: string;
}

export async function resolveStep(ctx: DeployContext): Promise<Resolved> {
  const saved = (await ctx.deps.checkpoint.get('resolve')) as Resolved | undefined;
  if (saved) return adopt(ctx, saved);

  const { plan } = ctx;
  const mirror = await updateMirror(ctx.deps.dataDir, plan.project, ctx.project.repo);
  const pinned = plan.commit ?? (plan.kind === 'retry' ? plan.previous?.commit : undefined);
  let resolved: Omit<Resolved, 'releaseId'>;
  if (pinned) {
    const commit = await verifyCommit(mirror, `${pinned}^{commit}`);
    if (!commit) throw new DeploybotError('unknown_commit', `${plan.project} has no commit ${pinned} (was it force-pushed away?)`, { commit: pinned });
    const commitTime = await readCommitTime(mirror, commit);
    resolved = { commit, commitTime, kind: 'commit' };
  } else {
    resolved = await resolveRef(mirror, plan.ref, plan.project);
  }
  const releaseId = plan.releaseId ?? (plan.kind === 'retry' ? plan.previous?.releaseId : undefined) ?? formatReleaseId(plan.version, new Date(plan.createdAt), resolved.commit);
  const result = { ...resolved, releaseId };
  await ctx.deps.checkpoint.set('resolve', result);
  return adopt(ctx, result);
}

function adopt(ctx: DeployContext, resolved: Resolved): Resolved {
  ctx.commit = resolved.commit;
  ctx.commitTime = resolved.commitTime;
  ctx.releaseId = resolved.releaseId;
  return resolved;
}
