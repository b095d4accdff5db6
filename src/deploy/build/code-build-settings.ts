// The settings of a project's code build for one commit (build-key.ts): the one place a
// deploy, a dry run and a pre-build (prebuild-commit.ts) derive them from, so they agree on
// the build id. Worker-side hooks enter with their placeholders expanded.
import type { Config } from '../../../config/load-config.ts';
import type { ProjectConfig } from '../../../config/schema.ts';
import { hookCommand } from '../hook-command.ts';
import type { HookPlaceholders } from '../expand-hook-template.ts';
import { type DeployVariables, hookPlaceholders } from '../hook-variables.ts';
import type { BuildSettings } from './build-key.ts';

export function codeBuildSettings(config: Pick<Config, 'hookTemplates'>, projectName: string, project: ProjectConfig, commit: string, placeholders: HookPlaceholders): BuildSettings {
  return {
    project: projectName,
    commit,
    command: project.build.command,
    output: project.build.output,
    beforeDownload: hookCommand(project, config.hookTemplates, 'beforeDownload', placeholders),
    afterDownload: hookCommand(project, config.hookTemplates, 'afterDownload', placeholders),
    network: project.build.network,
  };
}

/** The settings for a commit from the variables its hooks see (deploy, dry run and pre-build alike). */
export function codeBuildSettingsFor(config: Pick<Config, 'hookTemplates'>, projectName: string, project: ProjectConfig, commit: string, vars: DeployVariables): BuildSettings {
  return codeBuildSettings(config, projectName, project, commit, hookPlaceholders(vars, { path: project.path, releasesDir: project.releasesDir }));
}
