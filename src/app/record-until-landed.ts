// The record step, retried until it lands (docs/operations.md "When ZooKeeper is away";
// store-write-until-landed.ts): the store's record writes are idempotent, so a write that
// landed unconfirmed is not written twice. If it still cannot land, a warning names the hosts
// that serve a release the store does not record and the `sync` command, and the step fails
// (the deploy ends `partial`).
import type { DeployResult } from '../deploy/deploy-result.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { releaseNotRecordedWarning } from '../domain/gray-warnings.ts';
import type { JobRuntime } from './job-runtime.ts';
import { storeWriteUntilLanded } from './store-write-until-landed.ts';

export function recordUntilLanded(rt: JobRuntime, record: DeployRecord, write: (result: DeployResult) => Promise<void>): (result: DeployResult) => Promise<void> {
  return (result) =>
    storeWriteUntilLanded(rt, record, {
      what: 'record the release',
      then: `run \`sync ${record.project} ${record.market}\` once it is back`,
      write: () => write(result),
      onGiveUp: async ({ timeoutMs, error }) => {
        const hosts = result.switchedHosts.length > 0 ? result.switchedHosts : result.hosts.filter((h) => h.steps.link?.status === 'done').map((h) => h.host);
        await rt.notify(record.id, { type: 'job.warning', warning: releaseNotRecordedWarning({ project: record.project, market: record.market, release: result.release, version: result.version, deployId: record.id, hosts, timeoutMs, error }) });
      },
    });
}
