// A deploy of a ref that does not exist is refused before it gets a deploy id: the ref is
// looked up (`git ls-remote`, or the mirror for a commit SHA) and, when it names nothing, the
// answer suggests the nearest tags and branches, newest first. When git cannot tell (the
// remote does not answer), the command is accepted and the resolve step reports it.
// See docs/commands.md and src/deploy/README.md.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DeploybotError, errorMessage, RefusedError } from '../core/errors.ts';
import { resolveRemoteRef } from '../deploy/git/resolve-remote-ref.ts';
import { mirrorDirectory } from '../deploy/git/update-mirror.ts';
import type { JobRuntime } from './job-runtime.ts';

export async function refuseUnknownRef(rt: Pick<JobRuntime, 'config' | 'dataDir' | 'logger'>, command: { project?: string; ref?: string }): Promise<void> {
  const { ref } = command;
  const project = command.project === undefined ? undefined : rt.config.projects[command.project];
  if (ref === undefined || !project || command.project === undefined) return;
  const mirror = mirrorDirectory(rt.dataDir, command.project);
  // a bare SHA can only be found in a mirror: without one yet, the resolve step decides
  if (/^[0-9a-f]{4,40}$/i.test(ref) && !existsSync(join(mirror, 'HEAD'))) return;
  try {
    await resolveRemoteRef(project.repo, ref, mirror, command.project);
  } catch (error) {
    if (error instanceof DeploybotError && error.code === 'unknown_ref') throw new RefusedError('unknown_ref', `Refused: ${error.message}. Nothing was queued.`);
    if (error instanceof DeploybotError && error.code === 'invalid_ref') throw error;
    rt.logger.warn('could not look the ref up before accepting; the resolve step will', { project: command.project, ref, error: errorMessage(error) });
  }
}
