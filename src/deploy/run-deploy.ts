// The deploy engine: a plan in, progress events out, a result at the end. Chat-agnostic.
//   deploy/retry: resolve → build → distribute → (two-phase gate) → switch → record → prune
//   rollback:     preflight → switch → record
// Every finished piece is checkpointed: rerunning the same plan with the same checkpoint
// resumes where a killed worker stopped, without redoing hosts, re-running hooks or
// switching twice. Cancellation is honoured between steps and hosts until switching begins.
import { DeploybotError } from '../core/errors.ts';
import { processRedactor } from '../core/process-redactor.ts';
import { createDeployContext } from './create-deploy-context.ts';
import { decideSwitch } from '../domain/decide-switch.ts';
import { type DeployContext, type DeployEngineDeps, hostResult, recordHostStep, runStep, StepFailed, toErrorInfo } from './deploy-context.ts';
import type { DeployPlan } from './deploy-plan.ts';
import { deployOutcome, type DeployResult, type ErrorInfo, type HostResult, type HostStepName, SWITCH_STEPS } from './deploy-result.ts';
import { planRetry } from '../domain/plan-retry.ts';
import { buildStep } from './steps/build.ts';
import { distributeStep } from './steps/distribute.ts';
import { prepareConnections } from './prepare-connections.ts';
import { pruneStep } from './steps/prune.ts';
import { resolveStep } from './steps/resolve.ts';
import { rollbackPreflight } from './steps/rollback-preflight.ts';
import { type RolloutEnd, rolloutStep } from './steps/rollout.ts';
import { switchStep } from './steps/switch.ts';

interface Gate {
  hosts: string[];
  failed: Record<string, ErrorInfo>;
}

class Cancelled extends Error {}

export async function runDeploy(plan: DeployPlan, deps: DeployEngineDeps): Promise<DeployResult> {
  const startedAt = new Date((deps.now ?? (() => new Date()))().getTime());
  let ctx: DeployContext;
  try {
    ctx = createDeployContext(plan, deps);
  } catch (error) {
    return invalidPlanResult(plan, startedAt, toErrorInfo(error, deps.redactor ?? processRedactor(deps.config)));
  }
  const targets = plan.kind === 'retry' ? retryOrder(plan) : plan.hosts;
  ctx.emit({ type: 'deploy.started', kind: plan.kind, project: plan.project, market: plan.market, release: plan.release, version: plan.version, hosts: targets });
  let error: ErrorInfo | undefined;
  let cancelled = false;
  try {
    if (plan.kind === 'rollback') await rollbackFlow(ctx);
    else await deployFlow(ctx);
  } catch (caught) {
    if (caught instanceof Cancelled) cancelled = true;
    else error = caught instanceof StepFailed ? caught.info : toErrorInfo(caught, ctx.redactor);
  } finally {
    await ctx.pool.closeAll();
  }
  const result = buildResult(ctx, targets, startedAt, error, cancelled);
  ctx.emit({ type: 'deploy.finished', outcome: result.outcome, durationMs: result.durationMs, result });
  return result;
}

