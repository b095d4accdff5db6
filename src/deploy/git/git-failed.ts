// A git run that failed — git missing, a corrupt or missing mirror, a timeout — as opposed to
// git answering that something is not there. Callers that can tell "absent" from "failed"
// return undefined for the first and throw this for the second, so a broken mirror is never
// reported as a missing ref, file or commit (docs/operations.md, "Error references").
import { DeploybotError } from '../../core/errors.ts';

export function gitFailed(what: string, error: unknown): DeploybotError {
  const stderr = (error as { stderr?: unknown }).stderr;
  const said = (typeof stderr === 'string' && stderr.trim() ? stderr : error instanceof Error ? error.message : String(error)).trim().split('\n').at(-1);
  return new DeploybotError('git_failed', `git failed ${what}: ${said}`, { cause: said });
}
