// The release state of one (project, market) as the store reads it (docs/reference/zookeeper-layout.md): which release
// is the default one and, per release, the versions it serves, its servers, the `current`
// record and the children written from `<release>.config.zoo`.
import { releaseTypeOf } from './release-names.ts';

/** `releases/<release>/current` (docs/reference/zookeeper-layout.md). */
export interface ReleaseCurrent {
  version: string;
  /** 40 hex digits. */
  commit: string;
  deployId: string;
  /** ISO 8601 UTC. */
  at: string;
  /** The user id of whoever asked for it. */
  by: string;
  /** The release directory the hosts got (`<version>-<yyyymmddHHMMSS>-<sha7>`): what `sync` puts on a host that differs (docs/operations.md, "Hosts that join or drift"). */
  releaseId?: string;
  /** sha256 of the package the hosts got: a rebuild for `sync` must match it. */
  sha256?: string;
}

export interface ReleaseRecord {
  name: string;
  /** Oldest first. Production: its history (appended); gray/review: what it serves now. */
  versions: string[];
  /**
   * With platforms (docs/platforms.md): each platform's versions, oldest first; `versions`
   * is then their union. Absent for a market without platforms.
   */
  platforms?: Record<string, string[]>;
  /** Host addresses. */
  servers: string[];
  current?: ReleaseCurrent;
  /** Every other child (`global_url`, `sections`, …), parsed from JSON (raw text if it is not JSON). */
  config: Record<string, unknown>;
}

export interface MarketReleases {
  project: string;
  market: string;
  /** The content of `default_release`; absent before the first production deploy. */
  defaultRelease?: string;
  releases: Record<string, ReleaseRecord>;
}

export function emptyMarketReleases(project: string, market: string): MarketReleases {
  return { project, market, releases: {} };
}

/** The production release, found through `default_release` (docs/reference/zookeeper-layout.md). */
export function productionRelease(state: MarketReleases): ReleaseRecord | undefined {
  return state.defaultRelease === undefined ? undefined : state.releases[state.defaultRelease];
}

/** The newest production version (the last one appended), if any. */
export function latestProductionVersion(state: MarketReleases): string | undefined {
  return productionRelease(state)?.versions.at(-1);
}

/**
 * Appends versions to a production history. A version that is already there moves to the
 * end instead of appearing twice, so the list never holds duplicates and its last entry
 * is always the newest production version.
 */
export function appendVersions(history: readonly string[], added: readonly string[]): string[] {
  const out = [...history];
  for (const version of added) {
    const at = out.indexOf(version);
    if (at !== -1) out.splice(at, 1);
    out.push(version);
  }
  return out;
}

/** The versions currently served by review releases (`review-*`), with the release serving each. */
export function activeReviewVersions(state: MarketReleases): Map<string, string> {
  const served = new Map<string, string>();
  for (const record of Object.values(state.releases)) {
    if (releaseTypeOf(record.name) !== 'review') continue;
    for (const version of record.versions) served.set(version, record.name);
  }
  return served;
}
