import { DeploybotError } from '../core/errors.ts';
import { formatDuration } from '../domain/format-duration.ts';

export interface WaitUntilOptions {
  /** What is awaited, for the error message: "redis on 127.0.0.1:6379 to answer PING". */
  what: string;
  timeoutMs: number;
  /** @defaultValue 50 */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, and returns that value.
 * A probe that throws ends the wait at once with its error (use it for "the process died").
 * Past the deadline it throws a `wait_timeout` error naming `what`.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitUntilOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 50;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) {
      throw new DeploybotError('wait_timeout', `timed out after ${formatDuration(options.timeoutMs)} waiting for ${options.what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(1, deadline - Date.now()))));
  }
}
