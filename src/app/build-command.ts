// `build <project> <ref>` (docs/operations.md "Builds made ahead"): queued for the workers
// like a pre-build of a push, answered once a worker has built it (or found it cached) with
// the commit, the package size and how long it took.
import { Job, QueueEvents } from 'bullmq';
import type { CommandContext } from '../core/command-router.ts';
import type { CommandOf } from '../core/command-types.ts';
import { errorMessage } from '../core/errors.ts';
import type { Prebuilt } from '../deploy/build/prebuild-commit.ts';
import { formatDuration } from '../domain/format-duration.ts';
import { formatDecimalSize } from '../domain/format-size.ts';
import { DEPLOY_QUEUE, type JobRuntime } from './job-runtime.ts';
import { queueRefBuild } from './queue-prebuild.ts';

/** How long the answer waits for a worker: the build's own timeout, and time to fetch and package. */
function answerWithinMs(rt: JobRuntime, project: string): number {
  return (rt.config.projects[project]?.hookTimeout ?? 300_000) * 3 + 120_000;
}

export async function buildCommand(rt: JobRuntime, command: CommandOf<'build'>, ctx: CommandContext): Promise<void> {
  const what = `${command.project} ${command.ref}`;
  const connection = rt.newConnection();
  const events = new QueueEvents(DEPLOY_QUEUE, { connection, prefix: rt.keys.bullPrefix() });
  try {
    // listening before the job exists, so its end is never missed
    await events.waitUntilReady();
    const jobId = await queueRefBuild(rt.queue, { project: command.project, ref: command.ref });
    await ctx.replyPrivately(`building ${what} (in the sandbox, on a worker); the answer follows here`);
    const job = await Job.fromId(rt.queue, jobId);
    let built: Prebuilt;
    try {
      built = (await job!.waitUntilFinished(events, answerWithinMs(rt, command.project))) as Prebuilt;
    } catch (error) {
      await ctx.reply({ text: `❌ build ${what} failed: ${errorMessage(error)}` });
      return;
    }
    const how = built.cacheHit ? 'already built (cached)' : `built in ${formatDuration(built.durationMs)}`;
    await ctx.reply({ text: `📦 ${what}: commit ${built.commit.slice(0, 12)} · package ${built.packageFile} ${formatDecimalSize(built.packageBytes)} · ${how} (${formatDuration(built.durationMs)}); a deploy of it reports the build as cached` });
  } finally {
    await events.close();
    // a connection handed in is not BullMQ's to close
    connection.disconnect();
  }
}
