// Job phase 2 per verb: what the run of an approved (or approval-free) deploy does.
import type { DeployEngineDeps } from '../deploy/deploy-context.ts';
import type { DeployResult } from '../deploy/deploy-result.ts';
import { runDeploy } from '../deploy/run-deploy.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { productionDeployDuringGrayWarning } from '../domain/gray-warnings.ts';
import { GRAY_RELEASE, PRODUCTION_RELEASE, reviewChannelOf } from '../domain/release-names.ts';
import { productionRelease } from '../domain/release-state.ts';
import { RefusedError } from '../core/errors.ts';
import { engineSession } from './engine-deps.ts';
import type { JobRuntime } from './job-runtime.ts';
import { enginePlan } from './prepare-deploy.ts';
import { promoteGuard, recordRollback, recordShipped } from './record-release.ts';
import { recordUntilLanded } from './record-until-landed.ts';
import { buildUpdatePackages } from './update-packages.ts';

/** How a run ended, for the record. */
export interface VerbOutcome {
  state: 'success' | 'partial' | 'failed' | 'cancelled';
  reason?: string;
  result?: DeployResult;
}

export async function executeVerb(rt: JobRuntime, record: DeployRecord, signal: AbortSignal): Promise<VerbOutcome> {
  const before = await rt.releases.read(record.project, record.market);
  switch (record.verb) {
    case 'deploy':
    case 'gray start':
    case 'review start':
    case 'gray promote': {
      if (record.verb === 'deploy') {
        const warning = productionDeployDuringGrayWarning({ state: before, version: record.version ?? '', deployId: record.id });
        if (warning) await rt.notify(record.id, { type: 'job.warning', warning });
      }
      const plan = enginePlan(record, record.plan?.commit, {
        ...(record.plan?.packageSha256 ? { expectedPackageSha256: record.plan.packageSha256 } : {}),
        ...(record.plan?.releaseId ? { releaseId: record.plan.releaseId } : {}),
      });
      const outcome = await engine(rt, record, signal, (deps) => runDeploy(plan, { ...deps, record: recordUntilLanded(rt, record, recordShipped(rt, record, record.verb)) }));
      if (outcome.state === 'success' && outcome.result?.commit) await afterShipped(rt, record, outcome.result, before);
      return outcome;
    }
    case 'retry': {
      const original = await rt.records.require(record.relatedDeployId!);
      const previous = await loadResult(rt, original.id);
      if (!previous) return { state: 'failed', reason: `the result of ${original.id} is no longer kept; deploy again instead` };
      // the retry ships only the build its plan covered (docs/operations.md "What an approval covers")
      const inherited = record.plan ?? original.plan;
      const plan = enginePlan({ ...original, id: record.id, createdAt: record.createdAt }, previous.commit, {
        kind: 'retry',
        previous,
        ...(inherited?.packageSha256 ? { expectedPackageSha256: inherited.packageSha256 } : {}),
        ...(inherited?.releaseId ? { releaseId: inherited.releaseId } : {}),
      });
      const outcome = await engine(rt, record, signal, (deps) => runDeploy(plan, { ...deps, record: recordUntilLanded(rt, record, recordShipped(rt, { ...original, id: record.id }, original.verb)) }));
      if (outcome.state === 'success' && outcome.result?.commit) await afterShipped(rt, { ...original, id: record.id }, outcome.result, before);
      return outcome;
    }
    case 'rollback': {
      const plan = enginePlan(record, undefined, { kind: 'rollback', ...(record.plan?.rollbackTo ? { rollbackTo: record.plan.rollbackTo } : {}) });
      return engine(rt, record, signal, (deps) => runDeploy(plan, { ...deps, record: recordUntilLanded(rt, record, recordRollback(rt, record)) }));
    }
    case 'gray cancel':
      return grayCancel(rt, record, signal);
    case 'review cancel': {
      const { removed } = await rt.releases.removeRelease({ project: record.project, market: record.market, release: record.release });
      return removed ? { state: 'success' } : { state: 'failed', reason: `${record.release} was not active` };
    }
    case 'review promote': {
      // exactly the approved versions, and only while the review release is the approved one
      let result;
      try {
        result = await rt.releases.promote({ project: record.project, market: record.market, release: record.release, deployId: record.id, by: record.requestedBy, at: rt.now().toISOString(), ...promoteGuard(record), ...(record.platforms ? { platforms: record.platforms } : {}) });
      } catch (error) {
        if (error instanceof RefusedError) return { state: 'failed', reason: `the approval is void: ${error.message}` };
        throw error;
      }
      await rt.notify(record.id, { type: 'job.note', text: `production versions are now ${result.versions.join(', ')} (${reviewChannelOf(record.release)} promoted ${result.promoted.join(', ')}, no redeploy)` });
      const commit = productionRelease(before)?.current?.commit;
      const version = result.promoted.at(-1);
      if (commit && version) await buildUpdatePackages(rt, record, { release: 'production', version, commit, before });
      return { state: 'success' };
    }
  }
}

