// Where a hook run detached on a host keeps its pid, output and exit status: inside the
// release it ran for, so it goes when prune removes the release, and under a name no package
// holds, so no release ships it (docs/operations.md, "Host steps outlive their worker").
import { posix } from 'node:path';

/** The directory in every release that holds this bot's own state; never part of a package. */
export const RELEASE_STATE_DIR = '.deploybot';

export function hookStateDirectory(releaseDir: string, deployId: string, hook: 'beforeDeploy' | 'afterDeploy'): string {
  if (!/^[A-Za-z0-9._-]+$/.test(deployId) || deployId.startsWith('.')) throw new Error(`not a deploy id usable as a directory name: ${deployId}`);
  return posix.join(releaseDir, RELEASE_STATE_DIR, deployId, hook);
}
