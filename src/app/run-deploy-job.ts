// Job phase 2 (docs/reference/deploy-lifecycle.md steps 5–8): one deploy at a time per (project, location), the
// approval re-checked against the plan as it would run now, cancellation at safe points,
// and the outcome recorded. A worker that takes over a dead worker's job lands here with
// the record still `running` and resumes through the engine's checkpoint.
import { randomUUID } from 'node:crypto';
import { traceableFailure } from '../core/traceable-failure.ts';
import { type DeployRecord, isTerminal } from '../domain/deploy-record.ts';
import { approvedAfterExpiry } from '../domain/approval-expiry.ts';
import { basisReleases, planBasis } from '../domain/plan-basis.ts';
import { refusalWarning } from '../domain/gray-warnings.ts';
import { displayUser } from '../domain/people.ts';
import { deployAhead, leaseHolder } from './deploy-ahead.ts';
import { executeVerb, type VerbOutcome } from './execute-verb.ts';
import type { JobRuntime } from './job-runtime.ts';
import { keepLease, type LeaseKeeper } from './keep-lease.ts';
import { planChanges } from './plan-changes.ts';
import { targetOfRecord } from './target-of-record.ts';
import { readReleaseState } from './read-release-state.ts';
import { lockInTheWay } from './lock-in-the-way.ts';
import { requestedOf } from './control-rollout.ts';
import type { RolloutControl } from '../deploy/deploy-context.ts';
import { timeRefusal } from './time-rules.ts';

/** `untilMs`: try again then (a scheduled deploy before its time), not after the usual short wait. */
export type RunJobOutcome = { kind: 'done' } | { kind: 'wait'; behind: string; untilMs?: number };

export async function runDeployJob(rt: JobRuntime, deployId: string): Promise<RunJobOutcome> {
  let record = await rt.records.require(deployId);
  if (record.state !== 'queued' && record.state !== 'running') return { kind: 'done' };
  // a scheduled deploy's job waits, delayed in Redis, until its time (docs/scheduling.md)
  const dueMs = record.scheduledAt ? Date.parse(record.scheduledAt) : undefined;
  if (record.state === 'queued' && dueMs !== undefined && dueMs > rt.now().getTime()) return { kind: 'wait', behind: 'its scheduled time', untilMs: dueMs };
  if (record.state === 'queued') {
    const ahead = await deployAhead(rt, record);
    if (ahead) return waitBehind(rt, record, ahead);
  }
  const lease = `${deployId}/${randomUUID()}`;
  let held = await rt.locationLock.acquire(record.project, record.market, record.location, lease);
  // the execution holding it died with its process (SIGKILL): take over now, not after its TTL
  if (held && leaseHolder(held) === deployId && (await rt.locationLock.freeIfHolderGone(record.project, record.market, record.location))) {
    held = await rt.locationLock.acquire(record.project, record.market, record.location, lease);
  }
  if (held) {
    const holder = leaseHolder(held);
    // another execution of this very deploy still holds it: wait for it quietly
    if (holder === deployId) return { kind: 'wait', behind: holder };
    return waitBehind(rt, record, holder);
  }
  const controller = new AbortController();
  // pause / abort asked of a progressive rollout, read by the heartbeat (control-rollout.ts)
  const control: RolloutControl & { latest: 'pause' | 'abort' | undefined } = { resumes: record.resumes ?? 0, latest: requestedOf(record), requested: () => control.latest };
  // set once this execution writes the deploy's end: the heartbeat then sees a terminal state of its own making, not a takeover
  const ending = { now: false };
  const heartbeat = startHeartbeat(rt, record, lease, controller, (now) => (control.latest = requestedOf(now)), () => ending.now);
  try {
    if (record.state === 'queued' && record.startedAt) {
      // a paused rollout queued again by resume / abort: it already passed the checks of its start
      const resumed = await rt.setState(record.id, ['queued'], 'running', {});
      if (!resumed) return { kind: 'done' };
      record = resumed;
      control.resumes = record.resumes ?? 0;
      control.latest = requestedOf(record);
    } else if (record.state === 'queued') {
      const started = await start(rt, record);
      if (!started) return { kind: 'done' };
      record = started;
    } else {
      await rt.notify(deployId, { type: 'job.note', text: 'the worker running this deploy stopped; another worker took it over and continues where it stopped' });
    }
    let outcome: VerbOutcome;
    try {
      outcome = await executeVerb(rt, record, controller.signal, control);
    } catch (error) {
      outcome = { state: 'failed', reason: traceableFailure(rt.logger, 'deploy failed unexpectedly', { deployId }, error).text };
    }
    // another execution of this deploy took the lease over and finishes it from the checkpoint
    if (heartbeat.lost()) return { kind: 'done' };
    // this event loop stalled past half the lease: stopped at a safe point, resumed from the checkpoint
    if (heartbeat.stalled() && outcome.state === 'cancelled' && !(await rt.records.require(deployId)).cancelRequested) return { kind: 'wait', behind: deployId };
    ending.now = true;
    await finish(rt, deployId, outcome);
    return { kind: 'done' };
  } finally {
    heartbeat.stop();
    await rt.locationLock.release(record.project, record.market, record.location, lease);
  }
}

