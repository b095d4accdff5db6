// Publishes one deploy's notices in the order they were emitted, one append at a time: what is
// emitted while an append is on its way to Redis goes in the next one. A deploy to a thousand
// hosts emits notices faster than one round trip each, and without batching its last notices
// (and so its end) would reach its watchers long after the engine finished.
import type { DeployNotice } from '../deploy/deploy-notice.ts';
import type { DeployEventBus } from './deploy-event-bus.ts';

export interface BatchingPublisher<N extends DeployNotice> {
  /** Queues the notice; never throws. */
  publish(notice: N): void;
  /** Resolves once every notice queued so far has been appended (or its append failed and was reported). */
  flush(): Promise<void>;
}

export function batchingPublisher<N extends DeployNotice>(bus: Pick<DeployEventBus, 'publishAll'>, onError: (error: unknown, count: number) => void): BatchingPublisher<N> {
  const waiting: N[] = [];
  let draining: Promise<void> | undefined;
  const drain = async () => {
    while (waiting.length > 0) {
      const batch = waiting.splice(0, waiting.length);
      try {
        await bus.publishAll(batch);
      } catch (error) {
        onError(error, batch.length);
      }
    }
    draining = undefined;
  };
  return {
    publish(notice) {
      waiting.push(notice);
      draining ??= drain();
    },
    flush: () => draining ?? Promise.resolve(),
  };
}
