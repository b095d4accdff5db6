import { readFileSync } from 'node:fs';

/**
 * True when `pid` is a live process. A zombie (exited, not yet reaped — common for orphans
 * when PID 1 does not reap) counts as dead.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !['Z', 'X', 'x'].includes(processState(pid) ?? 'X');
}

/** The one-letter state from /proc/<pid>/stat (R, S, D, T, Z …), or undefined when gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
