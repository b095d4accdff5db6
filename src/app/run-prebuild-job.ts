// A worker's part of a build made ahead (queue-prebuild.ts): build and package in the
// sandbox, into the artifacts directory; the job's result is what `build` answers with.
import { z } from 'zod';
import { prebuildCommit, type Prebuilt } from '../deploy/build/prebuild-commit.ts';
import type { JobRuntime } from './job-runtime.ts';

const prebuildJobSchema = z.strictObject({
  project: z.string().min(1),
  ref: z.string().min(1),
  commit: z.string().regex(/^[0-9a-f]{40}$/).optional(),
  dedupeKey: z.string().min(1).optional(),
});

export async function runPrebuildJob(rt: JobRuntime, data: unknown): Promise<Prebuilt> {
  const job = prebuildJobSchema.parse(data);
  try {
    const built = await prebuildCommit(
      { config: rt.config, dataDir: rt.dataDir, sandbox: rt.sandbox, redactor: rt.redactor },
      { project: job.project, ref: job.ref, ...(job.commit ? { commit: job.commit } : {}) },
    );
    rt.logger.info(built.cacheHit ? 'pre-build found cached' : 'pre-built', { project: built.project, ref: built.ref, commit: built.commit, bytes: built.packageBytes, durationMs: built.durationMs });
    return built;
  } catch (error) {
    // not built: a later push of the same commit tries again
    if (job.dedupeKey) await rt.redis.del(job.dedupeKey).catch(() => undefined);
    rt.logger.warn('pre-build failed', { project: job.project, ref: job.ref, commit: job.commit, error });
    throw error;
  }
}
