// What a deploy looks like to its watchers, folded from the notices it published, in order
// (docs/reference/messages.md). Pure: the same notices always give the same view, whether they are
// folded all at once (`reduceNotices`) or a few at a time as they arrive (`newDeployFold`,
// `foldNotices`, then `viewOfFold` as often as wanted). The notifier keeps one fold per deploy and
// reads only the notices it has not folded yet, so its work grows with the notices, not with their
// square.
import type { DeployNotice } from '../deploy/deploy-notice.ts';
import type { DeployResult, HostStepName, StepName } from '../deploy/deploy-result.ts';
import { type DeployRecord, isTerminal } from '../domain/deploy-record.ts';
import type { People } from '../domain/people.ts';
import type { ApprovalView, DeployView, FailedHostView, HostCounts, HostStepGroup, StepStatus, StepView, ViewStepName } from './deploy-view-types.ts';
import { VIEW_STEPS } from './deploy-view-types.ts';
import { approveStep, closeApproval, showPeople } from './approval-view.ts';
import { hostSummary } from './host-summary.ts';
import { formatElapsed } from './message-text.ts';

export * from './deploy-view-types.ts';
type HostStatus = 'running' | 'done' | 'failed';
type EngineStep = Exclude<ViewStepName, 'validate' | 'approve'>;

const GROUP_OF: Record<HostStepName, HostStepGroup> = {
  distribute: 'distribute',
  beforeDeploy: 'switch',
  link: 'switch',
  afterDeploy: 'switch',
  prune: 'prune',
};

const CANCEL_REASONS = new Set(['cancelled', 'cancel requested']);

/**
 * A deploy's notices folded so far: everything a view needs, nothing per notice. Its size grows
 * with the hosts (a status, a failure and a byte count per host) and with the warnings, size
 * spans and notes told, not with the number of notices.
 */
export interface DeployFold {
  /** Notices folded: the index of the next one. */
  count: number;
  firstAt?: string;
  lastAt?: string;
  view: DeployView;
  record?: DeployRecord;
  engine: Map<EngineStep, StepView>;
  hostStatus: Record<HostStepGroup, Map<string, HostStatus>>;
  failures: Map<string, FailedHostView>;
  bytes: Map<string, { sent: number; total: number }>;
  engineStarted: boolean;
  engineStepFailed: boolean;
  started?: { project: string; market: string; release: string; version: string };
  /** When each engine step last started (the notice's time). */
  stepStartedAt: Map<EngineStep, string>;
}
type Fold = DeployFold;

/** A step running at least this long without news gets an `activity` line. */
export const ACTIVITY_AFTER_MS = 5000;

/** An empty fold: no notice seen yet. */
export function newDeployFold(): DeployFold {
  return {
    count: 0,
    view: { deployId: '', header: {}, steps: [], hosts: [], elapsedMs: 0, failedHosts: [], warnings: [], sizeSpans: [], notes: [], noticeCount: 0, finished: false },
    engine: new Map(),
    hostStatus: { distribute: new Map(), switch: new Map(), prune: new Map() },
    failures: new Map(),
    bytes: new Map(),
    engineStarted: false,
    engineStepFailed: false,
    stepStartedAt: new Map(),
  };
}

/** Folds the next notices (the ones from index `fold.count` on), oldest first. */
export function foldNotices(fold: DeployFold, notices: readonly DeployNotice[]): void {
  for (const notice of notices) {
    if (fold.count === 0) {
      fold.view.deployId = notice.deployId;
      fold.firstAt = notice.at;
    }
    apply(fold, notice, fold.count);
    fold.count += 1;
    fold.lastAt = notice.at;
  }
}

/**
 * What the notices folded so far show. People are shown by name where `people` knows them,
 * else by their qualified id (docs/configuration.md#people). The fold is left as it was, so
 * more notices can be folded and viewed again.
 */
export function viewOfFold(fold: DeployFold, people: People = {}, now?: Date): DeployView {
  const view = finish(fold, copyOfView(fold.view), people);
  const activity = now ? activityOf(fold, view, now) : undefined;
  if (activity) view.activity = activity;
  return view;
}

