import { DeploybotError } from '../core/errors.ts';
import { isProcessAlive } from './process-alive.ts';
import { waitUntil } from './wait-until.ts';

export interface StopProcessOptions {
  /** How long to wait after SIGTERM before SIGKILL. @defaultValue 5000 */
  graceMs?: number;
  /** @defaultValue 'SIGTERM' */
  signal?: NodeJS.Signals;
}

/**
 * Stops a process by PID and resolves once it has exited: `signal` (plus SIGCONT, in case it was
 * stopped), then SIGKILL when it outlives `graceMs`. A PID that is already gone resolves at once.
 */
export async function stopProcess(pid: number, options: StopProcessOptions = {}): Promise<void> {
  if (!isProcessAlive(pid)) return;
  sendSignal(pid, options.signal ?? 'SIGTERM');
  sendSignal(pid, 'SIGCONT');
  const gone = (): boolean => !isProcessAlive(pid);
  try {
    await waitUntil(gone, { what: `process ${pid} to exit`, timeoutMs: options.graceMs ?? 5000, intervalMs: 20 });
    return;
  } catch {
    sendSignal(pid, 'SIGKILL');
  }
  try {
    await waitUntil(gone, { what: `process ${pid} to exit after SIGKILL`, timeoutMs: 5000, intervalMs: 20 });
  } catch {
    throw new DeploybotError('process_stop_failed', `process ${pid} did not exit after SIGKILL`);
  }
}

/** Sends a signal, ignoring "no such process". */
export function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
