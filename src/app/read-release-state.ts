// The release state a job step starts from, or the reason it cannot start: a value in the
// store that fails its checks (docs/operations.md, "Corrupt release state") refuses the step
// with the node named, before anything is built, queued or switched.
import { DeploybotError } from '../core/errors.ts';
import type { MarketReleases } from '../domain/release-state.ts';
import type { JobRuntime } from './job-runtime.ts';

export type ReleaseStateRead = { ok: true; state: MarketReleases } | { ok: false; reason: string };

export function isCorruptReleaseState(error: unknown): error is DeploybotError {
  return error instanceof DeploybotError && error.code === 'release_state_corrupt';
}

export async function readReleaseState(rt: Pick<JobRuntime, 'releases'>, project: string, market: string): Promise<ReleaseStateRead> {
  try {
    return { ok: true, state: await rt.releases.read(project, market) };
  } catch (error) {
    if (isCorruptReleaseState(error)) return { ok: false, reason: error.message };
    throw error;
  }
}
