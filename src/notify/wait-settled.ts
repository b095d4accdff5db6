// `Notifier.settled`: resolves once a deploy's record is idle (finished, or parked awaiting
// approval or its `--at` time) and the notifier has rendered every notice published so far for it, its edits
// landed. A record that is idle but whose state no notice told is taken as settled after a
// grace period (and logged).
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { DeploybotError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { isParked } from '../domain/deploy-record.ts';
import type { DeployRecords } from '../store/deploy-records.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import { nextRender, type RenderScheduler } from './render-scheduler.ts';

export interface WaitSettledOptions {
  scheduler: RenderScheduler;
  records: DeployRecords;
  redis: Redis;
  keys: RedisKeys;
  /** How often the deploy is re-checked between renders. */
  pollMs: number;
  /** How long to wait for the notice of a state the record already shows. */
  stateNoticeGraceMs: number;
  stopped(): boolean;
  logger: Logger;
}

export async function waitSettled(o: WaitSettledOptions, deployId: string): Promise<void> {
  let idleSince: number | undefined;
  for (;;) {
    if (o.stopped()) throw new DeploybotError('notifier_stopped', `the notifier stopped before ${deployId} settled`);
    const track = o.scheduler.track(deployId);
    const next = nextRender(track);
    try {
      if (!track.running) {
        const [record, published] = await Promise.all([o.records.get(deployId), o.redis.llen(o.keys.deployEvents(deployId))]);
        if (!record) return;
        if (!track.running) {
          if (published > track.renderedCount) {
            if (!track.retry) o.scheduler.schedule(deployId);
          } else if (isParked(record, Date.now())) {
            if (track.renderedState === record.state) return;
            idleSince ??= Date.now();
            if (Date.now() - idleSince >= o.stateNoticeGraceMs) {
              o.logger.warn('deploy record is idle but no notice told its state; treating it as settled', { deployId, state: record.state, rendered: track.renderedState });
              return;
            }
          } else {
            idleSince = undefined;
          }
        }
      }
      await Promise.race([next.promise, delay(o.pollMs)]);
    } finally {
      next.cancel();
    }
  }
}
