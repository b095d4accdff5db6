// The identity of a code build (docs/reference/deploy-lifecycle.md): project, commit and every setting that shapes the
// build's output — the build command, its output directory and the worker-side hooks.
// Release, version and deploy do not enter: the code build is release-agnostic.
import { createHash } from 'node:crypto';

export interface BuildSettings {
  project: string;
  commit: string;
  command?: string;
  output?: string;
  beforeDownload?: string;
  afterDownload?: string;
  /** `build.network`; only `false` enters the key, so builds made before the setting existed keep theirs. */
  network?: boolean;
}

export function buildKey(settings: BuildSettings): string {
  const canonical = JSON.stringify([
    'deploybot-build-v1',
    settings.project,
    settings.commit,
    settings.command ?? null,
    settings.output ?? null,
    settings.beforeDownload ?? null,
    settings.afterDownload ?? null,
    ...(settings.network === false ? ['offline'] : []),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Directory name of a build: readable commit prefix + settings hash. */
export function buildId(settings: BuildSettings): string {
  return `${settings.commit.slice(0, 12)}-${buildKey(settings).slice(0, 16)}`;
}
