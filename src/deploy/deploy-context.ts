// The state one run of the pipeline carries from step to step, and the dependencies it was
// given. Steps read and update it; `runDeploy` turns it into a DeployResult.
import { posix } from 'node:path';
import type { Config } from '../../config/load-config.ts';
import type { LocationConfig, ProjectConfig } from '../../config/schema.ts';
import { DeploybotError, errorMessage } from '../core/errors.ts';
import type { Redactor } from '../core/redactor.ts';
import type { ReleasePackage } from './build/make-package.ts';
import type { DeployCheckpoint } from './deploy-checkpoint.ts';
import type { DeployEventBody, DeployEventListener } from './deploy-events.ts';
import type { DeployPlan } from './deploy-plan.ts';
import type { DeployResult, ErrorInfo, HostResult, HostStepName, HostStepRecord, RolloutSummary, StepRecord } from './deploy-result.ts';
import type { DeployVariables } from './hook-variables.ts';
import type { SandboxTool } from './repository-sandbox.ts';
import type { TransportFactory } from './transports/host-transport.ts';
import type { TransportPool } from './transports/transport-pool.ts';

/** How an admin host reaches its cluster when it relays a package (paths on the admin). */
export interface RelayOptions {
  /** Private key the admin uses for its cluster (`scp -i`); default: the admin user's own keys. */
  identityFile?: string;
  /** known_hosts the admin checks its cluster's host keys against; default: the admin user's own. */
  knownHostsFile?: string;
  /** ssh_config for the admin's scp (`-F`); '/dev/null' ignores the admin user's config. */
  sshConfigFile?: string;
}

/** What people asked of a running rollout, and how often it was resumed (the job layer's record). */
export interface RolloutControl {
  /** How many times this deploy was resumed after a pause. */
  resumes: number;
  /** `pause`: stop after the current wave; `abort`: switch back what this deploy switched. */
  requested(): 'pause' | 'abort' | undefined;
}

export interface DeployEngineDeps {
  config: Config;
  /** The data directory (DEPLOYBOT_DATA, default ./var): mirrors live under it, and builds and packages unless `artifacts.dir` is set. */
  dataDir: string;
  /** Where finished work is recorded; a rerun of the same plan with the same checkpoint skips it. One per run of a plan (a retry is a new plan). */
  checkpoint: DeployCheckpoint;
  onEvent?: DeployEventListener;
  /** Cancellation: honoured between steps and between hosts, never once switching has begun. */
  signal?: AbortSignal;
  /** Host name → transport; default: SSH or local from the config. */
  transport?: TransportFactory;
  /** Clock for event times and durations. */
  now?: () => Date;
  /**
   * Step 7, record: called once, after switching and before prune, when at least one host
   * switched (ZooKeeper and history). A throw fails the record step; the hosts stay switched.
   */
  record?: (result: DeployResult) => Promise<void>;
  /** Admin relay settings (see RelayOptions). */
  relay?: RelayOptions;
  /** The process's redactor (hook output, error messages). @defaultValue processRedactor(config) */
  redactor?: Redactor;
  /** Where bubblewrap is, for repository code (docs/operations.md); default /usr/bin/bwrap. */
  sandbox?: SandboxTool;
  /** Pause / abort requests and resumes of a progressive rollout (src/deploy/steps/rollout.ts). */
  rollout?: RolloutControl;
}

export interface DeployContext {
  plan: DeployPlan;
  deps: DeployEngineDeps;
  config: Config;
  project: ProjectConfig;
  location: LocationConfig;
  pool: TransportPool;
  redactor: Redactor;
  hosts: Map<string, HostResult>;
  steps: StepRecord[];
  bytesUploaded: number;
  commit?: string;
  /** The commit's time (seconds), as resolve read it. */
  commitTime?: number;
  releaseId?: string;
  package?: ReleasePackage;
  buildCacheHit?: boolean;
  relayedVia?: string;
  /** Set when a cancel arrived after switching began. */
  cancelIgnored?: boolean;
  /** A progressive rollout's waves and health, as it goes. */
  rollout?: RolloutSummary;
  /** How the switch step ended (a progressive rollout may roll back, pause or stop between waves). */
  rolloutEnd?: 'done' | 'rolled-back' | 'cancelled' | 'paused';
  emit(body: DeployEventBody): void;
  stopRequested(): boolean;
  now(): number;
}

export function releaseDirectory(ctx: DeployContext, releaseId = requireReleaseId(ctx)): string {
  return posix.join(ctx.project.releasesDir, releaseId);
}

export function requireReleaseId(ctx: DeployContext): string {
  if (!ctx.releaseId) throw new Error('release id not known yet');
  return ctx.releaseId;
}

export function deployVariables(ctx: DeployContext, host?: string): DeployVariables {
  return {
    deployId: ctx.plan.deployId,
    releaseId: ctx.releaseId ?? '',
    version: ctx.plan.version,
    commit: ctx.commit ?? '',
    project: ctx.plan.project,
    market: ctx.plan.market,
    release: ctx.plan.release,
    ...(host === undefined ? {} : { host }),
  };
}

/**
 * An error as a deploy's result and notices carry it. Redacted here although chat, logs and
 * Redis redact at their boundaries: the result is also returned in-process (dry-run answers,
 * callers of runDeploy) and checkpointed to a file under the data directory
 * (src/deploy/file-checkpoint.ts), which no boundary covers (docs/operations.md, "What is redacted").
 */
export function toErrorInfo(error: unknown, redactor: Redactor): ErrorInfo {
  const code = error instanceof DeploybotError ? error.code : 'internal';
  return { code, message: redactor.redact(errorMessage(error)) };
}

export function hostResult(ctx: DeployContext, host: string): HostResult {
  let result = ctx.hosts.get(host);
  if (!result) {
    result = { host, outcome: 'not-switched', steps: {} };
    ctx.hosts.set(host, result);
  }
  return result;
}

export function recordHostStep(ctx: DeployContext, host: string, step: HostStepName, record: HostStepRecord): void {
  const result = hostResult(ctx, host);
  result.steps[step] = record;
  if (record.status === 'failed') {
    result.outcome = 'failed';
    result.failedStep ??= step;
    result.error ??= record.error;
    if (record.outputTail) result.outputTail = record.outputTail;
  }
}

/** Runs one deploy-level step with its events and duration; a throw marks it failed and propagates. */
export async function runStep<T>(ctx: DeployContext, step: StepRecord['step'], work: () => Promise<T>, detail?: (value: T) => Record<string, unknown>): Promise<T> {
  const started = ctx.now();
  ctx.emit({ type: 'step.started', step });
  try {
    const value = await work();
    const durationMs = ctx.now() - started;
    ctx.steps.push({ step, status: 'done', durationMs });
    ctx.emit({ type: 'step.finished', step, durationMs, ...(detail ? { detail: detail(value) } : {}) });
    return value;
  } catch (error) {
    const durationMs = ctx.now() - started;
    const info = toErrorInfo(error, ctx.redactor);
    ctx.steps.push({ step, status: 'failed', durationMs, error: info });
    ctx.emit({ type: 'step.failed', step, durationMs, error: info });
    throw new StepFailed(step, info, error);
  }
}

/** A deploy-level step failed; the deploy ends `failed` (or `partial` if hosts had switched). */
export class StepFailed extends Error {
  constructor(readonly step: StepRecord['step'], readonly info: ErrorInfo, readonly original: unknown) {
    super(info.message);
  }
}
