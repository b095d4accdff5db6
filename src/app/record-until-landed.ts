// The record step, retried until it lands (docs/operations.md "When ZooKeeper is away"): a
// release store that is unavailable is tried again, with a growing pause, until the
// deploy's `recordTimeout`; the store's writes are idempotent, so a write that landed
// unconfirmed is not written twice. If it still cannot land, a warning names the hosts that
// serve a release the store does not record and the `sync` command, and the step fails (the
// deploy ends `partial`). A deploy ended meanwhile (`cancel --force`) records nothing.
import type { DeployResult } from '../deploy/deploy-result.ts';
import { DeploybotError } from '../core/errors.ts';
import { type DeployRecord, isTerminal } from '../domain/deploy-record.ts';
import { releaseNotRecordedWarning } from '../domain/gray-warnings.ts';
import type { JobRuntime } from './job-runtime.ts';

/** The deploy's `recordTimeout`: its market's, else its project's (default 5 min). */
function recordTimeoutOf(rt: JobRuntime, record: DeployRecord): number {
  return rt.config.markets[record.market]?.recordTimeout ?? rt.config.projects[record.project]!.recordTimeout;
}

export function recordUntilLanded(rt: JobRuntime, record: DeployRecord, write: (result: DeployResult) => Promise<void>): (result: DeployResult) => Promise<void> {
  return async (result) => {
    const timeoutMs = recordTimeoutOf(rt, record);
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt += 1) {
      const now = await rt.records.get(record.id);
      if (now && isTerminal(now.state)) throw new DeploybotError('deploy_ended', `${record.id} ended ${now.state} before its release was recorded; nothing was recorded`);
      try {
        return await write(result);
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        const left = deadline - Date.now();
        if (left <= 0) {
          const hosts = result.switchedHosts.length > 0 ? result.switchedHosts : result.hosts.filter((h) => h.steps.link?.status === 'done').map((h) => h.host);
          const why = message(error);
          await rt.notify(record.id, { type: 'job.warning', warning: releaseNotRecordedWarning({ project: record.project, market: record.market, release: result.release, version: result.version, deployId: record.id, hosts, timeoutMs, error: why }) });
          throw new DeploybotError('record_timeout', `the release store could not record the release within ${Math.round(timeoutMs / 1000)} s (${attempt} attempts): ${why}; run \`sync ${record.project} ${record.market}\` once it is back`);
        }
        rt.logger.warn('record step: release store unavailable; retrying', { deployId: record.id, attempt, error: message(error) });
        await new Promise((resolve) => setTimeout(resolve, Math.min(left, 250 * 2 ** Math.min(attempt, 4))));
      }
    }
  };
}

function isUnavailable(error: unknown): boolean {
  return error instanceof DeploybotError && error.code === 'zookeeper_unavailable';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
