// Bounds a piece of work in time: the one timeout race. On timeout, `onTimeout` runs (e.g.
// destroy the host's connection so the hung work fails fast too) and the promise rejects with
// a DeploybotError `timeout` saying "<what> timed out after <duration>".
import { DeploybotError } from '../core/errors.ts';
import { formatDuration } from '../domain/format-duration.ts';

export async function withTimeout<T>(work: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new DeploybotError('timeout', `${what} timed out after ${formatDuration(ms)}`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}
