// Per host, its steps as the deploy page draws them (docs/deploy-page.md): distribute,
// beforeDeploy, switch, afterDeploy — each pending, running, done, failed or skipped, with
// when it started and ended — folded from the deploy's notices in order. In a progressive
// rollout (docs/operations.md "Progressive rollout") each host also has its wave and its
// health after its switch. Pure.
import type { DeployNotice } from '../deploy/deploy-notice.ts';
import type { HostStepName } from '../deploy/deploy-result.ts';

export const PAGE_HOST_STEPS = ['distribute', 'beforeDeploy', 'link', 'afterDeploy'] as const satisfies readonly HostStepName[];
export type PageHostStep = (typeof PAGE_HOST_STEPS)[number];
export type HostNodeState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
/** A rollout host's health: pending until switched, checking until its checks answer, then healthy or unhealthy (skipped: never switched). */
export type HostHealthState = 'pending' | 'checking' | 'healthy' | 'unhealthy' | 'skipped';

export interface HostStepTiming {
  state: HostNodeState;
  /** Epoch ms. */
  startedAt?: number;
  endedAt?: number;
}

export interface HostTimeline {
  host: string;
  steps: Record<PageHostStep, HostStepTiming>;
  /** The host as a whole: failed if a step failed, running while one runs, done once switched and after-deployed. */
  state: HostNodeState;
  /** In a rollout: the wave (from 1) the host was switched in. */
  wave?: number;
  /** In a rollout: the host's health, once its wave started. */
  health?: HostHealthState;
  /** In a rollout: switched back to the release it had before (its health stays what it was). */
  rolledBack?: boolean;
}

/** Shown under "switch" on the page: the symlink step. */
export const PAGE_STEP_LABELS: Record<PageHostStep, string> = { distribute: 'upload', beforeDeploy: 'beforeDeploy', link: 'switch', afterDeploy: 'afterDeploy' };

export interface HostTimelineOptions {
  /** The deploy has ended: what never ran is skipped, what still ran is failed. */
  finished: boolean;
  /** The approved plan's hook scripts by point: a hook it lacks is skipped from the start. */
  hooks?: Readonly<Record<string, string>>;
}

export function hostTimelines(notices: readonly DeployNotice[], hosts: readonly string[], options: HostTimelineOptions): HostTimeline[] {
  const byHost = new Map<string, HostTimeline>();
  const hook = (point: 'beforeDeploy' | 'afterDeploy'): HostStepTiming => ({ state: options.hooks && options.hooks[point] === undefined ? 'skipped' : 'pending' });
  const timeline = (host: string): HostTimeline => {
    let t = byHost.get(host);
    if (!t) {
      t = { host, state: 'pending', steps: { distribute: { state: 'pending' }, beforeDeploy: hook('beforeDeploy'), link: { state: 'pending' }, afterDeploy: hook('afterDeploy') } };
      byHost.set(host, t);
    }
    return t;
  };
  for (const host of hosts) timeline(host);
  let rollout = false;
  for (const notice of notices) {
    if (notice.type === 'wave.started') {
      rollout = true;
      for (const host of notice.hosts) Object.assign(timeline(host), { wave: notice.wave, health: 'pending' });
      continue;
    }
    if (notice.type === 'health.passed' || notice.type === 'health.failed') {
      timeline(notice.host).health = notice.type === 'health.passed' ? 'healthy' : 'unhealthy';
      continue;
    }
    if (notice.type === 'host.rolled-back') {
      if (notice.ok) timeline(notice.host).rolledBack = true;
      continue;
    }
    if (notice.type !== 'host.started' && notice.type !== 'host.finished' && notice.type !== 'host.failed') continue;
    if (!isPageStep(notice.step)) continue;
    const step = timeline(notice.host).steps[notice.step];
    const at = Date.parse(notice.at);
    if (notice.type === 'host.started') {
      step.state = 'running';
      step.startedAt = at;
      delete step.endedAt;
    } else {
      step.state = notice.type === 'host.failed' ? 'failed' : notice.skipped ? 'skipped' : 'done';
      step.endedAt = at;
      step.startedAt ??= at - notice.durationMs;
    }
    const t = timeline(notice.host);
    if (notice.step === 'link' && t.health === 'pending' && step.state === 'done') t.health = 'checking';
  }
  for (const t of byHost.values()) {
    if (options.finished) {
      for (const name of PAGE_HOST_STEPS) {
        const step = t.steps[name];
        if (step.state === 'running') step.state = 'failed';
        else if (step.state === 'pending') step.state = 'skipped';
      }
    }
    t.state = overall(t, options.finished);
    if (rollout) t.health ??= 'pending'; // a host of a wave not started yet
    if (options.finished && t.health === 'pending') t.health = 'skipped';
  }
  return [...byHost.values()];
}

function overall(t: HostTimeline, finished: boolean): HostNodeState {
  const states = PAGE_HOST_STEPS.map((name) => t.steps[name].state);
  if (states.includes('failed')) return 'failed';
  if (states.includes('running')) return 'running';
  if (states.every((s) => s === 'pending' || s === 'skipped')) return finished || states.every((s) => s === 'skipped') ? 'skipped' : 'pending';
  const ended = (s: HostNodeState) => s === 'done' || s === 'skipped';
  if (t.steps.link.state === 'done' && ended(t.steps.afterDeploy.state)) return 'done';
  return finished ? 'skipped' : 'running';
}

function isPageStep(step: HostStepName): step is PageHostStep {
  return (PAGE_HOST_STEPS as readonly string[]).includes(step);
}
