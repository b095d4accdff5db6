// A deploy as the job layer tracks it (docs/reference/vocabulary.md "deploy"): the command, its approval, its
// plan and its outcome. Plain JSON, stored in Redis; the state machine below is pure.

/** The side-effecting verbs that become deploys. */
export type DeployVerb =
  | 'deploy'
  | 'gray start'
  | 'gray cancel'
  | 'gray promote'
  | 'review start'
  | 'review cancel'
  | 'review promote'
  | 'rollback'
  | 'retry'
  | 'sync';

export type DeployState =
  | 'preparing'          // validate, resolve, build
  | 'awaiting-approval'  // parked until a decision or expiry
  | 'queued'             // ready to run, waiting for a worker or the location lock
  | 'running'            // distribute, switch, record, prune (or the store write)
  | 'success'
  | 'partial'
  | 'failed'
  | 'cancelled'
  | 'rejected'
  | 'expired'
  | 'refused'            // a policy or release rule said no before anything changed
  | 'paused'             // a rollout stopped between waves, waiting for `resume` or `abort`
  | 'rolled-back';       // a rollout's health checks failed (or `abort`): what it switched went back

export const TERMINAL_STATES: ReadonlySet<DeployState> = new Set(['success', 'partial', 'failed', 'cancelled', 'rejected', 'expired', 'refused', 'rolled-back']);

export function isTerminal(state: DeployState): boolean {
  return TERMINAL_STATES.has(state);
}

/** Finished, or parked on a human. */
export function isIdle(state: DeployState): boolean {
  return isTerminal(state) || state === 'awaiting-approval' || state === 'paused';
}

/** Idle, or queued for a time still ahead (`--at`, docs/scheduling.md): what the console's `wait` waits for. */
export function isParked(record: Pick<DeployRecord, 'state' | 'scheduledAt'>, nowMs: number): boolean {
  return isIdle(record.state) || (record.state === 'queued' && record.scheduledAt !== undefined && Date.parse(record.scheduledAt) > nowMs);
}

export interface ApprovalDecision {
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
  reason?: string;
}

export interface ApprovalState {
  approvers: string[];
  required: number;
  expiresAt: string;
  /** Approvers who approved so far (distinct). */
  approvedBy: string[];
  decision?: ApprovalDecision;
}

/** The gray or review release a promote was approved for, as it was when the card was posted. */
export interface PromotedRelease {
  release: string;
  deployId: string | null;
  version: string | null;
  commit: string | null;
  versions: string[];
}

/**
 * What an approval covers (docs/operations.md "What an approval covers"): if any of it
 * differs when the job runs, the approval is void. Which parts a verb fills in is decided in
 * src/app/plan-parts.ts; the comparison is src/domain/approved-plan.ts.
 */
export interface ApprovedPlan {
  commit?: string;
  packageSha256?: string;
  releaseId?: string;
  hosts: string[];
  /** The hook scripts as they would run, expanded from the config. */
  hooks: Record<string, string>;
  /** deploy / gray start: the build command and output directory (null: none configured). */
  build?: { command: string | null; output: string | null };
  /** deploy / gray start: the project's online path and releases directory. */
  path?: string;
  releasesDir?: string;
  /** Rollback: the release id switched to. */
  rollbackTo?: string;
  /** Promote: the versions appended to production. */
  versions?: string[];
  /** gray / review promote: the release promoted. */
  promoted?: PromotedRelease;
  /**
   * The state the plan starts from: per release, the deploy id of its `current` record when
   * the card was posted (null: no such release). Another deploy changing one voids the approval.
   */
  startsFrom?: Record<string, string | null>;
  fingerprint: string;
}

export interface DeployRecord {
  id: string;
  verb: DeployVerb;
  /** The command as typed (normalised). */
  command: string;
  project: string;
  market: string;
  /** Location name in the market's config. */
  location: string;
  /** `production`, `gray` or `review-<channel>`. */
  release: string;
  ref?: string;
  version?: string;
  /** Target hosts by config name. */
  hosts: string[];
  /** Hosts named with `--hosts`, when they were. */
  requestedHosts?: string[];
  /**
   * The market's platforms this release command applies to (docs/platforms.md): those named
   * with `--platforms`, else the review location's, else all. Absent in a market without platforms.
   */
  platforms?: string[];
  requestedBy: string;
  platform: string;
  /** Chat channel the command came from. */
  channel: string;
  createdAt: string;
  /** `--at`: when it runs, as the market's clocks show it (`2026-12-02T03:00+08:00`; docs/scheduling.md). */
  scheduledAt?: string;
  /** The time in the release id (unique per project); absent for verbs that ship no new release. */
  releaseAt?: string;
  state: DeployState;
  /** Why it is in this state (refusal, failure, cancel, void approval). */
  reason?: string;
  approval?: ApprovalState;
  plan?: ApprovedPlan;
  /** Retry: the deploy being finished. Rollback: the named deploy. */
  relatedDeployId?: string;
  /** Rollback: target release id chosen at prepare time. */
  rollbackTo?: string;
  commit?: string;
  /** When `commit` was made (its committer time), once resolved: the lead time's start. */
  commitAt?: string;
  /** Its subject line, once resolved (shown on the deploy page). */
  commitSubject?: string;
  releaseId?: string;
  cancelRequested?: { by: string; at: string };
  /** A progressive rollout: `pause <id>` asked it to stop after the current wave. */
  pauseRequested?: { by: string; at: string };
  /** A progressive rollout: `abort <id>` (or Roll back) asked it to switch back what it switched. */
  abortRequested?: { by: string; at: string };
  /** How often `resume <id>` (or Resume) continued it after a pause. */
  resumes?: number;
  /** The deploy holding the location lock when this one last had to wait. */
  queuedBehind?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Per release the plan starts from, the deploy id current on it when this deploy ended (what a retry must still find). */
  endState?: Record<string, string | null>;
  /** Hosts switched / failed, from the engine's result. */
  switchedHosts?: string[];
  failedHosts?: string[];
  /** How often the reconciler resumed it (app/reconcile-deploys.ts). */
  reconcilerResumes?: number;
  /** Revision for compare-and-set updates. */
  rev: number;
}

const TRANSITIONS: Record<DeployState, readonly DeployState[]> = {
  preparing: ['awaiting-approval', 'queued', 'refused', 'failed', 'cancelled'],
  'awaiting-approval': ['queued', 'rejected', 'expired', 'cancelled', 'failed'],
  queued: ['running', 'cancelled', 'failed', 'refused', 'expired'],
  running: ['success', 'partial', 'failed', 'cancelled', 'paused', 'rolled-back'],
  // resume / abort queue it again; cancel --force ends it
  paused: ['queued', 'cancelled', 'failed'],
  success: [],
  partial: [],
  failed: [],
  cancelled: [],
  rejected: [],
  expired: [],
  refused: [],
  'rolled-back': [],
};

export function canTransition(from: DeployState, to: DeployState): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}
