import type { DeployRecord } from '../domain/deploy-record.ts';
import { deployTarget, type DeployTarget } from '../domain/deploy-target.ts';
import type { RuleRefusal } from '../domain/release-rules.ts';
import type { MarketReleases } from '../domain/release-state.ts';
import type { JobRuntime } from './job-runtime.ts';
import { marketLocations } from './market-locations.ts';

/** The target of a recorded command against the release state as it is now (rules re-checked). */
export function targetOfRecord(rt: JobRuntime, record: DeployRecord, state: MarketReleases): { ok: true; value: DeployTarget } | { ok: false; refusal: RuleRefusal } {
  const base = { project: record.project, market: record.market };
  const ref = record.ref ?? '';
  const channel = record.location;
  const command = (() => {
    switch (record.verb) {
      case 'deploy': return { verb: 'deploy' as const, ...base, ref, ...(record.requestedHosts ? { hosts: record.requestedHosts } : {}) };
      case 'gray start': return { verb: 'gray start' as const, ...base, ref };
      case 'gray cancel': return { verb: 'gray cancel' as const, ...base };
      case 'gray promote': return { verb: 'gray promote' as const, ...base };
      case 'review start': return { verb: 'review start' as const, ...base, channel, ref };
      case 'review cancel': return { verb: 'review cancel' as const, ...base, channel };
      case 'review promote': return { verb: 'review promote' as const, ...base, channel };
      case 'rollback': return { verb: 'rollback' as const, ...base };
      case 'sync': return { verb: 'sync' as const, ...base, ...(record.requestedHosts ? { hosts: record.requestedHosts } : {}) };
      case 'retry': return undefined;
    }
  })();
  if (!command) return { ok: true, value: { location: record.location, release: record.release, hosts: record.hosts, sparedGrayHosts: [] } };
  return deployTarget(command, marketLocations(rt.config, record.market), state);
}
