// Step 6 for a progressive rollout (docs/configuration.md, "Health and rollout"): after the
// two-phase distribute, switch wave by wave; after each wave check every host switched so far
// every `interval` for `bake`; when the unhealthy hosts are more than `maxUnhealthy`, switch
// back every host this deploy switched (onFailure: rollback) or end the wave and pause.
// Everything decided is checkpointed (keys in src/deploy/deploy-checkpoint.ts): a worker
// killed mid-rollout resumes in the same wave, bake time already spent counts, and a
// rollback once decided is finished, never started twice.
import { setTimeout as delay } from 'node:timers/promises';
import { isLocalHost } from '../../../config/schema.ts';
import { afterRound, type HostHealth, settled, switchedHealth, timedOut } from '../../domain/host-health.ts';
import { planWaves } from '../../domain/plan-waves.ts';
import { rolloutFailed, unhealthyTolerated } from '../../domain/rollout-failed.ts';
import { formatRolloutSize } from '../../domain/rollout-size.ts';
import { type DeployContext, deployVariables, hostResult, releaseDirectory } from '../deploy-context.ts';
import type { HostStepName, RolloutSummary, UnhealthyHost } from '../deploy-result.ts';
import { runHealthCheck } from '../health/run-health-check.ts';
import { repositorySandbox } from '../repository-sandbox.ts';
import { type RolloutSettings, rolloutSettings } from '../rollout-settings.ts';
import { runPool } from '../run-pool.ts';
import { switchBack, switchStep } from './switch.ts';

/** done: every wave passed (unhealthy hosts, if any, within maxUnhealthy). */
export type RolloutEnd = 'done' | 'rolled-back' | 'cancelled' | 'paused';

interface WaveRecord {
  unhealthy: string[];
  /** The deploy paused after this wave: its health failed (onFailure: pause), or someone asked. */
  paused?: { reason: string };
}

interface FailedRecord {
  wave: number;
  action: 'rollback' | 'abort' | 'cancel';
  reason: string;
}

interface Run {
  ctx: DeployContext;
  settings: RolloutSettings;
  waves: string[][];
  targeted: number;
  health: Map<string, HostHealth>;
  /** Unhealthy hosts a person accepted by resuming: no longer counted against maxUnhealthy. */
  accepted: Set<string>;
  summary: RolloutSummary;
}

/** Whether this project/market rolls out progressively; otherwise the plain switch of today. */
export function isProgressive(settings: RolloutSettings, hosts: readonly string[]): boolean {
  return planWaves(hosts, settings.waves).length > 1 || settings.checks.length > 0 || settings.bake > 0;
}

