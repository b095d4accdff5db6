// The shape of a deploy as its watchers see it (docs/reference/messages.md): what reduceNotices builds and the
// renderers read.
import type { DowngradeFrom } from '../deploy/deploy-notice.ts';
import type { DeployOutcome, DeployResult, ErrorInfo, HostStepName } from '../deploy/deploy-result.ts';
import type { ApprovalDecision, ApprovedPlan, DeployRecord, DeployState, DeployVerb } from '../domain/deploy-record.ts';
import type { GrayWarning } from '../domain/gray-warnings.ts';
import type { SizeSpanReport } from '../domain/size-span-report.ts';

/** The steps of docs/reference/deploy-lifecycle.md as shown; `preflight` (rollback) appears only when a deploy ran it. */
export const VIEW_STEPS = ['validate', 'approve', 'resolve', 'build', 'preflight', 'distribute', 'switch', 'record', 'prune'] as const;
export type ViewStepName = (typeof VIEW_STEPS)[number];

/** pending: not reached; stopped: ended by a decision or cancel (rejected, expired, refused, cancelled). */
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'stopped';

export interface HostCounts {
  done: number;
  failed: number;
  total: number;
}

export interface StepView {
  name: ViewStepName;
  status: StepStatus;
  /** distribute, switch, prune: hosts done / failed / targeted. */
  hosts?: HostCounts;
  durationMs?: number;
  /** Why it was skipped, stopped or failed; or a detail (`cached`, `approved by bob`). */
  note?: string;
}

/** A person as a card shows them: their name, and their id on the deploy's platform when known (a mention). */
export interface PersonRef {
  name: string;
  id?: string;
}

export interface DeployHeader {
  verb?: DeployVerb;
  command?: string;
  project?: string;
  market?: string;
  location?: string;
  release?: string;
  /** The market's platforms the command applies to (docs/platforms.md); absent in a market without platforms. */
  platforms?: string[];
  version?: string;
  ref?: string;
  commit?: string;
  requestedBy?: string;
  /** The requester as a card shows them. */
  requester?: PersonRef;
  relatedDeployId?: string;
  /** `--at`: when it runs, in market time with its offset (docs/scheduling.md). */
  scheduledAt?: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled' | 'closed';

export interface ApprovalView {
  status: ApprovalStatus;
  /** Index of the `job.approval-requested` notice. */
  noticeIndex: number;
  requestedAt: string;
  approvers: string[];
  required: number;
  expiresAt?: string;
  approvedBy: string[];
  plan?: ApprovedPlan;
  /** The approvers who can decide: one per person, the requester's left out (approvers lists them all). */
  deciders?: PersonRef[];
  /** Pending, and the approvers other than the requester's person are fewer than `required`. */
  nobodyCanApprove?: boolean;
  /** Commits since the production commit, one line each. */
  diffSummary?: string[];
  /** The commit is older than production's: approving goes back in history. */
  downgradeFrom?: DowngradeFrom;
  decision?: ApprovalDecision;
  /** Expired, cancelled or closed: when, by whom, why. */
  closedAt?: string;
  closedBy?: string;
  closedReason?: string;
}

export interface FailedHostView {
  /** The host's config name. */
  host: string;
  step?: HostStepName;
  error?: ErrorInfo;
  /** Last lines of its output (redacted by the engine). */
  outputTail: string[];
}

export interface WarningEntry {
  index: number;
  at: string;
  warning: GrayWarning;
}

export interface SizeSpansEntry {
  index: number;
  at: string;
  report: SizeSpanReport;
  release: string;
  version: string;
}

/** A progressive rollout as the progress message shows it (`wave 2/3 · 4/16 ✓ · health 4/4 ✓ · bake 35 s left`). */
export interface RolloutView {
  wave: number;
  waves: number;
  /** Hosts switched so far, of `total`. */
  switched: number;
  total: number;
  /** Hosts that passed their checks since their switch. */
  healthy: string[];
  unhealthy: { host: string; check: string; outputTail: string[] }[];
  bakeRemainingMs?: number;
  rolledBack: string[];
  /** Why the rollout rolled back or paused. */
  reason?: string;
}

export interface DeployView {
  deployId: string;
  header: DeployHeader;
  /** The newest record a notice carried. */
  record?: DeployRecord;
  /** The newest state told (a job notice, else the engine's outcome). */
  state?: DeployState;
  reason?: string;
  queuedBehind?: string;
  steps: StepView[];
  /** Targeted hosts by config name. */
  hosts: string[];
  /** Upload progress summed over hosts (latest `host.bytes` of each). */
  bytes?: { sent: number; total: number };
  startedAt?: string;
  updatedAt?: string;
  elapsedMs: number;
  outcome?: DeployOutcome;
  result?: DeployResult;
  /** Why the deploy as a whole failed (a step's error). */
  error?: ErrorInfo;
  failedHosts: FailedHostView[];
  warnings: WarningEntry[];
  sizeSpans: SizeSpansEntry[];
  notes: string[];
  approval?: ApprovalView;
  rollout?: RolloutView;
  noticeCount: number;
  /** A terminal state: nothing more will change. */
  finished: boolean;
  /**
   * What is under way when a step has been running a while with nothing new to tell (a long
   * hook or build): `build running · 2m 05s`. Plain text for every renderer; set only when
   * the view was made with the current time (reduceNotices' `now`).
   */
  activity?: string;
  /** The deploy page's signed link (docs/deploy-page.md), when pages are on. */
  detailsUrl?: string;
}

/** Host steps as the progress message groups them. */
export type HostStepGroup = 'distribute' | 'switch' | 'prune';
