// Job phase 1 (docs/reference/deploy-lifecycle.md steps 1–4, §7): validate the command against the policy and the
// release rules as they are now, resolve, check the policy that needs the commit, and only
// then build (or choose the rollback target), then either ask for the approval of that plan
// or queue the run.
import { randomUUID } from 'node:crypto';
import type { DeployPlan } from '../deploy/deploy-plan.ts';
import { approvedPlan } from '../domain/approved-plan.ts';
import type { ApprovedPlan, DeployRecord } from '../domain/deploy-record.ts';
import { refusalWarning } from '../domain/gray-warnings.ts';
import { GRAY_RELEASE, PRODUCTION_RELEASE } from '../domain/release-names.ts';
import { productionRelease, type MarketReleases } from '../domain/release-state.ts';
import { commitsSince, isAncestorCommit } from './commits-since.ts';
import type { DowngradeFrom } from '../deploy/deploy-notice.ts';
import { engineSession } from './engine-deps.ts';
import type { JobRuntime } from './job-runtime.ts';
import { checkBeforeBuild } from './check-before-build.ts';
import { keepLease } from './keep-lease.ts';
import { needsApproval } from './needs-approval.ts';
import { planPartsNow } from './plan-parts.ts';
import { prepareBuild } from './prepare-build.ts';
import { readReleaseState } from './read-release-state.ts';
import { targetOfRecord } from './target-of-record.ts';
import { lockInTheWay } from './lock-in-the-way.ts';
import { pendingTwin } from './pending-twin.ts';

export type PrepareOutcome = { kind: 'done' } | { kind: 'wait'; behind: string; untilMs?: number };

/**
 * Phase 1 under the deploy's prepare lease: a second execution of it (a stalled job BullMQ
 * delivered again) waits while the first holds the lease, and an execution that lost the
 * lease acts no more — the lease is checked before every side effect.
 */
export async function prepareDeploy(rt: JobRuntime, deployId: string): Promise<PrepareOutcome> {
  const record = await rt.records.require(deployId);
  if (record.state !== 'preparing') return { kind: 'done' };
  const execution = `${deployId}/${randomUUID()}`;
  if (await rt.prepareLease.acquire(deployId, execution)) {
    // held by another execution: wait for it, unless its process is gone (redis-lease.ts)
    const freed = await rt.prepareLease.freeIfHolderGone(deployId);
    if (!freed || (await rt.prepareLease.acquire(deployId, execution))) return { kind: 'wait', behind: deployId };
  }
  let stopped = false;
  const lease = keepLease({
    ttlMs: rt.prepareLease.ttlMs,
    renew: () => rt.prepareLease.acquire(deployId, execution),
    onLost: (holder) => rt.logger.warn('prepare lease taken over by another execution; this one stops', { deployId, holder }),
    onStop: () => void (stopped = true),
    onError: (error) => rt.logger.warn('prepare lease renewal failed', { deployId, error }),
  });
  // before each side effect: the lease is still ours and the deploy still preparing
  const mayAct = async () => !stopped && (await lease.check()) && (await rt.records.require(deployId)).state === 'preparing';
  try {
    await prepareLeased(rt, record, mayAct);
  } finally {
    lease.stop();
    await rt.prepareLease.release(deployId, execution).catch(() => undefined);
  }
  // stopped by a stall or a lost lease: the job runs again shortly and finds the deploy
  // prepared by the other execution, or prepares it from its checkpoint
  return stopped || lease.lost() ? { kind: 'wait', behind: deployId } : { kind: 'done' };
}