export async function rolloutStep(ctx: DeployContext, hosts: readonly string[], doneSteps: Readonly<Record<string, readonly HostStepName[]>> = {}): Promise<RolloutEnd> {
  const settings = rolloutSettings(ctx.config, ctx.plan.project, ctx.plan.market);
  if (!isProgressive(settings, hosts)) {
    await switchStep(ctx, hosts, doneSteps);
    return 'done';
  }
  const waves = planWaves(hosts, settings.waves);
  const run: Run = { ctx, settings, waves, targeted: hosts.length, health: new Map(), accepted: new Set(), summary: { waves, wavesDone: 0, unhealthy: [] } };
  ctx.rollout = run.summary;
  const checkpoint = ctx.deps.checkpoint;
  const failed = (await checkpoint.get('rollout:failed')) as FailedRecord | undefined;
  let pauses = 0;
  for (let index = 0; index < waves.length; index += 1) {
    const wave = index + 1;
    const hostsOfWave = waves[index]!;
    const saved = (await checkpoint.get(`rollout:wave:${wave}`)) as WaveRecord | undefined;
    if (saved) {
      // replayed from the checkpoint: nothing on the hosts changes
      await switchStep(ctx, hostsOfWave, doneSteps);
      await loadHealth(run, hostsOfWave);
      run.summary.wavesDone = wave;
      if (saved.paused) {
        pauses += 1;
        if ((ctx.deps.rollout?.resumes ?? 0) < pauses) {
          if (ctx.deps.rollout?.requested() === 'abort') return switchAllBack(run, { wave, action: 'abort', reason: `aborted while paused after wave ${wave}/${waves.length}` });
          run.summary.reason = saved.paused.reason;
          return 'paused';
        }
        for (const host of unhealthyHosts(run)) run.accepted.add(host.host);
      }
      continue;
    }
    if (failed) {
      await switchStep(ctx, hostsOfWave, doneSteps);
      return switchAllBack(run, failed);
    }
    const started = await checkpoint.get(`rollout:started:${wave}`);
    if (!started && wave > 1) {
      const stop = await stopBetweenWaves(run, wave - 1);
      if (stop) return stop;
    }
    await checkpoint.set(`rollout:started:${wave}`, true);
    ctx.emit({ type: 'wave.started', wave, waves: waves.length, hosts: hostsOfWave });
    await switchStep(ctx, hostsOfWave, doneSteps);
    await loadHealth(run, hostsOfWave);
    const verdict = await watchWave(run, wave);
    if (verdict !== 'passed') return verdict;
  }
  finishHealth(run);
  // completed with unhealthy hosts within maxUnhealthy: recorded, and the deploy ends partial naming them
  if (run.summary.unhealthy.length > 0) {
    const why = run.accepted.size > 0 ? `accepted by resume${run.summary.unhealthy.length > run.accepted.size ? ` or within maxUnhealthy ${formatRolloutSize(settings.maxUnhealthy)}` : ''}` : `within maxUnhealthy ${formatRolloutSize(settings.maxUnhealthy)}`;
    run.summary.reason = `${describeUnhealthy(run.summary.unhealthy)}, ${why}: the release was recorded`;
  }
  return 'done';
}

function describeUnhealthy(hosts: readonly UnhealthyHost[]): string {
  const named = hosts.map((h) => `${h.host}: ${h.check} — ${h.outputTail.slice(-3).join(' / ') || 'no output'}`).join('; ');
  return `${hosts.length} unhealthy host${hosts.length === 1 ? '' : 's'} (${named})`;
}

/** Before wave `after + 1`: a cancel or an abort switches back, a pause request pauses. */
async function stopBetweenWaves(run: Run, after: number): Promise<RolloutEnd | undefined> {
  const { ctx, waves } = run;
  if (ctx.stopRequested()) return switchAllBack(run, { wave: after, action: 'cancel', reason: `cancelled after wave ${after}/${waves.length}` });
  const asked = ctx.deps.rollout?.requested();
  if (asked === 'abort') return switchAllBack(run, { wave: after, action: 'abort', reason: `aborted after wave ${after}/${waves.length}` });
  if (asked === 'pause') return pause(run, after, `paused after wave ${after}/${waves.length} on request`);
  return undefined;
}

async function pause(run: Run, wave: number, reason: string): Promise<RolloutEnd> {
  const record: WaveRecord = { unhealthy: unhealthyHosts(run).map((h) => h.host), paused: { reason } };
  await run.ctx.deps.checkpoint.set(`rollout:wave:${wave}`, record);
  run.summary.wavesDone = wave;
  run.summary.reason = reason;
  finishHealth(run);
  run.ctx.emit({ type: 'rollout.paused', wave, waves: run.waves.length, reason });
  return 'paused';
}

