// Progress events the engine emits while it works; the job and chat layers render them.
import type { DeployOutcome, DeployResult, ErrorInfo, HostStepName, StepName } from './deploy-result.ts';

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
  );

export type DeployEventListener = (event: DeployEvent) => void;

/** Omit over a union, distributing over its members. */
export type DeployEventBody = DeployEvent extends infer E ? (E extends DeployEvent ? Omit<E, 'deployId' | 'at'> : never) : never;
