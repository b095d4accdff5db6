/**
 * The one error base class. `code` is stable and machine-readable (it survives a process
 * boundary in job results); `message` tells the user what went wrong and what to do next.
 */
export class DeploybotError extends Error {
  constructor(readonly code: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'DeploybotError';
  }
}

/** An expected stop (locked, refused by a rule, rejected): reported plainly, never as a crash. */
export class RefusedError extends DeploybotError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'RefusedError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
