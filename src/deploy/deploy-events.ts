// Progress events the engine emits while it works; the job and chat layers render them.
import type { DeployOutcome, DeployResult, ErrorInfo, HostStepName, StepName, UnhealthyHost } from './deploy-result.ts';

interface Base {
  deployId: string;
  /** ISO 8601 */
  at: string;
}

export type DeployEvent = Base &
  (
    | { type: 'deploy.started'; kind: 'deploy' | 'rollback' | 'retry'; project: string; market: string; release: string; version: string; hosts: string[] }
    | { type: 'step.started'; step: StepName; hosts?: string[] }
    | { type: 'step.finished'; step: StepName; durationMs: number; detail?: Record<string, unknown> }
    | { type: 'step.failed'; step: StepName; durationMs: number; error: ErrorInfo }
    | { type: 'step.skipped'; step: StepName; reason: string }
    | { type: 'host.started'; step: HostStepName; host: string }
    | { type: 'host.finished'; step: HostStepName; host: string; durationMs: number; skipped?: boolean; outputTail?: string[] }
    | { type: 'host.failed'; step: HostStepName; host: string; durationMs: number; error: ErrorInfo; outputTail?: string[] }
    | { type: 'host.bytes'; host: string; sent: number; total: number }
    | { type: 'hook.finished'; hook: 'beforeDownload' | 'afterDownload' | 'beforeDeploy' | 'afterDeploy'; host?: string; exitCode: number | null; durationMs: number; outputTail: string[] }
    | { type: 'deploy.finished'; outcome: DeployOutcome; durationMs: number; result: DeployResult }
    // progressive rollout (docs/configuration.md, "Health and rollout"); waves are numbered from 1
    | { type: 'wave.started'; wave: number; waves: number; hosts: string[] }
    | { type: 'health.passed'; wave: number; host: string }
    | { type: 'health.failed'; wave: number; host: string; check: string; outputTail: string[] }
    | { type: 'wave.baking'; wave: number; bakeMs: number; remainingMs: number; healthy: number; switched: number }
    | { type: 'wave.finished'; wave: number; waves: number; unhealthy: string[] }
    | { type: 'rollout.failed'; wave: number; unhealthy: UnhealthyHost[]; action: 'rollback' | 'pause' | 'abort' | 'cancel'; reason: string }
    | { type: 'host.rolled-back'; host: string; releaseId?: string; ok: boolean; error?: ErrorInfo }
    | { type: 'rollout.paused'; wave: number; waves: number; reason: string }
  );

export type DeployEventListener = (event: DeployEvent) => void;

/** Omit over a union, distributing over its members. */
export type DeployEventBody = DeployEvent extends infer E ? (E extends DeployEvent ? Omit<E, 'deployId' | 'at'> : never) : never;