async function waitBehind(rt: JobRuntime, record: DeployRecord, ahead: string): Promise<RunJobOutcome> {
  const { changed } = await rt.records.update(record.id, (r) => (r.queuedBehind === ahead ? undefined : { ...r, queuedBehind: ahead }));
  if (changed) await rt.notify(record.id, { type: 'job.queued-behind', behind: ahead });
  return { kind: 'wait', behind: ahead };
}

/** queued → running, after the last checks: human lock, release rules now, the approval's expiry, the approved (or retried) plan. */
async function start(rt: JobRuntime, record: DeployRecord): Promise<DeployRecord | undefined> {
  const refuse = (reason: string) => rt.setState(record.id, ['queued'], 'refused', { reason });
  const met = await lockInTheWay(rt, record.verb, record.project, record.market);
  if (met.kind === 'blocks') return void (await refuse(`${record.project} ${record.market} was locked by ${displayUser(rt.config.people, met.lock.by)} while this waited: ${met.lock.reason}`));
  if (record.cancelRequested) return void (await rt.setState(record.id, ['queued'], 'cancelled', { reason: `cancelled by ${displayUser(rt.config.people, record.cancelRequested.by)}` }));
  // freezes and windows as they are now (docs/scheduling.md): a freeze set after the deploy was accepted refuses it here
  const time = await timeRefusal(rt, record.market, rt.commands.find(record.verb), rt.now().getTime(), record.command);
  if (time) return void (await refuse(`${record.scheduledAt ? `at its scheduled time ${record.scheduledAt}: ` : ''}${time.message}`));
  if (approvedAfterExpiry(record.approval)) {
    return void (await rt.setState(record.id, ['queued'], 'expired', { reason: `approved at ${record.approval!.decision!.at}, after the card expired at ${record.approval!.expiresAt}; nothing was changed, request it again` }));
  }
  const read = await readReleaseState(rt, record.project, record.market);
  if (!read.ok) return void (await refuse(read.reason));
  const state = read.state;
  const target = targetOfRecord(rt, record, state);
  if (!target.ok) {
    await rt.notify(record.id, { type: 'job.warning', warning: refusalWarning(target.refusal) });
    return void (await refuse(target.refusal.message));
  }
  const differences = await planChanges(rt, record, state, target.value.hosts);
  if (differences.length > 0) {
    const what = record.verb === 'retry' ? 'the retry is void' : 'the approval is void';
    return void (await rt.setState(record.id, ['queued'], 'failed', { reason: `${what}: ${differences.join('; ')}. Nothing was changed; request the deploy again.` }));
  }
  return rt.setState(record.id, ['queued'], 'running', { startedAt: rt.now().toISOString() });
}

