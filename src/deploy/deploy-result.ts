// What a deploy reports: one outcome, and per host what happened at each step. Plain JSON,
// so it survives being stored as a job result.

/** rolled-back: a rollout failed its health checks and every host it switched went back. paused: stopped between waves until `resume` or `abort`. */
export type DeployOutcome = 'success' | 'partial' | 'failed' | 'cancelled' | 'rolled-back' | 'paused';
export type StepName = 'resolve' | 'build' | 'preflight' | 'distribute' | 'switch' | 'record' | 'prune';
export type HostStepName = 'distribute' | 'beforeDeploy' | 'link' | 'afterDeploy' | 'prune';
export const SWITCH_STEPS = ['beforeDeploy', 'link', 'afterDeploy'] as const satisfies readonly HostStepName[];

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface HostStepRecord {
  status: 'done' | 'failed' | 'skipped';
  durationMs?: number;
  error?: ErrorInfo;
  /** Last lines of the step's output (hooks), secrets redacted. */
  outputTail?: string[];
  /** Bytes this host received from the bot (distribute). */
  bytes?: number;
  /** Release directories removed (prune). */
  removed?: string[];
}

/** success: switched, hooks passed. failed: a step failed (failedStep). not-switched: ready, but the switch did not run (too many failures, or cancelled). */
export type HostOutcome = 'success' | 'failed' | 'not-switched';

export interface HostResult {
  host: string;
  outcome: HostOutcome;
  failedStep?: HostStepName;
  error?: ErrorInfo;
  outputTail?: string[];
  steps: Partial<Record<HostStepName, HostStepRecord>>;
  /** The release that was current before this deploy switched the host. */
  previousReleaseId?: string;
  /** Its health checks after the switch (rollouts with `health`): passed, or why not. */
  health?: { healthy: boolean; check?: string; outputTail?: string[] };
  /** A failed rollout (or an abort) switched it back to `previousReleaseId`. */
  rolledBack?: { releaseId?: string; ok: boolean; error?: ErrorInfo };
}

/** A host its health checks failed, with the failing check and the last lines of its output. */
export interface UnhealthyHost {
  host: string;
  check: string;
  outputTail: string[];
}

/** How a progressive rollout went (docs/configuration.md, "Health and rollout"). */
export interface RolloutSummary {
  /** The hosts of each wave, in order. */
  waves: string[][];
  /** Waves whose hosts were switched and checked. */
  wavesDone: number;
  unhealthy: UnhealthyHost[];
  /** Why it rolled back, paused or stopped. */
  reason?: string;
  /** Hosts switched back to their previous release. */
  rolledBack?: string[];
}

export interface StepRecord {
  step: StepName;
  status: 'done' | 'failed' | 'skipped' | 'cancelled';
  durationMs: number;
  error?: ErrorInfo;
}

export interface PackageInfo {
  file: string;
  sha256: string;
  bytes: number;
}

export interface DeployResult {
  deployId: string;
  kind: 'deploy' | 'rollback' | 'retry';
  project: string;
  market: string;
  location: string;
  release: string;
  version: string;
  outcome: DeployOutcome;
  /** Why the deploy as a whole failed (resolve, build, preflight, the switch gate). */
  error?: ErrorInfo;
  releaseId?: string;
  commit?: string;
  package?: PackageInfo;
  buildCacheHit?: boolean;
  /** Bytes the bot itself uploaded (one package in relay mode, whatever the host count). */
  bytesUploaded: number;
  relayedVia?: string;
  hosts: HostResult[];
  steps: StepRecord[];
  switchedHosts: string[];
  failedHosts: string[];
  /** A cancel arrived after switching had begun: the switch was finished, not interrupted. */
  cancelIgnored?: boolean;
  /** Waves, health and rollback of a progressive rollout; absent for a plain one-wave switch. */
  rollout?: RolloutSummary;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** The deploy's outcome from its hosts: all switched → success, some → partial, none → failed (or cancelled). */
export function deployOutcome(hosts: readonly HostResult[], opts: { cancelled?: boolean; error?: boolean } = {}): DeployOutcome {
  const succeeded = hosts.filter((h) => h.outcome === 'success').length;
  const switched = hosts.filter((h) => h.steps.link?.status === 'done').length;
  if (hosts.length > 0 && succeeded === hosts.length && !opts.error) return 'success';
  if (switched > 0) return 'partial';
  if (opts.cancelled) return 'cancelled';
  return 'failed';
}
