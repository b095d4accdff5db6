// `sync` (docs/operations.md, "Hosts that join or drift"): hosts that differ from the release
// recorded for them get exactly that release — the recorded release id, from their own disk
// when it is there, else the recorded package (rebuilt from the recorded commit when this
// worker has none, and refused when its sha256 is not the recorded one), through the admin
// where one is configured — then beforeDeploy, the switch and afterDeploy on those hosts
// only. It is the deploy engine run with a fixed release id and checksum; nothing is recorded.
import { randomUUID } from 'node:crypto';
import type { DeployEngineDeps } from '../deploy/deploy-context.ts';
import type { DeployResult } from '../deploy/deploy-result.ts';
import { runDeploy } from '../deploy/run-deploy.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { describeSyncHost, planSync, type SyncLocation, type SyncPlan, type SyncReading } from '../domain/plan-sync.ts';
import { parseReleaseId } from '../domain/release-id.ts';
import { PRODUCTION_RELEASE } from '../domain/release-names.ts';
import type { MarketReleases } from '../domain/release-state.ts';
import { RedisCheckpoint } from '../store/redis-checkpoint.ts';
import { leaseHolder } from './deploy-ahead.ts';
import type { JobRuntime } from './job-runtime.ts';
import { keepLease } from './keep-lease.ts';
import { marketLocations } from './market-locations.ts';
import { enginePlan } from './prepare-deploy.ts';
import { readHostReleases } from './read-host-releases.ts';

/** How an engine run ended, as execute-verb.ts reports it. */
export interface SyncOutcome {
  state: 'success' | 'partial' | 'failed' | 'cancelled' | 'paused' | 'rolled-back';
  reason?: string;
  result?: DeployResult;
}

/** Runs the engine for one part of the sync (its own checkpoint, the relay settings of `location`), as execute-verb.ts does for every verb. */
export type RunEnginePart = (run: (deps: DeployEngineDeps) => Promise<DeployResult>, part: string, location: string) => Promise<SyncOutcome>;

/** The sync plan of (project, market) now: the hosts of `locations` (default: all of the market's), or the `only` ones. */
export async function readSyncPlan(rt: JobRuntime, state: MarketReleases, options: { locations?: readonly SyncLocation[]; only?: readonly string[] } = {}): Promise<SyncPlan> {
  const { project, market } = state;
  const locations = options.locations ?? marketLocations(rt.config, market);
  const hosts = [...new Set(locations.flatMap((l) => [...l.hosts, ...l.grayHosts]))].filter((h) => !options.only || options.only.includes(h));
  const readings = await readHostReleases(rt.config, project, hosts, rt.transport ? { transport: rt.transport } : {});
  return syncPlanOf(rt, state, locations, readings, options.only);
}

/** The sync plan from readings already taken (`status` reads the hosts once for both views). */
export async function syncPlanOf(rt: JobRuntime, state: MarketReleases, locations: readonly SyncLocation[], readings: readonly SyncReading[], only?: readonly string[]): Promise<SyncPlan> {
  return planSync({ state, locations, readings, ...(only ? { only } : {}), fallbackReleaseIds: await fallbackReleaseIds(rt, state) });
}

/**
 * A production record written before `current` carried its release id: the newest release id
 * of the job layer's history, when it is the recorded commit's.
 */
async function fallbackReleaseIds(rt: JobRuntime, state: MarketReleases): Promise<Record<string, string>> {
  const current = state.releases[state.defaultRelease ?? PRODUCTION_RELEASE]?.current;
  if (!current || current.releaseId) return {};
  const top = (await rt.history.productionStack(state.project, state.market)).at(-1);
  const parsed = top === undefined ? undefined : parseReleaseId(top);
  return top && parsed && current.commit.startsWith(parsed.sha7) ? { [state.defaultRelease ?? PRODUCTION_RELEASE]: top } : {};
}

