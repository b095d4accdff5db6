// Deploys to one (project, location) run in the order they were requested (SPEC §4: "a
// second is queued behind it"): a later deploy whose build happened to be ready first must
// not go out before an earlier one and then be overwritten by it.
import type { DeployRecord, DeployState } from '../domain/deploy-record.ts';
import type { JobRuntime } from './job-runtime.ts';

/** Not finished and not parked on a human: these hold later deploys of their location back. */
const AHEAD_STATES: ReadonlySet<DeployState> = new Set(['preparing', 'queued', 'running']);

/**
 * `<deploy id>/<execution>`: the location lease names the execution of a deploy that holds
 * it (run-deploy-job.ts); this is the deploy.
 */
export function leaseHolder(lease: string): string {
  return lease.split('/')[0]!;
}

/** The deploy this one waits behind: the one holding the location, else the oldest earlier one still active there. */
export async function deployAhead(rt: JobRuntime, record: DeployRecord): Promise<string | undefined> {
  const lease = await rt.locationLock.holder(record.project, record.market, record.location);
  const holder = lease ? leaseHolder(lease) : undefined;
  if (holder && holder !== record.id) return holder;
  const recent = await rt.records.history(record.project, record.market, 50);
  return recent
    .filter((r) => r.id !== record.id && r.location === record.location && AHEAD_STATES.has(r.state) && requestedBefore(r, record))
    .sort((a, b) => (requestedBefore(a, b) ? -1 : 1))[0]?.id;
}

function requestedBefore(a: DeployRecord, b: DeployRecord): boolean {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  return a.id.localeCompare(b.id, 'en', { numeric: true }) < 0;
}
