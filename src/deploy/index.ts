// The deploy engine's public surface, for the jobs, status and chat layers.
export { runDeploy } from './run-deploy.ts';
export { dryRunDeploy, type DryRunHost, type DryRunReport } from './dry-run-deploy.ts';
export type { DeployEngineDeps, RelayOptions } from './deploy-context.ts';
export type { DeployPlan, DeployKind } from './deploy-plan.ts';
export {
  deployOutcome,
  type DeployOutcome,
  type DeployResult,
  type ErrorInfo,
  type HostOutcome,
  type HostResult,
  type HostStepName,
  type HostStepRecord,
  type PackageInfo,
  type StepName,
  type StepRecord,
} from './deploy-result.ts';
export type { DeployEvent, DeployEventListener, DeployEventType } from './deploy-events.ts';
export { MemoryCheckpoint, type DeployCheckpoint } from './deploy-checkpoint.ts';
export { FileCheckpoint } from './file-checkpoint.ts';
export { readCurrentRelease, readIndicator, type CurrentRelease } from './read-current-release.ts';
export { formatReleaseId, parseReleaseId, safeVersion, packageFileName, compareReleaseIds, isReleaseId } from '../domain/release-id.ts';
export { planRetry, type RetryPlan } from '../domain/plan-retry.ts';
export { planPrune } from '../domain/plan-prune.ts';
export { decideSwitch, type SwitchDecision } from '../domain/decide-switch.ts';
export { previousReleaseOnDisk, agreeOnRollbackTarget } from '../domain/plan-rollback.ts';
export { refSyntaxProblem, assertRefSyntax } from './git/ref-syntax.ts';
export { resolveRef, type ResolvedRef } from './git/resolve-ref.ts';
export { resolveRemoteRef } from './git/resolve-remote-ref.ts';
export { updateMirror, mirrorDirectory } from './git/update-mirror.ts';
export { releaseIndicator, INDICATOR_PATH } from './build/make-package.ts';
export type { HostTransport, TransportFactory, ScriptOptions } from './transports/host-transport.ts';
export type { ScriptResult, CommandResult } from './command-result.ts';
export { transportForHost } from './transports/transport-for-host.ts';
export { LocalTransport } from './transports/local-transport.ts';
export { SshTransport, type SshEndpoint } from './transports/ssh-transport.ts';
export { quoteShellArg, shellCommand } from './quote-shell-arg.ts';
export { expandHookTemplate } from './expand-hook-template.ts';
