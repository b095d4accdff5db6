// The release a rollback goes back to, resolved when the command is accepted so the approval
// covers it (docs/operations.md "What an approval covers"): the named deploy's release, else
// the one that was current before the current one (from history).
import type { DeployRecord } from '../domain/deploy-record.ts';
import type { JobRuntime } from './job-runtime.ts';

export async function rollbackTarget(rt: JobRuntime, project: string, market: string, named?: DeployRecord): Promise<string | undefined> {
  if (named) return named.releaseId;
  const stack = await rt.history.productionStack(project, market);
  return stack.length >= 2 ? stack[stack.length - 2] : undefined;
}
