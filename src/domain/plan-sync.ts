// What `sync` would change (docs/operations.md, "Hosts that join or drift"): every host is
// compared with the release recorded for it — production hosts with production (gray hosts
// with gray while one is active), review hosts with their review release — by release id,
// the directory name the hosts of that release share. Pure: the readings are the caller's.
import { GRAY_RELEASE, PRODUCTION_RELEASE, reviewReleaseName } from './release-names.ts';
import type { MarketReleases } from './release-state.ts';

/** What a host reported (the reading `status` takes, plus whether the release directory exists). */
export interface SyncReading {
  host: string;
  /** The release directory `path` points at; undefined when `path` is missing or points elsewhere. */
  releaseId?: string;
  /** Whether `<releasesDir>/<releaseId>/` exists on the host (false: the link dangles). */
  present?: boolean;
  /** Why the host could not be read. */
  error?: string;
}

export interface SyncLocation {
  name: string;
  role: 'production' | 'review';
  hosts: readonly string[];
  grayHosts: readonly string[];
}

/**
 * - `on`: already on its recorded release; `drifted`: points at another release;
 * - `missing`: points at its recorded release but the directory is gone;
 * - `new`: no release online (a host new in the config);
 * - `idle`: nothing is recorded for it (a review host without a review release);
 * - `unknown`: it could not be read, or its release's record has no release id.
 */
export type SyncHostState = 'on' | 'drifted' | 'missing' | 'new' | 'idle' | 'unknown';

export interface SyncHost {
  host: string;
  location: string;
  state: SyncHostState;
  /** The release it should serve. */
  release?: string;
  /** The recorded release id it should point at. */
  releaseId?: string;
  /** What it points at now (drifted). */
  from?: string;
  /** Why it is `unknown`. */
  reason?: string;
}

/** One engine run of a sync: the hosts of one location that get one recorded release. */
export interface SyncGroup {
  location: string;
  release: string;
  releaseId: string;
  version: string;
  commit: string;
  sha256?: string;
  hosts: string[];
}

export interface SyncPlan {
  hosts: SyncHost[];
  /** The hosts that differ (drifted, missing, new), in host order. */
  changes: SyncHost[];
  groups: SyncGroup[];
}

export const CHANGING_STATES: ReadonlySet<SyncHostState> = new Set(['drifted', 'missing', 'new']);

function expectedRelease(state: MarketReleases, location: SyncLocation, host: string): string | undefined {
  if (location.role === 'review') {
    const release = reviewReleaseName(location.name);
    return state.releases[release] ? release : undefined;
  }
  if (location.grayHosts.includes(host) && state.releases[GRAY_RELEASE]) return GRAY_RELEASE;
  return state.defaultRelease ?? PRODUCTION_RELEASE;
}

/**
 * `only`: the hosts named with `--hosts` (default: every host of `locations`).
 * `fallbackReleaseIds`: a release id per release for records written before `current`
 * carried one (production's newest entry in the job layer's history).
 */
export function planSync(input: {
  state: MarketReleases;
  locations: readonly SyncLocation[];
  readings: readonly SyncReading[];
  only?: readonly string[];
  fallbackReleaseIds?: Readonly<Record<string, string>>;
}): SyncPlan {
  const { state } = input;
  const readings = new Map(input.readings.map((r) => [r.host, r]));
  const hosts: SyncHost[] = [];
  for (const location of input.locations) {
    for (const host of [...new Set([...location.hosts, ...location.grayHosts])]) {
      if (input.only && !input.only.includes(host)) continue;
      hosts.push(compare(state, location, host, readings.get(host), input.fallbackReleaseIds ?? {}));
    }
  }
  const changes = hosts.filter((h) => CHANGING_STATES.has(h.state));
  const groups: SyncGroup[] = [];
  for (const change of changes) {
    const current = state.releases[change.release!]!.current!;
    let group = groups.find((g) => g.location === change.location && g.release === change.release);
    if (!group) {
      group = { location: change.location, release: change.release!, releaseId: change.releaseId!, version: current.version, commit: current.commit, ...(current.sha256 ? { sha256: current.sha256 } : {}), hosts: [] };
      groups.push(group);
    }
    group.hosts.push(change.host);
  }
  return { hosts, changes, groups };
}

function compare(state: MarketReleases, location: SyncLocation, host: string, reading: SyncReading | undefined, fallback: Readonly<Record<string, string>>): SyncHost {
  const row: SyncHost = { host, location: location.name, state: 'idle' };
  const release = expectedRelease(state, location, host);
  if (release === undefined) return row;
  row.release = release;
  const current = state.releases[release]?.current;
  const releaseId = current?.releaseId ?? fallback[release];
  if (!reading || reading.error !== undefined) return { ...row, state: 'unknown', reason: reading?.error ?? 'not read' };
  if (!current) return { ...row, state: 'unknown', reason: `nothing is recorded for ${release}, so there is nothing to sync to; deploy it` };
  if (releaseId === undefined) return { ...row, state: 'unknown', reason: `${release}'s record has no release id to sync to (written before records kept one); deploy it again` };
  row.releaseId = releaseId;
  if (reading.releaseId === undefined) return { ...row, state: 'new' };
  if (reading.releaseId !== releaseId) return { ...row, state: 'drifted', from: reading.releaseId };
  if (reading.present === false) return { ...row, state: 'missing' };
  return { ...row, state: 'on' };
}

/** One line per host that differs, as `sync --dry-run`, `sync` and `status` say it. */
export function describeSyncHost(host: SyncHost): string {
  switch (host.state) {
    case 'drifted': return `${host.host}: drifted from ${host.releaseId} (${host.release}) to ${host.from}`;
    case 'missing': return `${host.host}: ${host.releaseId} (${host.release}) is missing on disk`;
    case 'new': return `${host.host}: new, gets ${host.releaseId} (${host.release})`;
    case 'on': return `${host.host}: on ${host.releaseId} (${host.release})`;
    case 'idle': return `${host.host}: no release recorded for it`;
    case 'unknown': return `${host.host}: not checked (${host.reason})`;
  }
}
