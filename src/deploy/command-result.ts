// What running a script or a program (on a host, locally, in the sandbox) comes back with.
export interface ScriptResult {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Last lines of stdout+stderr, secrets redacted. */
  outputTail: string[];
}

export interface CommandResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}