async function deployFlow(ctx: DeployContext): Promise<void> {
  const { plan, deps } = ctx;
  const retry = plan.kind === 'retry' ? planRetry(plan.previous!, SWITCH_STEPS) : undefined;
  if (retry) {
    for (const host of plan.previous!.hosts) if (retry.finished.includes(host.host)) ctx.hosts.set(host.host, structuredClone(host));
  }
  const targets = retry ? retry.hosts : plan.hosts;
  stopIfRequested(ctx, 'resolve');
  prepareConnections(ctx, targets);
  await runStep(ctx, 'resolve', () => resolveStep(ctx), (r) => ({ commit: r.commit, releaseId: r.releaseId, refKind: r.kind }));
  stopIfRequested(ctx, 'build');
  await runStep(ctx, 'build', () => buildStep(ctx), (b) => ({ ...b }));

  let gate = (await deps.checkpoint.get('gate')) as Gate | undefined;
  if (gate) {
    adoptGate(ctx, gate, targets);
  } else {
    stopIfRequested(ctx, 'distribute');
    const opened = await runStep(
      ctx,
      'distribute',
      async (): Promise<Gate | undefined> => {
        const tally = await distributeStep(ctx, targets);
        if (ctx.stopRequested()) return undefined;
        const decision = decideSwitch(tally, ctx.project.maxFailedHosts);
        if (!decision.go) throw new DeploybotError('not_switched', decision.reason, { failed: decision.failed });
        const failed = Object.fromEntries(decision.failed.map((host) => [host, ctx.hosts.get(host)?.error ?? { code: 'distribute_failed', message: `${host}: distribute failed` }]));
        const opened: Gate = { hosts: decision.hosts, failed };
        await deps.checkpoint.set('gate', opened);
        return opened;
      },
      (g) => ({ ready: g?.hosts.length ?? 0, failed: Object.keys(g?.failed ?? {}), bytesUploaded: ctx.bytesUploaded, ...(ctx.relayedVia ? { relayedVia: ctx.relayedVia } : {}) }),
    );
    if (!opened) {
      ctx.emit({ type: 'step.skipped', step: 'switch', reason: 'cancelled' });
      throw new Cancelled();
    }
    gate = opened;
  }
  const end = await switchAndRecord(ctx, gate.hosts, retry?.doneSteps ?? {}, rolloutStep);
  // rolled back, cancelled or paused between waves: nothing recorded, nothing pruned
  if (end !== 'done') return;
  if (ctx.stopRequested()) {
    ctx.steps.push({ step: 'prune', status: 'skipped', durationMs: 0 });
    ctx.emit({ type: 'step.skipped', step: 'prune', reason: 'cancel requested' });
    return;
  }
  const switched = gate.hosts.filter((host) => hostResult(ctx, host).steps.link?.status === 'done');
  if (switched.length > 0) await runStep(ctx, 'prune', () => pruneStep(ctx, switched));
}

async function rollbackFlow(ctx: DeployContext): Promise<void> {
  const { plan, deps } = ctx;
  stopIfRequested(ctx, 'preflight');
  const preflight = await runStep(ctx, 'preflight', () => rollbackPreflight(ctx, plan.hosts), (p) => ({ releaseId: p.releaseId, unreachable: Object.keys(p.unreachable) }));
  ctx.releaseId = preflight.releaseId;
  ctx.commit = plan.commit;
  // hosts left out as unreachable (within maxFailedHosts) fail; the others switch
  const failed = Object.fromEntries(Object.entries(preflight.unreachable).map(([host, message]) => [host, { code: 'host_unreachable', message: `${host}: ${message}` }]));
  for (const [host, error] of Object.entries(failed)) recordHostStep(ctx, host, 'link', { status: 'failed', error });
  let gate = (await deps.checkpoint.get('gate')) as Gate | undefined;
  if (!gate) {
    stopIfRequested(ctx, 'switch');
    gate = { hosts: plan.hosts.filter((host) => !(host in failed)), failed };
    await deps.checkpoint.set('gate', gate);
  }
  await switchAndRecord(ctx, gate.hosts, {}, async (c, hosts, done) => {
    await switchStep(c, hosts, done);
    return 'done';
  });
}

type Switcher = (ctx: DeployContext, hosts: readonly string[], doneSteps: Record<string, HostStepName[]>) => Promise<RolloutEnd>;

async function switchAndRecord(ctx: DeployContext, hosts: readonly string[], doneSteps: Record<string, HostStepName[]>, switcher: Switcher): Promise<RolloutEnd> {
  const end = await runStep(ctx, 'switch', () => switcher(ctx, hosts, doneSteps), (outcome) => ({
    switched: hosts.filter((h) => hostResult(ctx, h).steps.link?.status === 'done' && !hostResult(ctx, h).rolledBack?.ok),
    failed: hosts.filter((h) => hostResult(ctx, h).outcome === 'failed'),
    ...(ctx.rollout ? { rollout: outcome, waves: ctx.rollout.waves.length, wavesDone: ctx.rollout.wavesDone } : {}),
  }));
  ctx.rolloutEnd = end;
  // ZooKeeper is written once, after the last wave passed: a rollout rolled back, cancelled or paused records nothing
  if (end !== 'done') return end;
  // a cancel that arrived before or during the switch did not interrupt it
  if (ctx.stopRequested()) ctx.cancelIgnored = true;
  const anySwitched = [...ctx.hosts.values()].some((h) => h.steps.link?.status === 'done');
  const { record } = ctx.deps;
  if (!record || !anySwitched) return end;
  if (await ctx.deps.checkpoint.get('record')) return end;
  await runStep(ctx, 'record', async () => {
    await record(buildResult(ctx, ctx.plan.kind === 'retry' ? retryOrder(ctx.plan) : ctx.plan.hosts, new Date(), undefined, false));
    await ctx.deps.checkpoint.set('record', true);
  });
  return end;
}

