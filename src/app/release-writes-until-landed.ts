// The release-store writes of gray/review cancel and review promote, retried through a
// store outage up to the deploy's `recordTimeout` like a deploy's record step
// (store-write-until-landed.ts, docs/operations.md "When ZooKeeper is away"). A retried
// write recognises its own earlier attempt that landed without an answer.
import { DeploybotError, RefusedError } from '../core/errors.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { landedPromote } from '../domain/landed-promote.ts';
import { reviewChannelOf } from '../domain/release-names.ts';
import type { PromoteResult } from '../domain/release-transitions.ts';
import type { JobRuntime } from './job-runtime.ts';
import { promoteGuard } from './record-release.ts';
import { storeWriteUntilLanded } from './store-write-until-landed.ts';

/**
 * Gray/review cancel's write, retried through a store outage; `removed` is also true when an
 * earlier attempt that went unanswered had removed it (nothing is there any more).
 */
export function removeUntilLanded(rt: JobRuntime, record: DeployRecord, again: string): Promise<{ removed: boolean }> {
  return storeWriteUntilLanded(rt, record, {
    what: `remove ${record.release}`,
    then: `run \`${again}\` once it is back`,
    write: async (attempt) => {
      const { removed } = await rt.releases.removeRelease({ project: record.project, market: record.market, release: record.release });
      return { removed: removed || attempt > 1 };
    },
  });
}

/** Review promote's write, retried through a store outage; an earlier attempt that landed unanswered is recognised (landed-promote.ts). */
export function promoteUntilLanded(rt: JobRuntime, record: DeployRecord): Promise<PromoteResult> {
  const guard = promoteGuard(record);
  return storeWriteUntilLanded(rt, record, {
    what: `promote ${record.release}`,
    then: `once it is back, run \`review promote ${record.project} ${record.market} ${reviewChannelOf(record.release)}\` again if \`status ${record.project} ${record.market}\` still shows ${record.release}`,
    write: async (attempt) => {
      try {
        return await rt.releases.promote({ project: record.project, market: record.market, release: record.release, deployId: record.id, by: record.requestedBy, at: rt.now().toISOString(), ...guard, ...(record.platforms ? { platforms: record.platforms } : {}) });
      } catch (error) {
        const landed = attempt > 1 && error instanceof RefusedError && error.code === 'promote_no_release' ? landedPromote(await rt.releases.read(record.project, record.market), record.release, guard.expectVersions) : undefined;
        if (landed) return landed;
        throw error;
      }
    },
  });
}

/** The write was given up: the store stayed away past the deploy's `recordTimeout`, or the deploy ended meanwhile (`cancel --force`). */
export function isWriteAbandoned(error: unknown): error is DeploybotError {
  return error instanceof DeploybotError && (error.code === 'record_timeout' || error.code === 'deploy_ended');
}
