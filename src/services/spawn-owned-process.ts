import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { signalTree } from './process-tree.ts';

export interface SpawnOwnedOptions {
  /** stdout and stderr are appended here. */
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Own process group (so the whole group can be signalled). @defaultValue false */
  detached?: boolean;
}

const owned = new Set<number>();
let exitHookInstalled = false;

/**
 * Spawns a long-running service process that cannot outlive us: it gets SIGKILL when this
 * process (the spawning thread) dies, through `setpriv --pdeathsig` (util-linux) when present,
 * and it and its descendants are killed on a normal exit too. The PID returned is the service's
 * own (setpriv execs it). The child is unref'd: it never keeps the event loop alive.
 */
export function spawnOwnedProcess(command: string, args: string[], options: SpawnOwnedOptions): ChildProcess {
  installExitHook();
  const log = openSync(options.logFile, 'a');
  const setpriv = findSetpriv();
  const [file, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', command, ...args]] : [command, args];
  let child: ChildProcess;
  try {
    child = spawn(file, argv, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', log, log],
      detached: options.detached ?? false,
    });
  } finally {
    closeSync(log);
  }
  child.on('error', () => {
    // reported through exitCode/startup probes; never an unhandled 'error' event
  });
  child.unref();
  const pid = child.pid;
  if (pid !== undefined) {
    owned.add(pid);
    child.once('exit', () => owned.delete(pid));
  }
  return child;
}

/** Forget a PID that was stopped on purpose (it is no longer killed on exit). */
export function disownProcess(pid: number): void {
  owned.delete(pid);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of owned) signalTree(pid, 'SIGKILL');
  });
}

let setprivPath: string | null | undefined;
function findSetpriv(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  for (const candidate of ['/usr/bin/setpriv', '/bin/setpriv']) {
    try {
      accessSync(candidate, constants.X_OK);
      setprivPath = candidate;
      break;
    } catch {
      // not here
    }
  }
  return setprivPath;
}

/**
 * Resolves once Node has reaped `child` (its 'exit' event), so no zombie is left behind when the
 * caller exits right after stopping it. Call after the process was signalled.
 */
export function childExited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  child.ref(); // an unref'd child would let the event loop end before its exit is seen
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
