// The deploy engine's dependencies for one deploy: its checkpoint in Redis and its events
// published, in order, to the deploy's watchers.
import type { DeployEngineDeps } from '../deploy/deploy-context.ts';
import type { DeployEvent } from '../deploy/deploy-events.ts';
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
  let chain: Promise<void> = Promise.resolve();
  const publish = (event: DeployEvent) => {
    chain = chain.then(() => rt.bus.publish(event)).catch((error) => rt.logger.warn('event not published', { deployId, error }));
  };
  return {
    deps: {
      config: rt.config,
      dataDir: rt.dataDir,
      checkpoint: new RedisCheckpoint(rt.redis, rt.keys.checkpoint(part ? `${deployId}.${part}` : deployId)),
      onEvent: publish,
      now: rt.now,
      redactor: rt.redactor,
      sandbox: rt.sandbox,
      ...(rt.transport ? { transport: rt.transport } : {}),
      ...(relay ? { relay } : {}),
      ...extra,
    },
    flush: () => chain,
  };
}
