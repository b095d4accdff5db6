// Runs repository code inside bubblewrap (docs/operations.md, "Repository code is
// sandboxed"): the argv comes from sandboxArgv, bwrap itself is started with nothing but
// the code's own environment — its /proc/1/environ is visible inside the pid namespace, so
// it must hold nothing the code may not see.
import type { Redactor } from '../core/redactor.ts';
import { runLocalScriptProgram } from './run-local-command.ts';
import { sandboxArgv, type SandboxMount } from './sandbox-argv.ts';
import type { ScriptResult } from './command-result.ts';

export const DEFAULT_BWRAP = '/usr/bin/bwrap';

export interface SandboxedRunOptions {
  bwrapPath: string;
  mounts: readonly SandboxMount[];
  /** Working directory as the code sees it. */
  cwd: string;
  env: Record<string, string>;
  network: boolean;
  timeoutMs: number;
  redactor: Redactor;
  tailLines?: number;
}

/** `/bin/sh -c script` in the sandbox. */
export function runSandboxedScript(script: string, options: SandboxedRunOptions): Promise<ScriptResult> {
  return runSandboxedProgram(['/bin/sh', '-c', script], options);
}

/** A program with arguments (no shell) in the sandbox. */
export function runSandboxedProgram(command: readonly string[], options: SandboxedRunOptions): Promise<ScriptResult> {
  const args = sandboxArgv({ mounts: options.mounts, cwd: options.cwd, env: options.env, network: options.network, command });
  return runLocalScriptProgram(options.bwrapPath, args, {
    cwd: '/',
    env: { ...options.env },
    timeoutMs: options.timeoutMs,
    redactor: options.redactor,
    ...(options.tailLines ? { tailLines: options.tailLines } : {}),
  });
}