/** After a restart once switching had begun: the gate's decision stands. */
function adoptGate(ctx: DeployContext, gate: Gate, targets: readonly string[]): void {
  ctx.emit({ type: 'step.skipped', step: 'distribute', reason: 'switching had already begun' });
  for (const host of targets) {
    if (gate.hosts.includes(host)) recordHostStep(ctx, host, 'distribute', { status: 'done', durationMs: 0 });
    else recordHostStep(ctx, host, 'distribute', { status: 'failed', error: gate.failed[host] ?? { code: 'distribute_failed', message: `${host}: distribute failed` } });
  }
}

function stopIfRequested(ctx: DeployContext, next: DeployResult['steps'][number]['step']): void {
  if (!ctx.stopRequested()) return;
  ctx.steps.push({ step: next, status: 'cancelled', durationMs: 0 });
  ctx.emit({ type: 'step.skipped', step: next, reason: 'cancelled' });
  throw new Cancelled();
}

function retryOrder(plan: DeployPlan): string[] {
  return plan.previous!.hosts.map((h) => h.host);
}

function buildResult(ctx: DeployContext, targets: readonly string[], startedAt: Date, error: ErrorInfo | undefined, cancelled: boolean): DeployResult {
  const { plan } = ctx;
  const hosts: HostResult[] = targets.map((host) => finishHost(hostResult(ctx, host)));
  const finishedAt = new Date(ctx.now());
  const commit = ctx.commit ?? (plan.kind === 'retry' ? plan.previous?.commit : undefined);
  return {
    ...resultHeader(plan),
    outcome: rolloutOutcome(ctx, deployOutcome(hosts, { cancelled, error: error !== undefined })),
    ...(error ? { error } : {}),
    ...(ctx.releaseId ? { releaseId: ctx.releaseId } : {}),
    ...(commit ? { commit } : {}),
    ...(ctx.package ? { package: { file: ctx.package.file, sha256: ctx.package.sha256, bytes: ctx.package.bytes } } : {}),
    ...(ctx.buildCacheHit !== undefined ? { buildCacheHit: ctx.buildCacheHit } : {}),
    bytesUploaded: ctx.bytesUploaded,
    ...(ctx.relayedVia ? { relayedVia: ctx.relayedVia } : {}),
    hosts,
    steps: [...ctx.steps],
    switchedHosts: hosts.filter((h) => h.steps.link?.status === 'done' && !h.rolledBack?.ok).map((h) => h.host),
    failedHosts: hosts.filter((h) => h.outcome === 'failed').map((h) => h.host),
    ...(ctx.cancelIgnored ? { cancelIgnored: true } : {}),
    ...(ctx.rollout ? { rollout: structuredClone(ctx.rollout) } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
  };
}

/** A progressive rollout's own endings; one that passed with unhealthy hosts within maxUnhealthy is partial. */
function rolloutOutcome(ctx: DeployContext, outcome: DeployResult['outcome']): DeployResult['outcome'] {
  switch (ctx.rolloutEnd) {
    case 'rolled-back':
    case 'paused':
    case 'cancelled':
      return ctx.rolloutEnd;
    case 'done':
      return outcome === 'success' && (ctx.rollout?.unhealthy.length ?? 0) > 0 ? 'partial' : outcome;
    default:
      return outcome;
  }
}

/** What a result says about the plan it ran. */
function resultHeader(plan: DeployPlan): Pick<DeployResult, 'deployId' | 'kind' | 'project' | 'market' | 'location' | 'release' | 'version'> {
  const { deployId, kind, project, market, location, release, version } = plan;
  return { deployId, kind, project, market, location, release, version };
}

function finishHost(host: HostResult): HostResult {
  const copy = structuredClone(host);
  const failed = (Object.entries(copy.steps) as [HostStepName, NonNullable<HostResult['steps'][HostStepName]>][]).some(([step, record]) => step !== 'prune' && record.status === 'failed');
  if (failed) copy.outcome = 'failed';
  else if (copy.outcome !== 'success') copy.outcome = 'not-switched';
  return copy;
}

function invalidPlanResult(plan: DeployPlan, at: Date, error: ErrorInfo): DeployResult {
  return {
    ...resultHeader(plan),
    outcome: 'failed',
    error,
    bytesUploaded: 0,
    hosts: plan.hosts.map((host) => ({ host, outcome: 'not-switched', steps: {} })),
    steps: [],
    switchedHosts: [],
    failedHosts: [],
    startedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    durationMs: 0,
  };
}