/** gray cancel (SPEC §6.5, §12): gray hosts switch to production's current release on disk (re-distributed only if missing), then gray is removed. */
async function grayCancel(rt: JobRuntime, record: DeployRecord, signal: AbortSignal): Promise<VerbOutcome> {
  const state = await rt.releases.read(record.project, record.market);
  const production = productionRelease(state)?.current;
  if (!production) return { state: 'failed', reason: 'production has no current release to switch the gray hosts back to' };
  const stack = await rt.history.productionStack(record.project, record.market);
  const releaseId = stack.at(-1);
  const base = { ...record, release: PRODUCTION_RELEASE, version: production.version };
  let outcome: VerbOutcome | undefined;
  if (releaseId) {
    outcome = await engine(rt, record, signal, (deps) => runDeploy(enginePlan(base, production.commit, { kind: 'rollback', rollbackTo: releaseId }), deps), 'switch-back');
    if (outcome.result?.steps.some((s) => s.step === 'preflight' && s.status === 'failed')) outcome = undefined;
  }
  outcome ??= await engine(rt, record, signal, (deps) => runDeploy(enginePlan(base, production.commit, releaseId ? { releaseId } : {}), deps), 'redistribute');
  if (outcome.state !== 'success') return { ...outcome, reason: `${outcome.reason ?? 'the gray hosts did not all switch back'}; gray stays so every client keeps a valid target` };
  await rt.releases.removeRelease({ project: record.project, market: record.market, release: GRAY_RELEASE });
  return outcome;
}

async function afterShipped(rt: JobRuntime, record: DeployRecord, result: DeployResult, before: Awaited<ReturnType<JobRuntime['releases']['read']>>): Promise<void> {
  await rt.history.markPassed(record.project, record.market, result.commit!);
  const version = record.version ?? result.version;
  if (result.release === PRODUCTION_RELEASE) await buildUpdatePackages(rt, record, { release: 'production', version, commit: result.commit!, before });
  else if (result.release !== GRAY_RELEASE) await buildUpdatePackages(rt, record, { release: 'review', version, commit: result.commit!, before });
}

async function engine(rt: JobRuntime, record: DeployRecord, signal: AbortSignal, run: (deps: DeployEngineDeps) => Promise<DeployResult>, part?: string): Promise<VerbOutcome> {
  const session = engineSession(rt, record.id, { signal }, part, { market: record.market, name: record.location });
  const result = await run(session.deps);
  await session.flush();
  await rt.redis.set(rt.keys.deployResult(record.id), JSON.stringify(result), 'EX', 30 * 24 * 3600);
  return { state: result.outcome, ...(result.error ? { reason: result.error.message } : {}), result };
}

export async function loadResult(rt: JobRuntime, deployId: string): Promise<DeployResult | undefined> {
  const text = await rt.redis.get(rt.keys.deployResult(deployId));
  return text ? (JSON.parse(text) as DeployResult) : undefined;
}
