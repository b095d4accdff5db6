// The store's writes as pure state transitions: old state + request → new state (or a
// refusal). Both release stores apply exactly these; the ZooKeeper store turns the
// difference between old and new state into one version-guarded multi.
import { GRAY_RELEASE, PRODUCTION_RELEASE, releaseTypeOf } from './release-names.ts';
import { activeGrayRefusal, planPromote, refuse, type RuleOutcome } from './release-rules.ts';
import { appendVersions, type MarketReleases, type ReleaseCurrent, type ReleaseRecord } from './release-state.ts';

export interface RecordReleaseRequest {
  project: string;
  market: string;
  /** `production`, `gray` or `review-<channel>`. */
  release: string;
  version: string;
  /** 40 hex digits. */
  commit: string;
  deployId: string;
  /** User id of the requester. */
  by: string;
  /** ISO 8601 UTC. */
  at: string;
  /** Host addresses the release now runs on. */
  servers: readonly string[];
  /** The release directory and package checksum the hosts got (absent for a release deploybot did not build). */
  releaseId?: string;
  sha256?: string;
  /**
   * The platforms this deploy applies to (docs/platforms.md). Given: production appends the
   * version to each one's list (the others keep theirs); gray and review serve it on exactly
   * these. Absent: a market without platforms, nothing per platform is written.
   */
  platforms?: readonly string[];
  /**
   * The package's `<release>.config.zoo` (child name → value written as JSON). Given: the
   * release's other children become exactly these. Absent: existing children stay.
   */
  configZoo?: Record<string, unknown>;
}

export interface PromoteRequest {
  project: string;
  market: string;
  /** `gray` or `review-<channel>`. */
  release: string;
  deployId: string;
  by: string;
  at: string;
  /** Refuse unless the release's current record still has this deploy id (the one the job planned with). */
  expectDeployId?: string;
  /** Refuse unless the release still serves exactly these versions (the ones the promote was approved for). */
  expectVersions?: readonly string[];
  /**
   * Gray promote: the promoted build now runs on every production host, so production's
   * current becomes it (commit from the promoted release), with these servers and config.
   * Absent (review promote): production's hosts did not change; only versions are appended.
   */
  deployed?: { servers: readonly string[]; configZoo?: Record<string, unknown>; releaseId?: string; sha256?: string };
  /**
   * Review promote in a market with platforms: the review location's platforms; production's
   * lists of exactly these gain the release's versions (docs/platforms.md). Absent: the
   * promoted release's own per-platform lists say which.
   */
  platforms?: readonly string[];
}

export interface PromoteResult {
  production: string;
  promoted: string[];
  /** Production's versions after the promote. */
  versions: string[];
}

export interface RemoveReleaseRequest {
  project: string;
  market: string;
  release: string;
  /** Refuse unless the release's current record still has this deploy id. */
  expectDeployId?: string;
}

const COMMIT = /^[0-9a-f]{40}$/;

function clone(state: MarketReleases): MarketReleases {
  return structuredClone(state);
}

function unknownRelease(state: MarketReleases, release: string) {
  return refuse(scopeOf(state), release, 'known-release', 'release_name_invalid', `${JSON.stringify(release)} is not a release name (production, gray or review-<channel>)`, { release });
}

function changedRelease(state: MarketReleases, record: ReleaseRecord, expectDeployId: string) {
  return refuse(scopeOf(state), record.name, 'release-unchanged', 'release_changed',
    `${state.project} ${state.market}: ${record.name} is now ${record.current?.version ?? 'unknown'} (${record.current?.deployId ?? 'no deploy id'}), not the one from ${expectDeployId}; nothing was changed`,
    { expectDeployId, actualDeployId: record.current?.deployId });
}

/**
 * A deploy's record step (docs/reference/deploy-lifecycle.md, docs/reference/zookeeper-layout.md): production appends the version (no duplicates,
 * the newest last) and sets default_release; gray and review serve exactly [version].
 * A second gray (another deploy id) is refused (§6.2).
 */
export function applyRecordRelease(state: MarketReleases, request: RecordReleaseRequest): RuleOutcome<MarketReleases> {
  const type = releaseTypeOf(request.release);
  if (type === undefined) return unknownRelease(state, request.release);
  if (!COMMIT.test(request.commit)) throw new Error(`commit must be 40 lowercase hex digits, got ${JSON.stringify(request.commit)}`);
  if (Number.isNaN(Date.parse(request.at))) throw new Error(`at must be an ISO 8601 time, got ${JSON.stringify(request.at)}`);
  if (request.release === GRAY_RELEASE) {
    const active = activeGrayRefusal({ ...scopeOf(state), deployId: request.deployId });
    if (active) return active;
  }
  const next = clone(state);
  const old = state.releases[request.release];
  const current: ReleaseCurrent = { version: request.version, commit: request.commit, deployId: request.deployId, at: request.at, by: request.by, ...shipped(request) };
  const record: ReleaseRecord = {
    name: request.release,
    versions: type === 'production' ? appendVersions(old?.versions ?? [], [request.version]) : [request.version],
    servers: [...request.servers],
    current,
    config: structuredClone(request.configZoo ?? old?.config ?? {}),
  };
  const platforms = recordedPlatforms(type === 'production' ? old?.platforms : undefined, request);
  if (platforms) record.platforms = platforms;
  next.releases[request.release] = record;
  if (type === 'production') next.defaultRelease = request.release;
  return { ok: true, value: next };
}