/** Checks every host switched so far until the wave passes, or the rollout fails. */
async function watchWave(run: Run, wave: number): Promise<'passed' | RolloutEnd> {
  const { ctx, settings } = run;
  const bakeKey = `rollout:bake:${wave}`;
  const bake = ((await ctx.deps.checkpoint.get(bakeKey)) as { startedAt: number } | undefined) ?? { startedAt: ctx.now() };
  await ctx.deps.checkpoint.set(bakeKey, bake);
  for (;;) {
    await checkRound(run, wave);
    const counted = countedUnhealthy(run);
    if (failing(run)) {
      const reason = failureReason(run, counted);
      ctx.emit({ type: 'rollout.failed', wave, unhealthy: counted, action: settings.onFailure, reason });
      if (settings.onFailure === 'pause') return pause(run, wave, reason);
      const record: FailedRecord = { wave, action: 'rollback', reason };
      await ctx.deps.checkpoint.set('rollout:failed', record);
      return switchAllBack(run, record);
    }
    if (ctx.deps.rollout?.requested() === 'abort') return switchAllBack(run, { wave, action: 'abort', reason: `aborted during wave ${wave}/${run.waves.length}` });
    const remainingMs = Math.max(0, bake.startedAt + settings.bake - ctx.now());
    const switched = switchedHosts(run);
    const allSettled = switched.every((host) => settled(run.health.get(host)!));
    if (remainingMs === 0 && allSettled) break;
    if (settings.bake > 0) {
      const healthy = switched.filter((host) => { const h = run.health.get(host)!; return h.passedAt !== undefined && !h.unhealthy; }).length;
      ctx.emit({ type: 'wave.baking', wave, bakeMs: settings.bake, remainingMs, healthy, switched: switched.length });
    }
    await delay(allSettled ? Math.min(settings.interval, remainingMs) : settings.interval);
  }
  const record: WaveRecord = { unhealthy: unhealthyHosts(run).map((h) => h.host) };
  await ctx.deps.checkpoint.set(`rollout:wave:${wave}`, record);
  run.summary.wavesDone = wave;
  ctx.emit({ type: 'wave.finished', wave, waves: run.waves.length, unhealthy: record.unhealthy });
  return 'passed';
}

/**
 * One round of every check on every host switched so far that is not already unhealthy. The
 * round ends early once the unhealthy hosts trip the failure rule: the switch back starts at
 * once instead of waiting for the slowest host's checks (their late answers change nothing).
 */
async function checkRound(run: Run, wave: number): Promise<void> {
  const { ctx, settings } = run;
  const hosts = switchedHosts(run).filter((host) => !run.health.get(host)!.unhealthy);
  let trip!: () => void;
  const tripped = new Promise<void>((resolve) => (trip = resolve));
  let over = false;
  const round = runPool(hosts, ctx.project.parallel, async (host) => {
    const before = run.health.get(host)!;
    const outcomes = [];
    for (const check of settings.checks) outcomes.push(await runHealthCheck(check, checkTarget(ctx, host)));
    if (over) return;
    const after = settings.checks.length === 0 ? { ...before, passedAt: before.passedAt ?? ctx.now() } : afterRound(before, outcomes, ctx.now(), settings.healthTimeout);
    await noteHealth(run, wave, host, before, after);
    if (failing(run)) trip();
  }, () => !over);
  await Promise.race([round, tripped]);
  over = true;
  round.catch(() => undefined);
  // a host whose switch failed (a hook) fails the deploy's host steps as it always has (partial,
  // `retry` finishes it); only its health checks make a switched host unhealthy
  for (const host of switchedHosts(run)) {
    const before = run.health.get(host)!;
    const after = timedOut(before, ctx.now(), settings.healthTimeout);
    if (after !== before) await noteHealth(run, wave, host, before, after);
  }
}

async function noteHealth(run: Run, wave: number, host: string, before: HostHealth, after: HostHealth): Promise<void> {
  run.health.set(host, after);
  const passedNow = before.passedAt === undefined && after.passedAt !== undefined && !after.unhealthy;
  const failedNow = !before.unhealthy && after.unhealthy;
  if (!passedNow && !failedNow) return;
  await run.ctx.deps.checkpoint.set(`rollout:health:${host}`, after);
  if (failedNow) run.ctx.emit({ type: 'health.failed', wave, host, check: after.unhealthy!.check, outputTail: after.unhealthy!.outputTail });
  else run.ctx.emit({ type: 'health.passed', wave, host });
}

async function loadHealth(run: Run, hosts: readonly string[]): Promise<void> {
  for (const host of hosts) {
    if (run.health.has(host)) continue;
    const saved = (await run.ctx.deps.checkpoint.get(`rollout:health:${host}`)) as HostHealth | undefined;
    if (saved) {
      run.health.set(host, saved);
      continue;
    }
    if (hostResult(run.ctx, host).steps.link?.status !== 'done') continue;
    const fresh = switchedHealth(run.ctx.now());
    run.health.set(host, fresh);
    await run.ctx.deps.checkpoint.set(`rollout:health:${host}`, fresh);
  }
}

