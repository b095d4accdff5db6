// Queues a build made ahead of any deploy (docs/operations.md "Builds made ahead") as a job
// for the workers. A pushed commit is queued once per project and code build however often
// it is pushed: `SET NX` on its key in Redis (kept PREBUILD_DEDUPE_SECONDS; released when
// the build fails, so a later push tries again), and the job id names the build too. Past
// that window the artifacts directory still has the build, so the job finds it cached.
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/load-config.ts';
import { prebuildId, type PrebuildRequest } from '../deploy/build/prebuild-commit.ts';
import type { RedisKeys } from '../store/redis-keys.ts';

export const PREBUILD_JOB = 'prebuild';
export const PREBUILD_DEDUPE_SECONDS = 7 * 24 * 3600;

/** What a prebuild job carries (no secrets: the config has the rest). */
export interface PrebuildJobData extends PrebuildRequest {
  /** The Redis key guarding its commit, released when the build fails. */
  dedupeKey?: string;
}

export interface PrebuildQueue {
  config: Config;
  redis: Redis;
  keys: RedisKeys;
  queue: Queue;
}

export type QueuedPrebuild = { queued: true; jobId: string } | { queued: false; reason: 'duplicate' };

/** Queues the pre-build of a pushed commit, unless that build is queued or made already. */
export async function queuePushedCommit(q: PrebuildQueue, request: Required<PrebuildRequest>): Promise<QueuedPrebuild> {
  const id = prebuildId(q.config, request);
  const key = q.keys.prebuild(request.project, id);
  const first = await q.redis.set(key, request.commit, 'EX', PREBUILD_DEDUPE_SECONDS, 'NX');
  if (first === null) return { queued: false, reason: 'duplicate' };
  const jobId = `prebuild.${request.project}.${id}`;
  try {
    await addJob(q.queue, jobId, { ...request, dedupeKey: key });
  } catch (error) {
    await q.redis.del(key).catch(() => undefined);
    throw error;
  }
  return { queued: true, jobId };
}

/** Queues the build of a ref as asked in chat (`build <project> <ref>`): resolved by the worker. */
export async function queueRefBuild(queue: Queue, request: PrebuildRequest): Promise<string> {
  const jobId = `build.${request.project}.${randomUUID()}`;
  await addJob(queue, jobId, request);
  return jobId;
}

async function addJob(queue: Queue, jobId: string, data: PrebuildJobData): Promise<void> {
  await queue.add(PREBUILD_JOB, data, { jobId, attempts: 1, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 30 * 24 * 3600 } });
}
