// A deploy's write to the release store, retried until it lands (docs/operations.md "When
// ZooKeeper is away"): while the store is unavailable it is tried again, with a growing pause,
// until the deploy's `recordTimeout`. The write is told which attempt it is: a write that
// failed unconfirmed may have landed, so a later attempt must recognise its own earlier
// write (the store's writes are idempotent, or the caller checks). A deploy ended meanwhile
// (`cancel --force`) writes nothing more.
import { DeploybotError, errorMessage } from '../core/errors.ts';
import { type DeployRecord, isTerminal } from '../domain/deploy-record.ts';
import type { JobRuntime } from './job-runtime.ts';

/** The deploy's `recordTimeout`: its market's, else its project's (default 5 min). */
function recordTimeoutOf(rt: JobRuntime, record: DeployRecord): number {
  return rt.config.markets[record.market]?.recordTimeout ?? rt.config.projects[record.project]!.recordTimeout;
}

export interface StoreWrite<T> {
  /** What the write does, for the error: "record the release", "remove review-appstore". */
  what: string;
  /** What to do about it, for the error: "run `sync mala-core brazil` once it is back". */
  then: string;
  write: (attempt: number) => Promise<T>;
  /** Called once before giving up (the deploy's warning). */
  onGiveUp?: (info: { timeoutMs: number; error: string }) => Promise<void>;
}

export async function storeWriteUntilLanded<T>(rt: JobRuntime, record: DeployRecord, step: StoreWrite<T>): Promise<T> {
  const timeoutMs = recordTimeoutOf(rt, record);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt += 1) {
    const now = await rt.records.get(record.id);
    if (now && isTerminal(now.state)) throw new DeploybotError('deploy_ended', `${record.id} ended ${now.state} before the release store could ${step.what}; nothing was written`);
    try {
      return await step.write(attempt);
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      const left = deadline - Date.now();
      if (left <= 0) {
        await step.onGiveUp?.({ timeoutMs, error: errorMessage(error) });
        throw new DeploybotError('record_timeout', `the release store could not ${step.what} within ${Math.round(timeoutMs / 1000)} s (${attempt} attempts): ${errorMessage(error)}; ${step.then}`);
      }
      rt.logger.warn('release store unavailable; retrying', { deployId: record.id, what: step.what, attempt, error: errorMessage(error) });
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 250 * 2 ** Math.min(attempt, 4))));
    }
  }
}

function isUnavailable(error: unknown): boolean {
  return error instanceof DeploybotError && error.code === 'zookeeper_unavailable';
}