/** Hosts of this deploy now on its release (link done), in wave order. */
function switchedHosts(run: Run): string[] {
  return run.waves.flat().filter((host) => hostResult(run.ctx, host).steps.link?.status === 'done' && run.health.has(host));
}

/** Unhealthy hosts that count against maxUnhealthy (not accepted by a resume). */
function countedUnhealthy(run: Run): UnhealthyHost[] {
  return unhealthyHosts(run).filter((h) => !run.accepted.has(h.host));
}

function failing(run: Run): boolean {
  return rolloutFailed(countedUnhealthy(run).length, run.targeted, run.settings.maxUnhealthy);
}

function unhealthyHosts(run: Run): UnhealthyHost[] {
  return run.waves.flat().flatMap((host) => {
    const verdict = run.health.get(host)?.unhealthy;
    return verdict ? [{ host, check: verdict.check, outputTail: verdict.outputTail }] : [];
  });
}

function failureReason(run: Run, counted: readonly UnhealthyHost[]): string {
  const max = run.settings.maxUnhealthy;
  const named = counted.map((h) => `${h.host}: ${h.check} — ${h.outputTail.slice(-3).join(' / ') || 'no output'}`).join('; ');
  const tolerated = max.kind === 'count' ? String(max.count) : `${formatRolloutSize(max)} (${unhealthyTolerated(run.targeted, max)} of ${run.targeted})`;
  return `${counted.length} unhealthy host${counted.length === 1 ? '' : 's'}, more than maxUnhealthy ${tolerated}: ${named}`;
}

/** Every host this deploy switched goes back to the release it had before, with its hooks. */
async function switchAllBack(run: Run, why: FailedRecord): Promise<RolloutEnd> {
  const { ctx } = run;
  if (why.action !== 'rollback') await ctx.deps.checkpoint.set('rollout:failed', why);
  finishHealth(run);
  const switched = run.waves.flat().filter((host) => hostResult(ctx, host).steps.link?.status === 'done');
  const { results } = await runPool(switched, ctx.project.parallel, async (host) => {
    const result = hostResult(ctx, host);
    const releaseId = result.previousReleaseId;
    if (!releaseId) return { ok: false, error: { code: 'no_previous_release', message: `${host}: had no release before this deploy; it stays on ${ctx.releaseId}` } };
    const failure = await switchBack(ctx, host, releaseId);
    return failure ? { ok: false, releaseId, error: failure.error ?? { code: 'rollback_failed', message: `${host}: switching back failed` } } : { ok: true, releaseId };
  });
  for (const host of switched) {
    const back = results.get(host)!;
    hostResult(ctx, host).rolledBack = back;
    ctx.emit({ type: 'host.rolled-back', host, ok: back.ok, ...(back.releaseId ? { releaseId: back.releaseId } : {}), ...(back.error ? { error: back.error } : {}) });
  }
  run.summary.rolledBack = switched.filter((host) => results.get(host)!.ok);
  run.summary.reason = why.reason;
  return why.action === 'cancel' ? 'cancelled' : 'rolled-back';
}

/** The hosts' health as the result reports it. */
function finishHealth(run: Run): void {
  run.summary.unhealthy = unhealthyHosts(run);
  if (run.settings.checks.length === 0) return;
  for (const [host, health] of run.health) {
    const verdict = health.unhealthy;
    hostResult(run.ctx, host).health = verdict ? { healthy: false, check: verdict.check, outputTail: verdict.outputTail } : { healthy: health.passedAt !== undefined };
  }
}

function checkTarget(ctx: DeployContext, host: string) {
  const config = ctx.config.hosts[host];
  return {
    transport: ctx.pool.get(host),
    vars: deployVariables(ctx, host),
    address: !config || isLocalHost(config) ? '127.0.0.1' : config.address,
    path: ctx.project.path,
    releaseDir: releaseDirectory(ctx),
    redactor: ctx.redactor,
    sandbox: repositorySandbox(ctx.plan.project, ctx.project.build, ctx.deps.sandbox),
  };
}