/** §6.4: append the release's versions to production (via default_release) and remove the release, together. */
export function applyPromote(state: MarketReleases, request: PromoteRequest): RuleOutcome<{ state: MarketReleases; result: PromoteResult }> {
  const planned = planPromote({ ...scopeOf(state), release: request.release });
  if (!planned.ok) return planned;
  const plan = planned.value;
  const record = state.releases[request.release]!;
  if (request.expectDeployId !== undefined && record.current?.deployId !== request.expectDeployId) return changedRelease(state, record, request.expectDeployId);
  if (request.expectVersions !== undefined && record.versions.join('\n') !== request.expectVersions.join('\n')) {
    return refuse(scopeOf(state), record.name, 'release-unchanged', 'release_changed',
      `${state.project} ${state.market}: ${record.name} now serves ${record.versions.join(', ') || 'nothing'}, not the approved ${request.expectVersions.join(', ') || 'nothing'}; nothing was changed`,
      { expectVersions: [...request.expectVersions], actualVersions: [...record.versions] });
  }
  const next = clone(state);
  const production = next.releases[plan.production]!;
  production.versions = plan.versions;
  const promotedLists = request.platforms && request.platforms.length > 0 ? scopedLists(record, request.platforms) : record.platforms;
  if (promotedLists) production.platforms = promotedPlatforms(production.platforms, promotedLists);
  if (request.deployed) {
    const promotedVersion = plan.promoted.at(-1);
    if (!plan.current || promotedVersion === undefined) {
      return refuse(scopeOf(state), request.release, 'promote-needs-release', 'promote_no_current',
        `${state.project} ${state.market}: ${request.release} has no current record (commit), so its build cannot become production's current release`, {});
    }
    production.current = { version: promotedVersion, commit: plan.current.commit, deployId: request.deployId, at: request.at, by: request.by, ...shipped(request.deployed) };
    production.servers = [...request.deployed.servers];
    if (request.deployed.configZoo) production.config = structuredClone(request.deployed.configZoo);
  }
  delete next.releases[request.release];
  return { ok: true, value: { state: next, result: { production: plan.production, promoted: plan.promoted, versions: plan.versions } } };
}

/** Removes a gray or review release (cancel). The default release is never removed. A missing release is no change. */
export function applyRemoveRelease(state: MarketReleases, request: RemoveReleaseRequest): RuleOutcome<{ state: MarketReleases; removed: boolean }> {
  if (releaseTypeOf(request.release) === undefined) return unknownRelease(state, request.release);
  if (request.release === state.defaultRelease || request.release === PRODUCTION_RELEASE) {
    return refuse(scopeOf(state), request.release, 'keep-production', 'release_is_production', `${state.project} ${state.market}: the production release is never removed`, {});
  }
  const record = state.releases[request.release];
  if (!record) return { ok: true, value: { state, removed: false } };
  if (request.expectDeployId !== undefined && record.current?.deployId !== request.expectDeployId) return changedRelease(state, record, request.expectDeployId);
  const next = clone(state);
  delete next.releases[request.release];
  return { ok: true, value: { state: next, removed: true } };
}

/** `releaseId` and `sha256` of a current record, when the request has them. */
function shipped(from: { releaseId?: string; sha256?: string }): Pick<ReleaseCurrent, 'releaseId' | 'sha256'> {
  return { ...(from.releaseId !== undefined ? { releaseId: from.releaseId } : {}), ...(from.sha256 !== undefined ? { sha256: from.sha256 } : {}) };
}

/**
 * A record step's per-platform lists: `kept` (production's before) with the version appended
 * to each named platform. Undefined when the request names none and nothing was kept.
 */
function recordedPlatforms(kept: Readonly<Record<string, string[]>> | undefined, request: RecordReleaseRequest): Record<string, string[]> | undefined {
  if (!request.platforms || request.platforms.length === 0) return kept ? structuredClone(kept) : undefined;
  const out: Record<string, string[]> = structuredClone(kept ?? {});
  for (const platform of request.platforms) out[platform] = appendVersions(out[platform] ?? [], [request.version]);
  return out;
}

/**
 * What each of `platforms` (the review location's) gains: the release's list of that platform,
 * or — recorded without it (before the location named it) — all the release's versions, so
 * every promoted version lands on some platform and `versions` stays the union.
 */
function scopedLists(record: ReleaseRecord, platforms: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(platforms.map((platform) => [platform, record.platforms?.[platform] ?? record.versions]));
}

/** A promote appends each of the promoted release's platform lists to production's list of that platform only. */
function promotedPlatforms(production: Readonly<Record<string, string[]>> | undefined, promoted: Readonly<Record<string, string[]>>): Record<string, string[]> {
  const out: Record<string, string[]> = structuredClone(production ?? {});
  for (const [platform, versions] of Object.entries(promoted)) out[platform] = appendVersions(out[platform] ?? [], versions);
  return out;
}

function scopeOf(state: MarketReleases) {
  return { project: state.project, market: state.market, state };
}
