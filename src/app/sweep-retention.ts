// Bounded state (docs/configuration.md `retention`, `keepBuilds`): a periodic sweep in every
// worker process. A finished deploy's record, events, checkpoints and result expire by
// themselves (store/deploy-records.ts); the sweep drops history entries and audit entries
// older than `retention`, and prunes this worker's builds and packages to `keepBuilds`.
import type { JobRuntime } from './job-runtime.ts';
import { pruneBuilds } from './prune-builds.ts';

const SWEEP_EVERY_MS = 60 * 60 * 1000;

export async function sweepRetention(rt: JobRuntime): Promise<void> {
  const now = rt.now().getTime();
  for (const [project, settings] of Object.entries(rt.config.projects)) {
    for (const market of settings.markets) await rt.records.sweepHistory(project, market, now);
    await pruneBuilds(rt, project);
  }
  await rt.audit.sweep(now - rt.config.retention);
}

/** Sweeps now and every `everyMs` until stopped. */
export function startRetentionSweep(rt: JobRuntime, everyMs = SWEEP_EVERY_MS): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = running.then(() => sweepRetention(rt)).catch((error: unknown) => rt.logger.warn('retention sweep failed', { error }));
  };
  const first = setTimeout(sweep, 1000);
  const timer = setInterval(sweep, everyMs);
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
