// The BullMQ worker: thin — parse the payload, call the phase. Tuned so another worker
// takes over a SIGKILLed worker's job within a few seconds (lockDuration / stalledInterval
// below; BullMQ's defaults take ~60 s) — docs/operations.md "When a worker dies".
import { DelayedError, type Job, Worker } from 'bullmq';
import { awaitAccepted } from '../src/app/await-accepted.ts';
import { expireApproval } from '../src/app/decide-approval.ts';
import { watchDrift } from '../src/app/drift-watch.ts';
import { GRAY_WATCH_EVERY_MS, watchGrayReleases } from '../src/app/gray-watch.ts';
import { DEPLOY_QUEUE, type JobRuntime } from '../src/app/job-runtime.ts';
import { prepareDeploy } from '../src/app/prepare-deploy.ts';
import { PREBUILD_JOB } from '../src/app/queue-prebuild.ts';
import { runPrebuildJob } from '../src/app/run-prebuild-job.ts';
import { traceableFailure } from '../src/core/traceable-failure.ts';
import { runDeployJob } from '../src/app/run-deploy-job.ts';
import { driftWatchPayloadSchema, jobNameSchema, jobPayloadSchema } from './job-payload.ts';

export interface DeployWorkerOptions {
  /** Jobs at once per worker (deploys to different locations run side by side). @defaultValue 25 */
  concurrency?: number;
  /** @defaultValue 3000 */
  lockDuration?: number;
  /** @defaultValue 1000 */
  stalledInterval?: number;
  /** How long a run waits before trying a busy location again. @defaultValue 500 */
  busyRetryMs?: number;
  /** How often the gray-test check runs. @defaultValue 10 minutes */
  grayWatchEveryMs?: number;
}

export function createDeployWorker(rt: JobRuntime, options: DeployWorkerOptions = {}): Worker {
  const busyRetryMs = options.busyRetryMs ?? 500;
  const worker = new Worker(
    DEPLOY_QUEUE,
    async (job: Job, token?: string) => {
      if (job.name === GRAY_WATCH_JOB) return void (await watchGrayReleases(rt));
      // a build made ahead of any deploy: its result is the job's (what `build` answers with)
      if (job.name === PREBUILD_JOB) return runPrebuildJob(rt, job.data);
      if (job.name === DRIFT_WATCH_JOB) return void (await watchDrift(rt, driftWatchPayloadSchema.parse(job.data).market));
      const phase = jobNameSchema.parse(job.name);
      const { deployId } = jobPayloadSchema.parse(job.data);
      // a job whose accept never completed (Redis did not answer in time) does nothing
      if (phase !== 'expire' && !(await awaitAccepted(rt, deployId))) return;
      try {
        if (phase === 'expire') return void (await expireApproval(rt, deployId));
        const outcome = phase === 'prepare' ? await prepareDeploy(rt, deployId) : await runDeployJob(rt, deployId);
        if (outcome.kind === 'wait') {
          // a job whose lock lapsed (a stalled event loop) belongs to another worker now
          const moved = await job.moveToDelayed(waitUntil(outcome.untilMs, busyRetryMs), token).then(() => true, (error: unknown) => {
            rt.logger.warn('job lock lost while waiting; another worker has the job', { deployId, phase, error });
            return false;
          });
          if (moved) throw new DelayedError();
          return;
        }
      } catch (error) {
        if (error instanceof DelayedError) throw error;
        const failure = traceableFailure(rt.logger, 'deploy job failed', { deployId, phase }, error);
        // a failure that cannot be recorded (Redis gone) is logged under the same reference, not dropped
        await rt
          .setState(deployId, ['preparing', 'queued', 'running'], 'failed', { reason: failure.text })
          .catch((recordError: unknown) => rt.logger.error('deploy job failure not recorded', { ref: failure.ref, deployId, phase, error: recordError }));
        throw error;
      }
    },
    {
      connection: rt.newConnection(),
      prefix: rt.keys.bullPrefix(),
      concurrency: options.concurrency ?? 25,
      lockDuration: options.lockDuration ?? 3000,
      stalledInterval: options.stalledInterval ?? 1000,
      maxStalledCount: 100,
    },
  );
  worker.on('error', (error) => rt.logger.warn('worker error', { error }));
  // one schedule for all workers (upsert is idempotent): the periodic gray-test check
  void rt.queue
    .upsertJobScheduler(GRAY_WATCH_JOB, { every: options.grayWatchEveryMs ?? GRAY_WATCH_EVERY_MS }, { name: GRAY_WATCH_JOB, opts: { removeOnComplete: true, removeOnFail: 100 } })
    .catch((error) => rt.logger.warn('gray watch not scheduled', { error }));
  // the drift watch of each market with `driftCheck` (docs/operations.md, "Hosts that join or drift")
  for (const [market, settings] of Object.entries(rt.config.markets)) {
    if (settings.driftCheck === undefined) {
      void rt.queue.removeJobScheduler(`${DRIFT_WATCH_JOB}:${market}`).catch((error) => rt.logger.warn('drift watch not unscheduled', { market, error }));
      continue;
    }
    void rt.queue
      .upsertJobScheduler(`${DRIFT_WATCH_JOB}:${market}`, { every: settings.driftCheck }, { name: DRIFT_WATCH_JOB, data: { market }, opts: { removeOnComplete: true, removeOnFail: 100 } })
      .catch((error) => rt.logger.warn('drift watch not scheduled', { market, error }));
  }
  return worker;
}

export const GRAY_WATCH_JOB = 'gray-watch';
const DRIFT_WATCH_JOB = 'drift-watch';

/** When a waiting job runs again: a scheduled deploy at its time, anything else shortly. */
function waitUntil(untilMs: number | undefined, busyRetryMs: number): number {
  return untilMs ?? Date.now() + busyRetryMs;
}
