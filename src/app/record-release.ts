// Step 7, record (docs/reference/deploy-lifecycle.md, docs/reference/zookeeper-layout.md): what a finished switch writes to the release store and
// to the job layer's release history, per verb.
import type { DeployResult } from '../deploy/deploy-result.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import { GRAY_RELEASE, PRODUCTION_RELEASE, releaseTypeOf } from '../domain/release-names.ts';
import type { PromoteInput } from '../store/release-store.ts';
import { serverAddresses } from '../store/server-addresses.ts';
import type { JobRuntime } from './job-runtime.ts';
import { readConfigZoo } from './read-commit-file.ts';

/** The hosts production runs on after this deploy: the location's hosts, less gray hosts while gray is active. */
export async function productionServers(rt: JobRuntime, record: DeployRecord, includeGrayHosts: boolean): Promise<string[]> {
  const location = rt.config.markets[record.market]!.locations[record.location]!;
  const state = await rt.releases.read(record.project, record.market);
  const grayActive = !includeGrayHosts && state.releases[GRAY_RELEASE] !== undefined;
  return serverAddresses(rt.config, location.hosts.filter((h) => !(grayActive && location.grayHosts.includes(h))));
}

/** The record step of a deploy (or its retry) that shipped a build to `release`. */
export function recordShipped(rt: JobRuntime, record: DeployRecord, verb: DeployRecord['verb']): (result: DeployResult) => Promise<void> {
  return async (result) => {
    const commit = result.commit!;
    const releaseId = result.releaseId!;
    const version = record.version ?? result.version;
    const at = rt.now().toISOString();
    const configZoo = await readConfigZoo(rt.dataDir, record.project, commit, result.release);
    // what `sync` restores on a host that differs (docs/operations.md, "Hosts that join or drift")
    const shipped = { releaseId, ...(result.package ? { sha256: result.package.sha256 } : {}) };
    if (verb === 'gray promote') {
      const servers = await productionServers(rt, record, true);
      await rt.releases.promote({ project: record.project, market: record.market, release: GRAY_RELEASE, deployId: record.id, by: record.requestedBy, at, ...promoteGuard(record), deployed: { servers, ...shipped, ...(configZoo ? { configZoo } : {}) } });
    } else {
      const type = releaseTypeOf(result.release);
      const servers = type === 'production' ? await productionServers(rt, record, false) : serverAddresses(rt.config, record.hosts);
      await rt.releases.recordRelease({ project: record.project, market: record.market, release: result.release, version, commit, deployId: record.id, by: record.requestedBy, at, servers, ...shipped, ...(configZoo ? { configZoo } : {}), ...(record.platforms ? { platforms: record.platforms } : {}) });
      if (type === 'review') await rt.history.addReviewVersion(record.project, record.market, version, record.platforms);
    }
    if (result.release === PRODUCTION_RELEASE) {
      await rt.history.pushProduction(record.project, record.market, releaseId);
      await rt.history.rememberReleaseId(record.project, record.market, releaseId, { deployId: record.id, version, commit, ...(shipped.sha256 ? { sha256: shipped.sha256 } : {}) });
    }
  };
}

/** A promote lands only on the release it was approved for: its deploy id and versions then (none for a plan without them). */
export function promoteGuard(record: DeployRecord): Pick<PromoteInput, 'expectDeployId' | 'expectVersions'> {
  const promoted = record.plan?.promoted;
  if (!promoted) return {};
  return { ...(promoted.deployId ? { expectDeployId: promoted.deployId } : {}), expectVersions: promoted.versions };
}

/** The record step of a rollback: production's current becomes the release switched to. */
export function recordRollback(rt: JobRuntime, record: DeployRecord): (result: DeployResult) => Promise<void> {
  return async (result) => {
    const releaseId = result.releaseId!;
    const info = await rt.history.releaseIdInfo(record.project, record.market, releaseId);
    await rt.history.rollBackTo(record.project, record.market, releaseId);
    if (!info) {
      await rt.notify(record.id, { type: 'job.note', text: `${releaseId} was not made by deploybot here; production's record in the release store is left as it was` });
      return;
    }
    await rt.records.update(record.id, (r) => ({ ...r, version: info.version, commit: info.commit, releaseId }));
    const servers = await productionServers(rt, record, false);
    await rt.releases.recordRelease({ project: record.project, market: record.market, release: PRODUCTION_RELEASE, version: info.version, commit: info.commit, deployId: record.id, by: record.requestedBy, at: rt.now().toISOString(), servers, releaseId, ...(info.sha256 ? { sha256: info.sha256 } : {}) });
  };
}
