// The variables every hook sees (docs/reference/deploy-lifecycle.md): as environment variables and as `{placeholders}`.

export interface DeployVariables {
  deployId: string;
  releaseId: string;
  version: string;
  commit: string;
  project: string;
  market: string;
  release: string;
  /** The host's config name; absent for the worker-side hooks (before/afterDownload). */
  host?: string;
}

export function hookEnvironment(vars: DeployVariables): Record<string, string> {
  const env: Record<string, string> = {
    DEPLOY_ID: vars.deployId,
    RELEASE_ID: vars.releaseId,
    VERSION: vars.version,
    COMMIT: vars.commit,
    PROJECT: vars.project,
    MARKET: vars.market,
    RELEASE: vars.release,
  };
  if (vars.host !== undefined) env.HOST = vars.host;
  return env;
}

export interface HookPaths {
  path?: string;
  releasesDir?: string;
  releaseDir?: string;
}

export function hookPlaceholders(vars: DeployVariables, paths: HookPaths = {}): Record<string, string | undefined> {
  return {
    project: vars.project,
    market: vars.market,
    release: vars.release,
    version: vars.version,
    host: vars.host,
    releaseId: vars.releaseId,
    commit: vars.commit,
    deployId: vars.deployId,
    path: paths.path,
    releasesDir: paths.releasesDir,
    releaseDir: paths.releaseDir,
  };
}
