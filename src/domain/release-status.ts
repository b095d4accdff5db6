// The read side of `status` (docs/reference/command-grammar.md): per release its version, commit, when and by whom;
// per host the release its symlink points at, with drift flagged. Pure: the host readings
// are taken by the caller through the deploy engine's transports.
import { parseReleaseId } from './release-id.ts';
import { GRAY_RELEASE, PRODUCTION_RELEASE, releaseTypeOf, reviewReleaseName, type ReleaseType } from './release-names.ts';
import type { MarketReleases, ReleaseCurrent } from './release-state.ts';

/** What a host reported: the release id its symlink resolves to and that release's indicator. */
export interface HostReading {
  /** Host config name. */
  host: string;
  /** `<version>-<yyyymmddHHMMSS>-<sha7>`; undefined when the path is missing or not a symlink. */
  releaseId?: string;
  /** `name` from the release's filecache/release_indicator.json, when readable. */
  indicator?: string;
  /** Whether the release directory exists (false: `path` points at a directory that is gone). */
  present?: boolean;
  /** Why the host could not be read (unreachable, timeout, …). */
  error?: string;
}

/** The parts of a location status looks at (structurally a LocationConfig plus its key). */
export interface StatusLocation {
  name: string;
  role: 'production' | 'review';
  hosts: readonly string[];
  grayHosts: readonly string[];
}

export interface ReleaseRow {
  release: string;
  type: ReleaseType | undefined;
  isDefault: boolean;
  versions: string[];
  servers: string[];
  current?: ReleaseCurrent;
}

export type HostDrift =
  | 'unreachable' // the host could not be read
  | 'no_release' // no release is online on the host
  | 'not_recorded' // the host should serve a release that has no current record
  | 'wrong_version' // the online release is not the expected release's current version/commit
  | 'wrong_release'; // the online release's indicator names another release

export interface HostRow {
  host: string;
  location: string;
  /** The release this host should serve; undefined for an idle review host. */
  expectedRelease?: string;
  expected?: { version: string; commit: string };
  releaseId?: string;
  indicator?: string;
  drift?: HostDrift;
  /** Human text for a drifted host. */
  message?: string;
}

export interface ReleaseStatus {
  project: string;
  market: string;
  releases: ReleaseRow[];
  hosts: HostRow[];
  drifted: number;
}

/**
 * Release ids carry the version with unsafe characters replaced (`feature/x` → `feature_x`,
 * a leading `.` or `-` → `_`); compare both sides on a normal form that forgives that.
 */
function sameVersion(a: string, b: string): boolean {
  const norm = (v: string) => v.replace(/[^A-Za-z0-9.]/g, '_').replace(/^\./, '_');
  return norm(a) === norm(b);
}

/** Release order in the table: production first, then gray, then reviews by name. */
function releaseOrder(name: string): string {
  const type = releaseTypeOf(name);
  return `${type === 'production' ? 0 : type === 'gray' ? 1 : type === 'review' ? 2 : 3}${name}`;
}

function expectedReleaseOf(state: MarketReleases, location: StatusLocation, host: string): string | undefined {
  if (location.role === 'review') {
    const release = reviewReleaseName(location.name);
    return state.releases[release] ? release : undefined;
  }
  if (location.grayHosts.includes(host) && state.releases[GRAY_RELEASE]) return GRAY_RELEASE;
  return state.defaultRelease ?? PRODUCTION_RELEASE;
}

function hostRow(state: MarketReleases, location: StatusLocation, host: string, reading: HostReading | undefined): HostRow {
  const row: HostRow = { host, location: location.name };
  const expectedRelease = expectedReleaseOf(state, location, host);
  if (expectedRelease !== undefined) row.expectedRelease = expectedRelease;
  const current = expectedRelease === undefined ? undefined : state.releases[expectedRelease]?.current;
  if (current) row.expected = { version: current.version, commit: current.commit };
  if (reading?.releaseId !== undefined) row.releaseId = reading.releaseId;
  if (reading?.indicator !== undefined) row.indicator = reading.indicator;

  const flag = (drift: HostDrift, message: string) => Object.assign(row, { drift, message });
  if (!reading) return flag('unreachable', `${host}: not read`);
  if (reading.error !== undefined) return flag('unreachable', `${host}: ${reading.error}`);
  if (expectedRelease === undefined) return row; // an idle review host: anything (or nothing) is fine
  // a release never deployed here expects nothing yet: an empty host is not drift
  if (reading.releaseId === undefined && !state.releases[expectedRelease]) return row;
  if (reading.releaseId === undefined) return flag('no_release', `${host}: no release online, expected ${expectedRelease}`);
  if (!current) return flag('not_recorded', `${host}: ${reading.releaseId} online but ${expectedRelease} has no current record`);
  const parsed = parseReleaseId(reading.releaseId);
  if (!parsed || parsed.sha7 !== current.commit.slice(0, 7) || !sameVersion(parsed.version, current.version)) {
    return flag('wrong_version', `${host}: ${reading.releaseId} online, expected ${expectedRelease} ${current.version} (${current.commit.slice(0, 7)})`);
  }
  if (reading.indicator !== undefined && reading.indicator !== expectedRelease) {
    return flag('wrong_release', `${host}: online release is built for ${reading.indicator}, expected ${expectedRelease}`);
  }
  return row;
}

export function releaseStatus(input: { state: MarketReleases; locations: readonly StatusLocation[]; readings: readonly HostReading[] }): ReleaseStatus {
  const { state } = input;
  const releases = Object.values(state.releases)
    .sort((a, b) => releaseOrder(a.name).localeCompare(releaseOrder(b.name)))
    .map((record): ReleaseRow => {
      const row: ReleaseRow = {
        release: record.name,
        type: releaseTypeOf(record.name),
        isDefault: state.defaultRelease === record.name,
        versions: [...record.versions],
        servers: [...record.servers],
      };
      if (record.current) row.current = record.current;
      return row;
    });
  const readings = new Map(input.readings.map((r) => [r.host, r]));
  const hosts = input.locations.flatMap((location) => [...new Set([...location.hosts, ...location.grayHosts])].map((host) => hostRow(state, location, host, readings.get(host))));
  return { project: state.project, market: state.market, releases, hosts, drifted: hosts.filter((h) => h.drift).length };
}
