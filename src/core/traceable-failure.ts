// Every error that is not a refusal is logged in full under a short reference, and the user
// sees that reference (docs/operations.md, "Error references"): a DeploybotError keeps its
// message (it says what to do next); anything unexpected is only "internal error, ref <ref>",
// its raw message stays in the log.
import { randomBytes } from 'node:crypto';
import { DeploybotError, RefusedError } from './errors.ts';
import type { Logger } from './logger.ts';

export function newErrorRef(): string {
  return randomBytes(4).toString('hex');
}

/** What the user is told about `error`; logged (unless a refusal) with `fields` and the reference. */
export function traceableFailure(logger: Logger, what: string, fields: Record<string, unknown>, error: unknown): { text: string; ref?: string } {
  if (error instanceof RefusedError) return { text: error.message };
  const ref = newErrorRef();
  logger.error(what, { ref, ...fields, ...(error instanceof DeploybotError ? { code: error.code } : {}), error });
  return { text: error instanceof DeploybotError ? `${error.message} (ref ${ref})` : `internal error, ref ${ref}`, ref };
}
