// What a project's code build of one commit is made from — the same for a deploy's build step
// and for a build made ahead of any deploy (docs/operations.md "Builds made ahead"), so that
// both find the same build in the artifacts directory.
import type { Config } from '../../../config/load-config.ts';
import type { ProjectConfig } from '../../../config/schema.ts';
import type { Redactor } from '../../core/redactor.ts';
import { commitTime } from '../git/resolve-ref.ts';
import { type DeployVariables, hookEnvironment } from '../hook-variables.ts';
import { repositorySandbox, type SandboxTool } from '../repository-sandbox.ts';
import { artifactsDirectory } from './artifacts-directory.ts';
import type { BuildRequest } from './build-code.ts';
import { codeBuildSettingsFor } from './code-build-settings.ts';

export interface CodeBuildInputs {
  config: Config;
  projectName: string;
  project: ProjectConfig;
  commit: string;
  vars: DeployVariables;
  /** The bot's data directory (the artifacts directory is found from it and the config). */
  dataDir: string;
  mirrorDir: string;
  redactor: Redactor;
  sandbox?: SandboxTool;
  /** The commit's time when the caller already read it (resolve does); else it is read from the mirror. */
  commitTime?: number;
}

/** The request `buildCode` builds the commit from: settings, artifacts directory, hooks' environment, timeout and sandbox. */
export async function codeBuildRequest(i: CodeBuildInputs): Promise<BuildRequest> {
  return {
    dataDir: artifactsDirectory(i.config, i.dataDir),
    staleClaimMs: i.config.artifacts.staleClaimAfter,
    mirrorDir: i.mirrorDir,
    settings: codeBuildSettingsFor(i.config, i.projectName, i.project, i.commit, i.vars),
    commitTime: i.commitTime ?? (await commitTime(i.mirrorDir, i.commit)),
    env: hookEnvironment(i.vars),
    timeoutMs: i.project.hookTimeout,
    redactor: i.redactor,
    sandbox: repositorySandbox(i.projectName, i.project.build, i.sandbox),
  };
}
