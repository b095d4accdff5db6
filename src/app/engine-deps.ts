// The deploy engine's dependencies for one deploy: its checkpoint in Redis and its events
// published, in order, to the deploy's watchers.
import type { DeployEngineDeps } from '../deploy/deploy-context.ts';
import type { DeployEvent } from '../deploy/deploy-events.ts';
import { batchingPublisher } from '../store/batching-publisher.ts';
import { RedisCheckpoint } from '../store/redis-checkpoint.ts';
import type { JobRuntime } from './job-runtime.ts';

export interface EngineSession {
  deps: DeployEngineDeps;
  /** Resolves once every event emitted so far is published. */
  flush(): Promise<void>;
}

/** `part` separates the checkpoints of several engine runs within one deploy (gray cancel). */
export function engineSession(rt: JobRuntime, deployId: string, extra: Partial<DeployEngineDeps> = {}, part?: string, location?: { market: string; name: string }): EngineSession {
  const relay = location ? rt.config.markets[location.market]?.locations[location.name]?.relay : undefined;
  const events = batchingPublisher<DeployEvent>(rt.bus, (error, count) => rt.logger.warn('events not published', { deployId, count, error }));
  return {
    deps: {
      config: rt.config,
      dataDir: rt.dataDir,
      checkpoint: new RedisCheckpoint(rt.redis, rt.keys.checkpoint(part ? `${deployId}.${part}` : deployId)),
      onEvent: (event) => events.publish(event),
      now: rt.now,
      redactor: rt.redactor,
      sandbox: rt.sandbox,
      ...(rt.transport ? { transport: rt.transport } : {}),
      ...(relay ? { relay } : {}),
      ...extra,
    },
    flush: () => events.flush(),
  };
}