/** Folds a deploy's notices, oldest first, into what its messages show (see `viewOfFold`). */
export function reduceNotices(notices: readonly DeployNotice[], people: People = {}, now?: Date): DeployView {
  const fold = newDeployFold();
  foldNotices(fold, notices);
  return viewOfFold(fold, people, now);
}

/** The folded view's own parts copied, so that finishing a view never changes the fold. */
function copyOfView(view: DeployView): DeployView {
  const copy: DeployView = { ...view, header: { ...view.header }, hosts: [...view.hosts], warnings: [...view.warnings], sizeSpans: [...view.sizeSpans], notes: [...view.notes] };
  if (view.approval) copy.approval = { ...view.approval, approvers: [...view.approval.approvers], approvedBy: [...view.approval.approvedBy] };
  if (view.rollout) copy.rollout = { ...view.rollout, healthy: [...view.rollout.healthy], unhealthy: [...view.rollout.unhealthy], rolledBack: [...view.rollout.rolledBack] };
  return copy;
}

/** `build running · 2m 05s` for the step still running, once it has run ACTIVITY_AFTER_MS. */
function activityOf(fold: Fold, view: DeployView, now: Date): string | undefined {
  if (view.finished) return undefined;
  const running = [...fold.engine.values()].filter((step) => step.status === 'running').at(-1);
  const since = running && fold.stepStartedAt.get(running.name as EngineStep);
  if (!running || !since) return undefined;
  const ms = now.getTime() - Date.parse(since);
  return ms >= ACTIVITY_AFTER_MS ? `${running.name} running · ${formatElapsed(ms)}` : undefined;
}