async function prepareLeased(rt: JobRuntime, record: DeployRecord, mayAct: () => Promise<boolean>): Promise<void> {
  const deployId = record.id;
  const refuse = async (reason: string) => (await mayAct()) && rt.setState(deployId, ['preparing'], 'refused', { reason });

  const met = await lockInTheWay(rt, record.verb, record.project, record.market);
  if (met.kind === 'blocks') return void (await refuse(`${record.project} ${record.market} is locked by ${met.lock.by}: ${met.lock.reason}`));

  const read = await readReleaseState(rt, record.project, record.market);
  if (!read.ok) return void (await refuse(read.reason));
  const state = read.state;
  const target = targetOfRecord(rt, record, state);
  if (!target.ok) {
    if (!(await mayAct())) return;
    await rt.notify(deployId, { type: 'job.warning', warning: refusalWarning(target.refusal) });
    return void (await refuse(target.refusal.message));
  }

  // what the card shows and the run must still find (docs/operations.md "What an approval covers")
  const parts = planPartsNow(rt, record, state, record.hosts);
  let plan: ApprovedPlan;
  let diffSummary: string[] | undefined;
  if (record.verb === 'rollback' || record.verb === 'review promote') {
    plan = approvedPlan(parts);
  } else {
    const pinned = record.verb === 'gray promote' ? state.releases[GRAY_RELEASE]?.current : undefined;
    if (!(await mayAct())) return;
    const releaseAt = record.releaseAt ?? (await rt.history.allocateReleaseTime(record.project, new Date(record.createdAt))).toISOString();
    if (!record.releaseAt) await rt.records.update(deployId, (r) => ({ ...r, releaseAt }));
    const session = engineSession(rt, deployId);
    // no repository code runs before the policy passed: resolve → checkBeforeBuild → build
    const policyCheck = checkBeforeBuild(rt, record);
    let leaseLost = false;
    const built = await prepareBuild(enginePlan({ ...record, releaseAt }, pinned?.commit), session.deps, async (commit) => {
      if (!(await mayAct())) {
        leaseLost = true;
        return 'the prepare lease was lost';
      }
      return policyCheck(commit);
    });
    await session.flush();
    if (leaseLost || !(await mayAct())) return;
    if (!built.ok) return void (await (built.refused ? refuse(built.error.message) : rt.setState(deployId, ['preparing'], 'failed', { reason: built.error.message })));
    plan = approvedPlan({ ...parts, commit: built.commit, packageSha256: built.packageSha256, releaseId: built.releaseId });
    diffSummary = await diffSinceProduction(rt, record, state, built.commit);
    await rt.records.update(deployId, (r) => ({ ...r, commit: built.commit, ...commitAt(built.commitTime), ...(built.commitSubject ? { commitSubject: built.commitSubject } : {}), releaseId: built.releaseId }));
  }

  const policy = rt.config.markets[record.market]!.approval;
  if (needsApproval(rt.config, record.market, rt.commands.find(record.verb)) && policy !== 'none') {
    // a scheduled deploy is decided by its time at the latest; once approved, the approval
    // holds until then (docs/scheduling.md "Approval in advance")
    const expiresAtMs = approvalDeadline(rt.now().getTime(), policy.expiresAfter, record.scheduledAt);
    const expiresAt = new Date(expiresAtMs).toISOString();
    const patch = { plan, approval: { approvers: [...policy.approvers], required: policy.required, expiresAt, approvedBy: [] } };
    // the card's notice goes out before the state changes, so whoever waits for the deploy
    // to park (the console's `wait`) finds the card already rendered
    if (!(await mayAct())) return;
    const current = await rt.records.require(deployId);
    const twin = await pendingTwin(rt, current, plan);
    if (twin) return void (await refuse(`${twin.id} with the same plan is already waiting for approval; approve or reject that one (nothing else was asked)`));
    const downgradeFrom = await downgradeOf(rt, record, state, plan.commit);
    await rt.notify(deployId, { type: 'job.approval-requested', record: { ...current, ...patch, state: 'awaiting-approval' }, ...(diffSummary ? { diffSummary } : {}), ...(downgradeFrom ? { downgradeFrom } : {}) });
    const parked = await rt.setState(deployId, ['preparing'], 'awaiting-approval', patch);
    if (parked) await rt.enqueue('expire', deployId, Math.max(0, expiresAtMs - rt.now().getTime()));
    return;
  }
  if (!(await mayAct())) return;
  const queued = await rt.setState(deployId, ['preparing'], 'queued', { plan });
  if (queued) await rt.enqueue('run', deployId);
}

/** When an approval card expires: `expiresAfter` from now, or the scheduled time if that comes first. */
function approvalDeadline(nowMs: number, expiresAfterMs: number, scheduledAt: string | undefined): number {
  const deadline = nowMs + expiresAfterMs;
  return scheduledAt ? Math.max(nowMs, Math.min(deadline, Date.parse(scheduledAt))) : deadline;
}

/** The engine plan of a recorded deploy. */
export function enginePlan(record: DeployRecord, commit?: string, extra: Partial<DeployPlan> = {}): DeployPlan {
  return {
    deployId: record.id,
    kind: 'deploy',
    project: record.project,
    market: record.market,
    location: record.location,
    release: record.release,
    ref: record.ref ?? record.version ?? '',
    version: record.version ?? record.ref ?? '',
    hosts: record.hosts,
    requestedBy: record.requestedBy,
    createdAt: record.releaseAt ?? record.createdAt,
    ...(commit ? { commit } : {}),
    ...extra,
  };
}

/** Production's commit and version when `commit` is older than it (its ancestor). */
async function downgradeOf(rt: JobRuntime, record: DeployRecord, state: MarketReleases, commit: string | undefined): Promise<DowngradeFrom | undefined> {
  if (!commit || record.verb === 'rollback') return undefined;
  const production = productionRelease(state)?.current;
  if (!production?.commit || production.commit === commit) return undefined;
  if (!(await isAncestorCommit(rt.dataDir, record.project, commit, production.commit))) return undefined;
  return { commit: production.commit, ...(production.version ? { version: production.version } : {}) };
}

async function diffSinceProduction(rt: JobRuntime, record: DeployRecord, state: MarketReleases, commit: string): Promise<string[] | undefined> {
  if (record.release !== PRODUCTION_RELEASE && record.verb !== 'gray start') return undefined;
  const since = productionRelease(state)?.current?.commit;
  if (!since || since === commit) return undefined;
  return commitsSince(rt.dataDir, record.project, since, commit);
}

/** When the deployed commit was made, for the lead time (docs/deploy-page.md, "DORA figures"). */
function commitAt(unixSeconds: number): { commitAt?: string } {
  return Number.isFinite(unixSeconds) && unixSeconds > 0 ? { commitAt: new Date(unixSeconds * 1000).toISOString() } : {};
}
