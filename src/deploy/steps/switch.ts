// Step 6, switch: per host, beforeDeploy hook (in the new release directory), the atomic
// switch of `path`, afterDeploy hook (in `path`). Each finished part is checkpointed. A hook
// is marked running before it starts, and runs detached on the host with its state in the
// release's `.deploybot/<deploy id>/<hook>` directory, so a resumed deploy adopts or awaits
// it instead of running it twice (docs/operations.md, "Host steps outlive their worker").
// The switch is one atomic rename on the host: redoing it on resume is harmless. Once begun,
// switching is never interrupted by a cancel.
import { type DeployContext, deployVariables, hostResult, recordHostStep, releaseDirectory, requireReleaseId, toErrorInfo } from '../deploy-context.ts';
import { parseReleaseId } from '../../domain/release-id.ts';
import { type HostStepName, type HostStepRecord, SWITCH_STEPS } from '../deploy-result.ts';
import { DeploybotError } from '../../core/errors.ts';
import { repositorySandbox } from '../repository-sandbox.ts';
import { hookCommand } from '../hook-command.ts';
import { hookEnvironment, hookPlaceholders } from '../hook-variables.ts';
import { readCurrentRelease } from '../read-current-release.ts';
import { hookStateDirectory } from '../hook-state-directory.ts';
import { runHostStep } from '../run-host-step.ts';
import { runPool } from '../run-pool.ts';
import { withTimeout } from '../../services/with-timeout.ts';

type SwitchStep = (typeof SWITCH_STEPS)[number];

/** Where a host is switched to: this deploy's release, or (undoing a failed rollout) the release it had before. */
interface SwitchTarget {
  releaseId: string;
  /** Checkpoint keys `<prefix>:<host>:<step>`. */
  prefix: 'switch' | 'undo';
  emit: DeployContext['emit'];
}

function forward(ctx: DeployContext): SwitchTarget {
  return { releaseId: requireReleaseId(ctx), prefix: 'switch', emit: (body) => ctx.emit(body) };
}

export async function switchStep(ctx: DeployContext, hosts: readonly string[], doneSteps: Readonly<Record<string, readonly HostStepName[]>> = {}): Promise<void> {
  await runPool(hosts, ctx.project.parallel, (host) => switchHost(ctx, host, doneSteps[host] ?? []));
}

async function switchHost(ctx: DeployContext, host: string, alreadyDone: readonly HostStepName[]): Promise<void> {
  const result = hostResult(ctx, host);
  try {
    result.previousReleaseId = await previousRelease(ctx, host);
  } catch (error) {
    fail(ctx, host, 'beforeDeploy', 0, toErrorInfo(error, ctx.redactor));
    return;
  }
  const ok = await switchSteps(ctx, host, forward(ctx), alreadyDone, (step, record) => recordHostStep(ctx, host, step, record));
  if (ok && result.outcome !== 'failed') result.outcome = 'success';
}

/**
 * Undoes this deploy's switch of one host (a failed rollout, an abort): back to the release it
 * had before, with its beforeDeploy/afterDeploy hooks as `rollback` runs them, checkpointed
 * under `undo:<host>:<step>` so a resumed worker never runs them twice. Returns the failure, if any.
 */
export async function switchBack(ctx: DeployContext, host: string, releaseId: string): Promise<HostStepRecord | undefined> {
  let failure: HostStepRecord | undefined;
  await switchSteps(ctx, host, { releaseId, prefix: 'undo', emit: () => undefined }, [], (_step, record) => {
    if (record.status === 'failed') failure = record;
  });
  return failure;
}

/** The three switch steps of one host towards `target`; false when one failed. */
async function switchSteps(ctx: DeployContext, host: string, target: SwitchTarget, alreadyDone: readonly HostStepName[], note: (step: HostStepName, record: HostStepRecord) => void): Promise<boolean> {
  for (const step of SWITCH_STEPS) {
    if (alreadyDone.includes(step)) {
      note(step, { status: 'done', durationMs: 0 });
      continue;
    }
    const key = `${target.prefix}:${host}:${step}`;
    const saved = (await ctx.deps.checkpoint.get(key)) as HostStepRecord | 'running' | undefined;
    if (saved && saved !== 'running') {
      note(step, saved);
      if (saved.status === 'failed') return false;
      continue;
    }
    const record = step === 'link' ? await link(ctx, host, target) : await runHook(ctx, host, step, key, saved === 'running', target);
    if (record.status !== 'skipped') await ctx.deps.checkpoint.set(key, record);
    note(step, record);
    if (record.status === 'failed') return false;
  }
  return true;
}

/** What the host served before this deploy; read once and checkpointed (a resumed deploy must not see its own switch). */
async function previousRelease(ctx: DeployContext, host: string): Promise<string | undefined> {
  const key = `previous:${host}`;
  const saved = (await ctx.deps.checkpoint.get(key)) as { releaseId: string | null } | undefined;
  if (saved) return saved.releaseId ?? undefined;
  const transport = ctx.pool.get(host);
  const current = await withTimeout(readCurrentRelease(transport, ctx.project), ctx.project.hostTimeout, `${host}: reading the current release`, () => transport.destroy());
  await ctx.deps.checkpoint.set(key, { releaseId: current.releaseId ?? null });
  return current.releaseId;
}