async function finish(rt: JobRuntime, deployId: string, outcome: VerbOutcome): Promise<void> {
  const result = outcome.result;
  if (outcome.state === 'paused') {
    // not finished: the hosts so far serve the new release until resume or abort (control-rollout.ts)
    await rt.setState(deployId, ['running'], 'paused', { ...(outcome.reason ? { reason: outcome.reason } : {}), pauseRequested: undefined, ...(result?.releaseId ? { releaseId: result.releaseId } : {}), ...(result ? { switchedHosts: result.switchedHosts, failedHosts: result.failedHosts } : {}) });
    return;
  }
  const finishedAt = rt.now();
  const current = await rt.records.require(deployId);
  const startedAt = current.startedAt ? Date.parse(current.startedAt) : finishedAt.getTime();
  // a running deploy stopped by `cancel` says who cancelled it, as a queued one does
  const reason = outcome.reason ?? (outcome.state === 'cancelled' && current.cancelRequested ? `cancelled by ${displayUser(rt.config.people, current.cancelRequested.by)}` : undefined);
  // what a retry of this deploy must still find (retry-plan.ts)
  const releases = current.plan?.startsFrom ? Object.keys(current.plan.startsFrom) : basisReleases(current.verb, current.release);
  const endState = await rt.releases.read(current.project, current.market).then((state) => planBasis(releases, state), (error: unknown) => {
    rt.logger.warn('release state not readable at the end of a deploy; a retry of it will compare with its plan instead', { deployId, error });
    return undefined;
  });
  await rt.setState(deployId, ['running'], outcome.state, {
    ...(reason ? { reason } : {}),
    ...(endState ? { endState } : {}),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt,
    ...(result?.commit ? { commit: result.commit } : {}),
    ...(result?.releaseId ? { releaseId: result.releaseId } : {}),
    ...(result ? { switchedHosts: result.switchedHosts, failedHosts: result.failedHosts } : {}),
  });
}

/**
 * Keeps the location lease alive while the job runs (keep-lease.ts) and turns a cancel
 * request into an abort. Renewed ten times per TTL, so the lease outlives a Redis outage of
 * most of its TTL; a lease found taken over (a longer outage, a stalled event loop), or a
 * deploy ended meanwhile (`cancel --force`), stops this execution at the next safe point.
 */
function startHeartbeat(rt: JobRuntime, record: DeployRecord, lease: string, controller: AbortController, onRecord: (now: DeployRecord | undefined) => void, ending: () => boolean): LeaseKeeper {
  return keepLease({
    ttlMs: rt.locationLock.ttlMs,
    renew: async () => {
      // a force-cancelled deploy's lease was released for the next deploy: never keep it
      // (read again after renewing: a cancel between the read and the renewal is undone at once)
      const ended = async () => {
        const now = await rt.records.get(record.id);
        return now && isTerminal(now.state) ? `${now.state} by ${now.cancelRequested?.by ?? 'another execution'}` : undefined;
      };
      const before = await ended();
      if (before) return before;
      const other = await rt.locationLock.acquire(record.project, record.market, record.location, lease);
      if (other) return other;
      const after = await ended();
      if (after) await rt.locationLock.release(record.project, record.market, record.location, lease);
      return after;
    },
    shouldStop: async () => {
      const now = await rt.records.get(record.id);
      onRecord(now);
      return now?.cancelRequested !== undefined;
    },
    onLost: (holder) => {
      if (ending()) return; // the end this execution is writing, seen by a tick before the heartbeat stops
      rt.logger.warn('location lease taken over by another execution, or the deploy ended; stopping at the next safe point', { deployId: record.id, holder });
    },
    onStop: () => {
      if (!controller.signal.aborted) controller.abort();
    },
    onError: (error) => rt.logger.warn('heartbeat failed', { deployId: record.id, error }),
  });
}
