// Everything a deploy tells its watchers, in order: the job layer's own notices and the
// engine's progress events. Notifiers in any process render these (docs/reference/messages.md). It lives next to
// the engine's events, the lowest layer that holds all its parts, so that the store (which
// keeps the notices) and the notifier (which renders them) need nothing from the job layer.
import type { DeployEvent } from './deploy-events.ts';
import type { ApprovalDecision, DeployRecord, DeployState } from '../domain/deploy-record.ts';
import type { GrayWarning } from '../domain/gray-warnings.ts';
import type { SizeSpanReport } from '../domain/size-span-report.ts';

export type JobNotice =
  | { type: 'job.accepted'; record: DeployRecord }
  | { type: 'job.state'; state: DeployState; reason?: string; record: DeployRecord }
  | { type: 'job.queued-behind'; behind: string }
  | { type: 'job.approval-requested'; record: DeployRecord; diffSummary?: string[]; downgradeFrom?: DowngradeFrom }
  | { type: 'job.approval-decided'; decision: ApprovalDecision; record: DeployRecord }
  | { type: 'job.warning'; warning: GrayWarning }
  | { type: 'job.size-spans'; report: SizeSpanReport; release: string; version: string }
  | { type: 'job.note'; text: string };

export type DeployNotice = (JobNotice & { deployId: string; at: string }) | DeployEvent;

/** The approved commit is older than production's (an ancestor of it): the card warns. */
export interface DowngradeFrom {
  /** Production's commit. */
  commit: string;
  version?: string;
}