function apply(fold: Fold, notice: DeployNotice, index: number): void {
  const { view } = fold;
  switch (notice.type) {
    case 'job.accepted':
      takeRecord(fold, notice.record);
      view.state ??= notice.record.state;
      return;
    case 'job.state':
      takeRecord(fold, notice.record);
      view.state = notice.state;
      if (notice.reason !== undefined) view.reason = notice.reason;
      else delete view.reason;
      if (notice.state === 'running' || isTerminal(notice.state)) delete view.queuedBehind;
      closeApproval(view, notice.state, notice.record, notice.at, notice.reason);
      return;
    case 'job.queued-behind':
      view.queuedBehind = notice.behind;
      return;
    case 'job.approval-requested': {
      takeRecord(fold, notice.record);
      const approval = notice.record.approval;
      view.approval = {
        status: 'pending',
        noticeIndex: index,
        requestedAt: notice.at,
        approvers: approval?.approvers ?? [],
        required: approval?.required ?? 1,
        approvedBy: approval?.approvedBy ?? [],
        ...(approval?.expiresAt ? { expiresAt: approval.expiresAt } : {}),
        ...(notice.record.plan ? { plan: notice.record.plan } : {}),
        ...(notice.diffSummary ? { diffSummary: notice.diffSummary } : {}),
        ...(notice.downgradeFrom ? { downgradeFrom: notice.downgradeFrom } : {}),
      };
      return;
    }
    case 'job.approval-decided':
      takeRecord(fold, notice.record);
      if (view.approval) {
        view.approval.status = notice.decision.decision;
        view.approval.decision = notice.decision;
        view.approval.approvedBy = notice.record.approval?.approvedBy ?? view.approval.approvedBy;
      }
      return;
    case 'job.warning':
      view.warnings.push({ index, at: notice.at, warning: notice.warning });
      return;
    case 'job.size-spans':
      view.sizeSpans.push({ index, at: notice.at, report: notice.report, release: notice.release, version: notice.version });
      return;
    case 'job.note':
      view.notes.push(notice.text);
      return;
    case 'deploy.started':
      fold.engineStarted = true;
      fold.started = { project: notice.project, market: notice.market, release: notice.release, version: notice.version };
      if (notice.hosts.length > 0) view.hosts = [...notice.hosts];
      return;
    case 'step.started':
      fold.engineStarted = true;
      fold.engine.set(notice.step, { name: notice.step, status: 'running' });
      fold.stepStartedAt.set(notice.step, notice.at);
      return;
    case 'step.finished':
      fold.engine.set(notice.step, { name: notice.step, status: 'done', durationMs: notice.durationMs, ...stepDetail(notice.step, notice.detail) });
      if (notice.step === 'resolve' && typeof notice.detail?.['commit'] === 'string') view.header.commit = notice.detail['commit'];
      return;
    case 'step.failed':
      fold.engineStepFailed = true;
      fold.engine.set(notice.step, { name: notice.step, status: 'failed', durationMs: notice.durationMs, note: notice.error.message });
      return;
    case 'step.skipped':
      fold.engine.set(notice.step, { name: notice.step, status: CANCEL_REASONS.has(notice.reason) ? 'stopped' : 'skipped', note: notice.reason });
      return;
    case 'host.started':
      fold.hostStatus[GROUP_OF[notice.step]].set(notice.host, 'running');
      return;
    case 'host.finished':
      fold.hostStatus[GROUP_OF[notice.step]].set(notice.host, 'done');
      if (GROUP_OF[notice.step] !== 'prune') fold.failures.delete(notice.host);
      return;
    case 'host.failed': {
      fold.hostStatus[GROUP_OF[notice.step]].set(notice.host, 'failed');
      if (GROUP_OF[notice.step] !== 'prune') {
        fold.failures.set(notice.host, { host: notice.host, step: notice.step, error: notice.error, outputTail: notice.outputTail ?? [] });
      }
      return;
    }
    case 'host.bytes':
      fold.bytes.set(notice.host, { sent: notice.sent, total: notice.total });
      return;
    case 'hook.finished':
      return;
    case 'wave.started': {
      const r = rolloutOf(view);
      r.wave = notice.wave;
      r.waves = notice.waves;
      r.switched = Math.max(r.switched, view.hosts.indexOf(notice.hosts.at(-1)!) + 1);
      delete r.bakeRemainingMs;
      return;
    }
    case 'health.passed': {
      const r = rolloutOf(view);
      if (!r.healthy.includes(notice.host)) r.healthy.push(notice.host);
      return;
    }
    case 'health.failed': {
      const r = rolloutOf(view);
      r.healthy = r.healthy.filter((h) => h !== notice.host);
      if (!r.unhealthy.some((u) => u.host === notice.host)) r.unhealthy.push({ host: notice.host, check: notice.check, outputTail: notice.outputTail });
      return;
    }
    case 'wave.baking':
      rolloutOf(view).bakeRemainingMs = notice.remainingMs;
      return;
    case 'wave.finished':
      delete rolloutOf(view).bakeRemainingMs;
      return;
    case 'rollout.failed':
    case 'rollout.paused':
      rolloutOf(view).reason = notice.reason;
      return;
    case 'host.rolled-back':
      if (notice.ok) rolloutOf(view).rolledBack.push(notice.host);
      return;
    case 'deploy.finished':
      view.outcome = notice.outcome;
      view.result = notice.result;
      if (notice.result.error) view.error = notice.result.error;
      if (notice.result.commit) view.header.commit = notice.result.commit;
      if (!view.state || !isTerminal(view.state)) view.state = notice.outcome;
      return;
  }
}

function rolloutOf(view: DeployView): NonNullable<DeployView['rollout']> {
  view.rollout ??= { wave: 0, waves: 0, switched: 0, total: view.hosts.length, healthy: [], unhealthy: [], rolledBack: [] };
  view.rollout.total = view.hosts.length;
  return view.rollout;
}

