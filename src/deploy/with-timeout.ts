// Bounds a piece of work in time. On timeout, `onTimeout` runs (e.g. destroy the host's
// connection so the hung work fails fast too) and the promise rejects with a DeploybotError.
import { DeploybotError } from '../core/errors.ts';

export async function withTimeout<T>(work: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new DeploybotError('timeout', `${what} timed out after ${formatMs(ms)}`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
