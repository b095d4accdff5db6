// Step 4, build: the cached code build (hooks, checkout, build command) plus this deploy's
// release layer, packaged as `<project>-<version>-<sha7>.tar.gz` with its sha256.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DeploybotError } from '../../core/errors.ts';
import { buildCode } from '../build/build-code.ts';
import { codeBuildRequest } from '../build/code-build-request.ts';
import { makePackage } from '../build/make-package.ts';
import { deployVariables, type DeployContext } from '../deploy-context.ts';
import { verifyCommit } from '../git/resolve-ref.ts';
import { mirrorDirectory, updateMirror } from '../git/update-mirror.ts';

interface BuildCheckpoint {
  sha256: string;
  bytes: number;
  file: string;
  cacheHit: boolean;
}

export async function buildStep(ctx: DeployContext): Promise<BuildCheckpoint & { rebuiltDifferently?: boolean }> {
  const { plan, project, deps } = ctx;
  const commit = ctx.commit!;
  let mirror = mirrorDirectory(deps.dataDir, plan.project);
  if (!existsSync(join(mirror, 'HEAD')) || !(await verifyCommit(mirror, `${commit}^{commit}`))) {
    mirror = await updateMirror(deps.dataDir, plan.project, project.repo);
  }
  const request = await codeBuildRequest({ config: ctx.config, projectName: plan.project, project, commit, vars: deployVariables(ctx), dataDir: deps.dataDir, mirrorDir: mirror, redactor: ctx.redactor, ...(ctx.commitTime !== undefined ? { commitTime: ctx.commitTime } : {}), ...(deps.sandbox ? { sandbox: deps.sandbox } : {}) });
  const build = await buildCode({
    ...request,
    onCommand: (what, result) => {
      if (what !== 'build') ctx.emit({ type: 'hook.finished', hook: what, exitCode: result.exitCode, durationMs: result.durationMs, outputTail: result.outputTail });
    },
  });
  const pkg = await makePackage(build, request.dataDir, plan.project, plan.release, plan.version, { staleClaimMs: ctx.config.artifacts.staleClaimAfter });
  ctx.package = pkg;
  ctx.buildCacheHit = build.cacheHit;
  if (plan.expectedPackageSha256 && plan.expectedPackageSha256 !== pkg.sha256) {
    throw new DeploybotError(
      'package_changed',
      `the package checksum is ${pkg.sha256.slice(0, 12)}…, not the approved ${plan.expectedPackageSha256.slice(0, 12)}…; the approval does not cover this build`,
      { expected: plan.expectedPackageSha256, actual: pkg.sha256 },
    );
  }
  const saved = (await deps.checkpoint.get('build')) as BuildCheckpoint | undefined;
  const record: BuildCheckpoint = { sha256: pkg.sha256, bytes: pkg.bytes, file: pkg.file, cacheHit: saved?.cacheHit ?? build.cacheHit };
  if (!saved || saved.sha256 !== pkg.sha256) await deps.checkpoint.set('build', record);
  ctx.buildCacheHit = record.cacheHit;
  return { ...record, ...(saved && saved.sha256 !== pkg.sha256 ? { rebuiltDifferently: true } : {}) };
}