/** The job of a `sync` record: its plan is fixed at the first run (checkpointed), so a resumed job finishes the same hosts. */
export async function syncHosts(rt: JobRuntime, record: DeployRecord, runPart: RunEnginePart): Promise<SyncOutcome> {
  const checkpoint = new RedisCheckpoint(rt.redis, rt.keys.checkpoint(`${record.id}.sync`));
  let plan = (await checkpoint.get('plan')) as SyncPlan | undefined;
  if (!plan) {
    const state = await rt.releases.read(record.project, record.market);
    // every location of the market, or (with --hosts) the named hosts of the production location
    const locations = marketLocations(rt.config, record.market).filter((l) => !record.requestedHosts || l.name === record.location);
    plan = await readSyncPlan(rt, state, { locations, ...(record.requestedHosts ? { only: record.requestedHosts } : {}) });
    await checkpoint.set('plan', plan);
  }
  const unknown = plan.hosts.filter((h) => h.state === 'unknown');
  if (plan.changes.length === 0) {
    const on = plan.hosts.filter((h) => h.state === 'on' || h.state === 'idle').length;
    await rt.notify(record.id, { type: 'job.note', text: unknown.length === 0 ? `all ${on} hosts are already on their recorded releases; nothing was changed` : `${on} hosts are on their recorded releases; ${unknown.map(describeSyncHost).join('; ')}` });
    return unknown.length === 0 ? { state: 'success' } : { state: 'partial', reason: unknown.map(describeSyncHost).join('; ') };
  }
  await rt.notify(record.id, { type: 'job.note', text: `syncing ${plan.changes.map(describeSyncHost).join('; ')}` });
  const outcomes: SyncOutcome[] = [];
  for (const group of plan.groups) {
    const base = { ...record, location: group.location, release: group.release, version: group.version, hosts: group.hosts };
    const engine = enginePlan(base, group.commit, { releaseId: group.releaseId, ...(group.sha256 ? { expectedPackageSha256: group.sha256 } : {}) });
    const run = () => runPart((deps) => runDeploy(engine, deps), `sync-${group.release}`, group.location);
    // the job holds its own location's lease; another location's (a review location) is taken for its part
    const outcome = group.location === record.location ? await run() : await underLocationLease(rt, record, group.location, run);
    if (outcome.result?.error?.code === 'package_changed') {
      outcome.reason = `the package rebuilt from ${group.commit.slice(0, 12)} has another sha256 than the recorded ${group.sha256?.slice(0, 12)}…, so ${group.hosts.join(', ')} did not get it; nothing was switched there`;
    }
    outcomes.push(outcome);
  }
  const switched = outcomes.flatMap((o) => o.result?.switchedHosts ?? []);
  const failed = outcomes.filter((o) => o.state !== 'success');
  const summary = switched.length > 0 ? `synced ${switched.join(', ')} to their recorded releases` : 'no host was synced';
  await rt.notify(record.id, { type: 'job.note', text: [summary, ...failed.map((o) => o.reason).filter((r) => r !== undefined), ...unknown.map(describeSyncHost)].join('; ') });
  const result = mergedResult(outcomes);
  if (failed.length === 0 && unknown.length === 0) return { state: 'success', ...(result ? { result } : {}) };
  const state = switched.length > 0 ? 'partial' : failed[0]?.state === 'cancelled' ? 'cancelled' : 'failed';
  return { state, reason: [...failed.map((o) => o.reason ?? o.state), ...unknown.map(describeSyncHost)].join('; '), ...(result ? { result } : {}) };
}

/**
 * The hosts of every part, for the sync's record. Without a commit or release id: a sync
 * ships no release of its own (so it is no `rollback <deploy-id>` target either).
 */
function mergedResult(outcomes: readonly SyncOutcome[]): DeployResult | undefined {
  const results = outcomes.flatMap((o) => (o.result ? [o.result] : []));
  const first = results[0];
  if (!first) return undefined;
  const { commit: _commit, releaseId: _releaseId, ...rest } = first;
  return { ...rest, hosts: results.flatMap((r) => r.hosts), switchedHosts: results.flatMap((r) => r.switchedHosts), failedHosts: results.flatMap((r) => r.failedHosts) };
}

/** Runs `work` holding the lease of another location of the market; a location busy with a deploy is skipped (sync again after it). */
async function underLocationLease(rt: JobRuntime, record: DeployRecord, location: string, work: () => Promise<SyncOutcome>): Promise<SyncOutcome> {
  const lease = `${record.id}/${randomUUID()}`;
  const take = () => rt.locationLock.acquire(record.project, record.market, location, lease);
  const held = await take();
  if (held) return { state: 'failed', reason: `${location} is busy with ${leaseHolder(held)}, so its hosts were not synced; sync again after it` };
  const keeper = keepLease({ ttlMs: rt.locationLock.ttlMs, renew: take, onError: (error) => rt.logger.warn('sync: lease renewal failed', { deployId: record.id, location, error }) });
  try {
    return await work();
  } finally {
    keeper.stop();
    await rt.locationLock.release(record.project, record.market, location, lease);
  }
}
