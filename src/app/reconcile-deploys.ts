// The reconciler (docs/operations.md "Stuck deploys"): runs in every worker process on an
// interval and finds unfinished deploys that nothing carries any more — their job gone
// (removed, or completed while the deploy was not) and no execution holding their lease —
// then, once that has lasted the grace period, resumes or fails them (domain/stuck-deploy.ts).
// Several reconcilers at once are safe: the first sighting is one SET NX, and acting on a
// deploy takes a short claim, so only one of them acts on it.
import type { DeployRecord } from '../domain/deploy-record.ts';
import { CARRIED_STATES, stuckDeployAction, type StuckAction } from '../domain/stuck-deploy.ts';
import { leaseHolder } from './deploy-ahead.ts';
import type { JobRuntime } from './job-runtime.ts';

export interface ReconcileOptions {
  /** How long a deploy may go without job and lease before it is acted on. @defaultValue 60 s */
  graceMs?: number;
  /** Resumes of one deploy before it is failed instead. @defaultValue 3 */
  maxResumes?: number;
  /** Deploys looked at per (project, market), newest first. @defaultValue 500 */
  scan?: number;
}

const RECONCILE_GRACE_MS = 60_000;
const RECONCILE_EVERY_MS = 10_000;
const LIVE_JOB_STATES = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

/** One pass over every configured (project, market); the actions taken, per deploy. */
export async function reconcileDeploys(rt: JobRuntime, options: ReconcileOptions = {}): Promise<Record<string, StuckAction['kind']>> {
  const taken: Record<string, StuckAction['kind']> = {};
  for (const [project, settings] of Object.entries(rt.config.projects)) {
    for (const market of settings.markets) {
      const recent = await rt.records.history(project, market, options.scan ?? 500);
      for (const record of recent) {
        if (!CARRIED_STATES.has(record.state)) continue;
        const kind = await reconcileOne(rt, record, options);
        if (kind === 'resume' || kind === 'fail') taken[record.id] = kind;
      }
    }
  }
  return taken;
}

async function reconcileOne(rt: JobRuntime, record: DeployRecord, options: ReconcileOptions): Promise<StuckAction['kind']> {
  const graceMs = options.graceMs ?? RECONCILE_GRACE_MS;
  const sinceKey = rt.keys.stuckSince(record.id);
  const phase = record.state === 'preparing' ? 'prepare' : 'run';
  const job = await rt.queue.getJob(`${record.id}.${phase}`);
  const jobAlive = job !== undefined && LIVE_JOB_STATES.has(await job.getState());
  const lease = record.state === 'preparing' ? await rt.prepareLease.holder(record.id) : await rt.locationLock.holder(record.project, record.market, record.location);
  const since = await rt.redis.get(sinceKey);
  const action = stuckDeployAction({
    state: record.state,
    jobAlive,
    leaseHeld: lease !== undefined && leaseHolder(lease) === record.id,
    unattendedSince: since === null ? undefined : Number(since),
    now: Date.now(),
    graceMs,
    resumes: record.reconcilerResumes ?? 0,
    maxResumes: options.maxResumes ?? 3,
    configured: rt.config.markets[record.market]?.locations[record.location] !== undefined && rt.config.projects[record.project]?.markets.includes(record.market) === true,
  });
  if (action.kind === 'none') return action.kind;
  if (action.kind === 'watch') {
    await rt.redis.set(sinceKey, String(Date.now()), 'PX', graceMs * 10, 'NX');
    return action.kind;
  }
  if (action.kind === 'clear') {
    await rt.redis.del(sinceKey);
    return action.kind;
  }
  // one reconciler acts; the claim outlives a pass so a resumed job gets time to start
  if ((await rt.redis.set(rt.keys.reconcileClaim(record.id), '1', 'PX', Math.max(graceMs, 5000), 'NX')) !== 'OK') return 'none';
  await rt.redis.del(sinceKey);
  if (action.kind === 'fail') {
    await rt.setState(record.id, [record.state], 'failed', { reason: action.reason });
    await rt.locationLock.releaseDeploy(record.project, record.market, record.location, record.id);
    return action.kind;
  }
  const { changed } = await rt.records.update(record.id, (r) => (r.state === record.state ? { ...r, reconcilerResumes: (r.reconcilerResumes ?? 0) + 1 } : undefined));
  if (!changed) return 'none';
  // a finished job of the same id would make the new one a no-op
  await rt.queue.remove(`${record.id}.${action.phase}`).catch(() => undefined);
  await rt.enqueue(action.phase, record.id);
  await rt.notify(record.id, { type: 'job.note', text: `no worker had this deploy for ${Math.round(graceMs / 1000)} s; it is resumed where it stopped` });
  rt.logger.warn('stuck deploy resumed', { deployId: record.id, state: record.state, phase: action.phase });
  return action.kind;
}

/** Every 10 s, or more often for a grace shorter than 40 s (four passes per grace, at least 250 ms apart). */
function reconcileEvery(graceMs: number): number {
  return Math.min(RECONCILE_EVERY_MS, Math.max(250, Math.floor(graceMs / 4)));
}

/** Runs the reconciler every `everyMs` (default: see reconcileEvery) until stopped. */
export function startReconciler(rt: JobRuntime, options: ReconcileOptions & { everyMs?: number } = {}): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => reconcileDeploys(rt, options)).catch((error: unknown) => rt.logger.warn('reconcile pass failed', { error }));
  }, options.everyMs ?? reconcileEvery(options.graceMs ?? RECONCILE_GRACE_MS));
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
