// While a `gray promote` / `review promote` awaits approval or runs, its release must stay
// what the approver saw (docs/operations.md "What an approval covers"): starting that release
// again is refused naming the promote; cancelling the release voids the promote instead.
import type { DeployRecord, DeployState } from '../domain/deploy-record.ts';
import { displayUser } from '../domain/people.ts';
import { GRAY_RELEASE } from '../domain/release-names.ts';
import type { JobRuntime } from './job-runtime.ts';

const PENDING: ReadonlySet<DeployState> = new Set(['preparing', 'awaiting-approval', 'queued', 'running']);
/** Not yet running: these a cancel of their release voids. */
const VOIDABLE: readonly DeployState[] = ['preparing', 'awaiting-approval', 'queued'];

/** The release a promote takes (gray, or its review release); undefined for other verbs. */
export function promotedReleaseOf(record: Pick<DeployRecord, 'verb' | 'release'>): string | undefined {
  if (record.verb === 'gray promote') return GRAY_RELEASE;
  if (record.verb === 'review promote') return record.release;
  return undefined;
}

/** Promotes of `release` in (project, market) that await approval, wait or run, oldest first. */
export async function pendingPromotes(rt: JobRuntime, project: string, market: string, release: string): Promise<DeployRecord[]> {
  const recent = await rt.records.history(project, market, 100);
  return recent.filter((r) => PENDING.has(r.state) && promotedReleaseOf(r) === release).reverse();
}

/** The refusal of a start of `release` while a promote of it is pending, or undefined. */
export async function pendingPromoteRefusal(rt: JobRuntime, project: string, market: string, release: string, verb: string): Promise<string | undefined> {
  const pending = (await pendingPromotes(rt, project, market, release))[0];
  if (!pending) return undefined;
  const cancel = release === GRAY_RELEASE ? `gray cancel ${project} ${market}` : `review cancel ${project} ${market} ${pending.location}`;
  return `Refused: ${pending.verb} ${pending.id} of ${release} is ${pending.state}; a ${verb} now would change what it promotes. Wait for it, or \`${cancel}\` (which voids it). Nothing was queued.`;
}

/** A cancel of `release` (deploy `cancelId`, asked by `user`) voids its pending promotes; a running one is left to finish. */
export async function voidPendingPromotes(rt: JobRuntime, project: string, market: string, release: string, cancelId: string, user: string): Promise<string[]> {
  const voided: string[] = [];
  const at = rt.now().toISOString();
  for (const promote of await pendingPromotes(rt, project, market, release)) {
    const reason = `voided by ${cancelId} (${release === GRAY_RELEASE ? 'gray' : 'review'} cancel by ${displayUser(rt.config.people, user)}): the release it would promote is being removed`;
    const done = await rt.setState(promote.id, VOIDABLE, 'cancelled', { reason, cancelRequested: { by: user, at } }, user);
    if (!done) continue;
    for (const phase of ['prepare', 'run', 'expire']) await rt.queue.remove(`${promote.id}.${phase}`).catch(() => undefined);
    voided.push(promote.id);
  }
  return voided;
}
