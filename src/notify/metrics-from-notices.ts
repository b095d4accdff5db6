// The deploy metrics, read off the same notices the notifier renders (nothing in the engine
// or the job layer knows about Prometheus): `deploybot_deploys_total` when a deploy reaches
// its terminal state, `deploybot_step_duration_seconds` for every engine step that finished
// or failed. Each deploy is counted by one notifier process only (the first to see it owns
// it, through a claim in Redis), so summing the bot processes' metrics never counts twice.
// Queue depth is sampled at scrape time (`queueDepthSampler`).
import type { DeployNotice } from '../deploy/deploy-notice.ts';
import { withTimeout } from '../services/with-timeout.ts';
import { isTerminal } from '../domain/deploy-record.ts';
import type { MessageClaims } from './message-claims.ts';
import type { DeploybotMetrics } from './metrics.ts';
import type { NoticeObserver } from './deploy-renderer.ts';

const REMEMBERED_DEPLOYS = 5000;

interface Progress {
  /** Notices already counted. */
  seen: number;
  owner: boolean;
}

/** A NoticeObserver for the Notifier that feeds `metrics`. */
export function metricsFromNotices(metrics: DeploybotMetrics): NoticeObserver {
  const deploys = new Map<string, Progress>();
  return async (deployId: string, notices: readonly DeployNotice[], from: number, claims: MessageClaims) => {
    let progress = deploys.get(deployId);
    if (!progress) {
      progress = { seen: 0, owner: await claims.owns(deployId, 'metrics') };
      deploys.set(deployId, progress);
      if (deploys.size > REMEMBERED_DEPLOYS) deploys.delete(deploys.keys().next().value!);
    }
    if (!progress.owner) return;
    for (const [i, notice] of notices.entries()) if (from + i >= progress.seen) count(metrics, notice);
    progress.seen = Math.max(progress.seen, from + notices.length);
  };
}

function count(metrics: DeploybotMetrics, notice: DeployNotice): void {
  switch (notice.type) {
    case 'job.state':
      if (isTerminal(notice.state)) {
        const { project, market, verb } = notice.record;
        metrics.deploys.inc({ project, market, verb, outcome: notice.state });
      }
      return;
    case 'step.finished':
      metrics.stepDuration.observe({ step: notice.step, outcome: 'done' }, notice.durationMs / 1000);
      return;
    case 'step.failed':
      metrics.stepDuration.observe({ step: notice.step, outcome: 'failed' }, notice.durationMs / 1000);
      return;
    default:
      return;
  }
}

/** What `queueDepthSampler` reads: a BullMQ Queue. */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/**
 * `createMetrics({queueDepth})` for BullMQ queues: their waiting, delayed, prioritized and
 * active counts at scrape time. A Redis that does not answer within `timeoutMs` leaves the
 * gauge as it was rather than hanging the scrape.
 */
export function queueDepthSampler(queues: () => readonly CountableQueue[], timeoutMs = 1000): () => Promise<Record<string, Record<string, number>>> {
  return async () => {
    const depth: Record<string, Record<string, number>> = {};
    await Promise.all(queues().map(async (queue) => {
      try {
        depth[queue.name] = await withTimeout(queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active'), timeoutMs, 'queue counts');
      } catch {
        // leave this queue's gauge as it was
      }
    }));
    return depth;
  };
}