function takeRecord(fold: Fold, record: DeployRecord): void {
  fold.record = record;
  const h = fold.view.header;
  h.verb = record.verb;
  h.command = record.command;
  h.project = record.project;
  h.market = record.market;
  h.location = record.location;
  h.release = record.release;
  h.requestedBy = record.requestedBy;
  if (record.version !== undefined) h.version = record.version;
  if (record.ref !== undefined) h.ref = record.ref;
  if (record.platforms !== undefined) h.platforms = [...record.platforms];
  const commit = record.commit ?? record.plan?.commit;
  if (commit !== undefined) h.commit = commit;
  if (record.relatedDeployId !== undefined) h.relatedDeployId = record.relatedDeployId;
  if (record.scheduledAt !== undefined) h.scheduledAt = record.scheduledAt;
  if (fold.view.hosts.length === 0 || !fold.engineStarted) fold.view.hosts = [...(record.plan?.hosts.length ? record.plan.hosts : record.hosts)];
}

function stepDetail(step: StepName, detail: Record<string, unknown> | undefined): { note?: string } {
  if (step === 'build' && detail?.['cacheHit'] === true) return { note: 'cached' };
  return {};
}

function finish(fold: Fold, view: DeployView, people: People): DeployView {
  const record = fold.record;
  if (record) view.record = record;
  if (fold.started) {
    view.header.project ??= fold.started.project;
    view.header.market ??= fold.started.market;
    view.header.release ??= fold.started.release;
    view.header.version ??= fold.started.version;
  }
  view.noticeCount = fold.count;
  const first = fold.firstAt;
  const last = fold.lastAt;
  if (first) view.startedAt = first;
  if (last) view.updatedAt = last;
  if (first && last) view.elapsedMs = Math.max(0, Date.parse(last) - Date.parse(first)) || 0;
  if (view.result) view.elapsedMs = Math.max(view.elapsedMs, view.result.durationMs);
  view.finished = view.state !== undefined && isTerminal(view.state);

  const total = view.hosts.length;
  const counts = (group: HostStepGroup, groupTotal: number): HostCounts => {
    let done = 0;
    let failed = 0;
    for (const status of fold.hostStatus[group].values()) {
      if (status === 'done') done += 1;
      else if (status === 'failed') failed += 1;
    }
    return { done, failed, total: Math.max(groupTotal, fold.hostStatus[group].size) };
  };
  const switched = counts('switch', total);
  const hostCounts: Record<HostStepGroup, HostCounts> = {
    distribute: counts('distribute', total),
    switch: switched,
    prune: counts('prune', switched.done),
  };
  let failures = [...fold.failures.values()];
  if (view.result) {
    const summary = hostSummary(view.result.hosts);
    Object.assign(hostCounts, summary.counts);
    failures = summary.failed;
  }
  view.failedHosts = failures;

  let sent = 0;
  let size = 0;
  for (const b of fold.bytes.values()) {
    sent += b.sent;
    size += b.total;
  }
  if (fold.bytes.size > 0) view.bytes = { sent, total: size };

  showPeople(view, record, people);
  view.steps = [validateStep(fold), approveStep(view)];
  for (const name of VIEW_STEPS.slice(2) as EngineStep[]) {
    const seen = fold.engine.get(name);
    if (name === 'preflight' && !seen) continue;
    const step: StepView = seen ? { ...seen } : { name, status: 'pending' };
    if (name === 'distribute' || name === 'switch' || name === 'prune') {
      const c = hostCounts[name];
      if (c.total > 0 && (step.status !== 'pending' || c.done + c.failed > 0)) step.hosts = c;
    }
    view.steps.push(step);
  }
  if (view.finished) {
    for (const step of view.steps) {
      if (step.status === 'pending') step.status = 'skipped';
      else if (step.status === 'running') step.status = view.state === 'cancelled' ? 'stopped' : 'failed';
    }
  }
  return view;
}

function validateStep(fold: Fold): StepView {
  const { view } = fold;
  const state = view.state;
  const step: StepView = { name: 'validate', status: 'pending' };
  if (state === undefined) return step;
  if (state === 'refused') return { ...step, status: 'stopped', ...(view.reason ? { note: view.reason } : {}) };
  if (state === 'failed' && !fold.engineStepFailed && !view.result) return { ...step, status: 'failed', ...(view.reason ? { note: view.reason } : {}) };
  if (state === 'preparing' && !fold.engineStarted && !view.approval) return { ...step, status: 'running' };
  return { ...step, status: 'done' };
}