async function link(ctx: DeployContext, host: string, to: SwitchTarget): Promise<HostStepRecord> {
  const started = ctx.now();
  to.emit({ type: 'host.started', step: 'link', host });
  const transport = ctx.pool.get(host);
  const target = releaseDirectory(ctx, to.releaseId);
  try {
    const work = async () => {
      await transport.replaceSymlink(ctx.project.path, target);
      const now = await readCurrentRelease(transport, ctx.project);
      if (now.releaseId !== to.releaseId) {
        throw new DeploybotError('switch_unverified', `${host}: after the switch ${ctx.project.path} points at ${now.target ?? 'nothing'}, not ${target}`);
      }
    };
    await withTimeout(work(), ctx.project.hostTimeout, `${host}: switch`, () => transport.destroy());
    const durationMs = ctx.now() - started;
    to.emit({ type: 'host.finished', step: 'link', host, durationMs });
    return { status: 'done', durationMs };
  } catch (error) {
    const durationMs = ctx.now() - started;
    const info = toErrorInfo(error, ctx.redactor);
    to.emit({ type: 'host.failed', step: 'link', host, durationMs, error: info });
    return { status: 'failed', durationMs, error: info };
  }
}

async function runHook(ctx: DeployContext, host: string, point: Exclude<SwitchStep, 'link'>, key: string, resumed: boolean, to: SwitchTarget): Promise<HostStepRecord> {
  const own = deployVariables(ctx, host);
  // switching back: the hooks see the release the host goes back to, as `rollback` shows them
  const vars = to.releaseId === own.releaseId ? own : { ...own, releaseId: to.releaseId, version: parseReleaseId(to.releaseId)?.version ?? own.version };
  const releaseDir = releaseDirectory(ctx, to.releaseId);
  const command = hookCommand(ctx.project, ctx.config.hookTemplates, point, hookPlaceholders(vars, { path: ctx.project.path, releasesDir: ctx.project.releasesDir, releaseDir }));
  if (command === undefined) return { status: 'skipped' };
  const started = ctx.now();
  // marked running once it has been started on the host (not before: a worker killed between
  // the mark and the start would leave a step the host never saw looking lost); a host that
  // has the step without the mark is found by the first look at the host and adopted
  const transport = ctx.pool.get(host);
  const stateDir = hookStateDirectory(releaseDir, ctx.plan.deployId, point);
  const request = {
    stateDir,
    script: command,
    options: {
      cwd: point === 'beforeDeploy' ? releaseDir : ctx.project.path,
      env: hookEnvironment(vars),
      timeoutMs: ctx.project.hookTimeout,
      redactor: ctx.redactor,
      sandbox: repositorySandbox(ctx.plan.project, ctx.project.build, ctx.deps.sandbox),
    },
    onStarted: () => ctx.deps.checkpoint.set(key, 'running'),
    onRunning: resumed ? undefined : () => to.emit({ type: 'host.started', step: point, host }),
  };
  try {
    let run = await runHostStep(transport, request);
    // the host lost a beforeDeploy without a trace: it has not switched, so it simply runs again
    if (run.kind === 'lost' && point === 'beforeDeploy') {
      await transport.remove(stateDir);
      run = await runHostStep(transport, { ...request, onRunning: undefined });
    }
    const durationMs = ctx.now() - started;
    if (run.kind === 'lost') {
      const error = { code: 'hook_interrupted', message: `${host}: the ${point} hook was lost on the host (no exit status left: did the host restart?); it is not run twice automatically — use retry to run it again` };
      to.emit({ type: 'host.failed', step: point, host, durationMs, error });
      return { status: 'failed', durationMs, error };
    }
    const { result } = run;
    to.emit({ type: 'hook.finished', hook: point, host, exitCode: result.exitCode, durationMs, outputTail: result.outputTail });
    if (result.exitCode === 0) {
      to.emit({ type: 'host.finished', step: point, host, durationMs, outputTail: result.outputTail });
      return { status: 'done', durationMs, outputTail: result.outputTail };
    }
    const error = {
      code: result.timedOut ? 'hook_timeout' : 'hook_failed',
      message: `${host}: ${point} hook ${result.timedOut ? `timed out after ${ctx.project.hookTimeout} ms` : `exited with ${result.exitCode ?? 'no status'}`}`,
    };
    to.emit({ type: 'host.failed', step: point, host, durationMs, error, outputTail: result.outputTail });
    return { status: 'failed', durationMs, error, outputTail: result.outputTail };
  } catch (error) {
    const durationMs = ctx.now() - started;
    const info = toErrorInfo(error, ctx.redactor);
    to.emit({ type: 'host.failed', step: point, host, durationMs, error: info });
    return { status: 'failed', durationMs, error: info };
  }
}

function fail(ctx: DeployContext, host: string, step: HostStepName, durationMs: number, error: { code: string; message: string }): void {
  recordHostStep(ctx, host, step, { status: 'failed', durationMs, error });
  ctx.emit({ type: 'host.failed', step, host, durationMs, error });
}
