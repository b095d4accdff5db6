// Runs commands on this machine: hook scripts with `/bin/sh -c` (worker hooks, the build
// command, hooks of local hosts) and programs with argv (tar, git). A script gets exactly
// the environment it is given; on timeout its whole process group is killed.
import { spawn } from 'node:child_process';
import type { Redactor } from '../core/redactor.ts';
import { OutputTail } from './output-tail.ts';
import type { CommandResult, ScriptResult } from './command-result.ts';

export interface LocalScriptOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  redactor: Redactor;
  tailLines?: number;
}

export function runLocalScript(script: string, options: LocalScriptOptions): Promise<ScriptResult> {
  return runLocalScriptProgram('/bin/sh', ['-c', script], options);
}

/** Runs a script-like program (the shell, or bwrap around it) as runLocalScript does: own process group, timeout, redacted tail. */
export function runLocalScriptProgram(file: string, args: readonly string[], options: LocalScriptOptions): Promise<ScriptResult> {
  const started = Date.now();
  const tail = new OutputTail(options.redactor);
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => tail.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => tail.push(chunk));
    const finish = (exitCode: number | null, note?: string) => {
      clearTimeout(timer);
      if (note) tail.push(`\n${note}\n`);
      resolve({ exitCode, timedOut, durationMs: Date.now() - started, outputTail: tail.lines(options.tailLines ?? 20) });
    };
    child.on('error', (error) => finish(null, `cannot run ${file}: ${error.message}`));
    child.on('close', (code, signal) => {
      // the script is done: anything it left running in its group goes too
      killGroup(child.pid);
      finish(code, timedOut ? `killed after ${options.timeoutMs} ms (timeout)` : signal ? `killed by ${signal}` : undefined);
    });
  });
}

export interface LocalProgramOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  input?: string;
  /** In a session of its own (setsid), so what it leaves running outlives this process's group. */
  detached?: boolean;
}

/** Runs `file` with `args` (no shell); resolves with its exit code and output, never rejects on a non-zero exit. */
export function runLocalProgram(file: string, args: readonly string[], options: LocalProgramOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, detached: options.detached ?? false, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // the program may exit without reading its input
      child.stdin.end(options.input);
    }
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
