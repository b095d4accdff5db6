// A build made ahead of any deploy (docs/operations.md "Builds made ahead"): the project's
// code build of one commit plus its production package for the ref as version — exactly
// what a later `deploy <project> <market> <ref>` of that commit builds, so that deploy finds
// both in the artifacts directory and reports its build as cached. It runs in the project's
// sandbox, like every build.
import type { Config } from '../../../config/load-config.ts';
import { DeploybotError } from '../../core/errors.ts';
import { processRedactor } from '../../core/process-redactor.ts';
import type { Redactor } from '../../core/redactor.ts';
import { PRODUCTION_RELEASE } from '../../domain/release-names.ts';
import { resolveRef, verifyCommit } from '../git/resolve-ref.ts';
import { updateMirror } from '../git/update-mirror.ts';
import type { DeployVariables } from '../hook-variables.ts';
import type { SandboxTool } from '../repository-sandbox.ts';
import { buildCode } from './build-code.ts';
import { buildId } from './build-key.ts';
import { codeBuildRequest } from './code-build-request.ts';
import { codeBuildSettingsFor } from './code-build-settings.ts';
import { makePackage } from './make-package.ts';

export interface PrebuildRequest {
  project: string;
  /** Branch or tag (short name), or a commit: the version the package is made for. */
  ref: string;
  /** The pushed commit, when known (a push event); else `ref` is resolved. */
  commit?: string;
}

export interface PrebuildDeps {
  config: Config;
  /** Mirrors live here; builds and packages in the artifacts directory. */
  dataDir: string;
  sandbox?: SandboxTool;
  redactor?: Redactor;
}

export interface Prebuilt {
  project: string;
  ref: string;
  commit: string;
  buildId: string;
  packageFile: string;
  packageSha256: string;
  packageBytes: number;
  /** The code build was there already (built by an earlier push, deploy or worker). */
  cacheHit: boolean;
  durationMs: number;
}

/** The variables a pre-build's hooks see: no deploy, market or release id exists yet. */
function prebuildVariables(project: string, ref: string, commit: string): DeployVariables {
  return { deployId: '', releaseId: '', version: ref, commit, project, market: '', release: PRODUCTION_RELEASE };
}

/** The id of the code build a pre-build of `commit` makes (what one-build-per-commit is keyed on). */
export function prebuildId(config: Config, request: Required<PrebuildRequest>): string {
  const project = config.projects[request.project];
  if (!project) throw new DeploybotError('unknown_project', `unknown project "${request.project}"`);
  return buildId(codeBuildSettingsFor(config, request.project, project, request.commit, prebuildVariables(request.project, request.ref, request.commit)));
}

export async function prebuildCommit(deps: PrebuildDeps, request: PrebuildRequest): Promise<Prebuilt> {
  const started = performance.now();
  const { config } = deps;
  const project = config.projects[request.project];
  if (!project) throw new DeploybotError('unknown_project', `unknown project "${request.project}"`);
  const mirror = await updateMirror(deps.dataDir, request.project, project.repo);
  let commit: string;
  if (request.commit !== undefined) {
    if (!/^[0-9a-f]{40}$/.test(request.commit)) throw new DeploybotError('unknown_commit', `not a commit SHA: ${JSON.stringify(request.commit.slice(0, 80))}`);
    const found = await verifyCommit(mirror, `${request.commit}^{commit}`);
    if (!found) throw new DeploybotError('unknown_commit', `${request.project} has no commit ${request.commit} (was it force-pushed away?)`, { commit: request.commit });
    commit = found;
  } else {
    commit = (await resolveRef(mirror, request.ref, request.project)).commit;
  }
  const vars = prebuildVariables(request.project, request.ref, commit);
  const redactor = deps.redactor ?? processRedactor(config);
  const buildRequest = await codeBuildRequest({ config, projectName: request.project, project, commit, vars, dataDir: deps.dataDir, mirrorDir: mirror, redactor, ...(deps.sandbox ? { sandbox: deps.sandbox } : {}) });
  const build = await buildCode(buildRequest);
  const pkg = await makePackage(build, buildRequest.dataDir, request.project, PRODUCTION_RELEASE, request.ref, { staleClaimMs: config.artifacts.staleClaimAfter });
  return {
    project: request.project,
    ref: request.ref,
    commit,
    buildId: build.id,
    packageFile: pkg.file,
    packageSha256: pkg.sha256,
    packageBytes: pkg.bytes,
    cacheHit: build.cacheHit,
    durationMs: Math.round(performance.now() - started),
  };
}
