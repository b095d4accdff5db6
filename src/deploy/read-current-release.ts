// Which release a host serves: where the project's `path` symlink points, and the release
// name in that release's indicator. Used before a switch (the rollback target), for prune,
// and by `status`.
import { posix } from 'node:path';
import { RELEASE_INDICATOR_PATH, releaseNamedBy } from '../domain/release-indicator.ts';
import type { HostTransport } from './transports/host-transport.ts';

export interface CurrentRelease {
  /** The release directory's name, when `path` is a symlink into `releasesDir`. */
  releaseId?: string;
  /** `name` from that release's filecache/release_indicator.json. */
  indicator?: string;
  /** The symlink's target as stored (absolute or relative). */
  target?: string;
}

export async function readCurrentRelease(transport: HostTransport, project: { path: string; releasesDir: string }): Promise<CurrentRelease> {
  const target = await transport.readLink(project.path);
  if (target === undefined) return {};
  const resolved = posix.resolve(posix.dirname(project.path), target);
  if (posix.dirname(resolved) !== posix.normalize(project.releasesDir)) return { target };
  const releaseId = posix.basename(resolved);
  const indicator = await readIndicator(transport, resolved);
  return { releaseId, indicator, target };
}

/** The `name` in `<releaseDir>/filecache/release_indicator.json`, undefined when missing or unreadable. */
export async function readIndicator(transport: HostTransport, releaseDir: string): Promise<string | undefined> {
  return releaseNamedBy(await transport.readText(posix.join(releaseDir, RELEASE_INDICATOR_PATH)));
}
