// Deploys to one (project, location) run in the order they were requested (docs/reference/deploy-lifecycle.md: "a
// second is queued behind it"): a later deploy whose build happened to be ready first must
// not go out before an earlier one and then be overwritten by it.
import type { DeployRecord, DeployState } from './deploy-record.ts';

/** What the queue order reads of a deploy. */
export type QueuedDeploy = Pick<DeployRecord, 'id' | 'location' | 'state' | 'createdAt'> & Partial<Pick<DeployRecord, 'scheduledAt'>>;

/** Not finished and not parked on a human (a rollout paused part-way still holds its location): these hold later deploys of their location back. */
const AHEAD_STATES: ReadonlySet<DeployState> = new Set(['preparing', 'queued', 'running', 'paused']);

/** The deploy holding `deploy`'s location (`holder`, from the lease) when that is another deploy: it waits behind it. */
export function holderAhead(deploy: QueuedDeploy, holder: string | undefined): string | undefined {
  return holder && holder !== deploy.id ? holder : undefined;
}

/** The earliest requested of `others` still active at `deploy`'s location and requested before it; none: nothing earlier holds it back. */
export function earliestAhead(deploy: QueuedDeploy, others: readonly QueuedDeploy[]): string | undefined {
  return others
    .filter((r) => r.id !== deploy.id && r.location === deploy.location && AHEAD_STATES.has(r.state) && requestedBefore(r, deploy))
    .sort((a, b) => (requestedBefore(a, b) ? -1 : 1))[0]?.id;
}

/**
 * Request order: by creation time — a scheduled deploy's is its time, so it holds back no
 * deploy requested before its time comes (docs/scheduling.md) — then by deploy id (numeric
 * parts as numbers).
 */
export function requestedBefore(a: QueuedDeploy, b: QueuedDeploy): boolean {
  const [dueA, dueB] = [dueMs(a), dueMs(b)];
  if (dueA !== dueB) return dueA < dueB;
  return a.id.localeCompare(b.id, 'en', { numeric: true }) < 0;
}

function dueMs(deploy: QueuedDeploy): number {
  return Date.parse(deploy.scheduledAt ?? deploy.createdAt);
}
