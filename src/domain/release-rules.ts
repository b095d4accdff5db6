// The release rules of docs/reference/release-rules.md as pure functions over the release state. Each check either
// passes (with what the caller needs next) or returns a refusal as data; the caller turns a
// refusal into a RefusedError and a gray-test warning (docs/reference/messages.md).
import type { RefusalCode } from './refusal-code.ts';
import { GRAY_RELEASE, releaseTypeOf, reviewReleaseName } from './release-names.ts';
import {
  activeReviewVersions,
  appendVersions,
  type MarketReleases,
  productionRelease,
  type ReleaseCurrent,
} from './release-state.ts';

export type ReleaseRule =
  | 'gray-hosts-only' // §6.1
  | 'one-gray' // §6.2
  | 'review-not-production-version' // §6.3
  | 'production-not-review-version' // §6.3
  | 'promote-needs-release' // §6.4
  | 'promote-needs-production' // §6.4
  | 'gray-cancel-needs-gray' // §6.5
  | 'gray-cancel-needs-production' // §6.5
  | 'known-release' // release names are production, gray or review-<channel>
  | 'keep-production' // the default release is never removed
  | 'release-unchanged'; // the release is still the one the job planned with

export interface RuleRefusal {
  kind: 'refusal';
  rule: ReleaseRule;
  /** Stable code for RefusedError, e.g. `gray_already_active`. */
  code: RefusalCode;
  message: string;
  project: string;
  market: string;
  release: string;
  details: Record<string, unknown>;
}

export type RuleOutcome<T> = { ok: true; value: T } | { ok: false; refusal: RuleRefusal };

export interface RuleScope {
  project: string;
  market: string;
  state: MarketReleases;
}

/** The parts of a location the rules look at (structurally a LocationConfig). */
export interface RuleLocation {
  name: string;
  hosts: readonly string[];
  grayHosts: readonly string[];
}

export function refuse(scope: RuleScope, release: string, rule: ReleaseRule, code: RefusalCode, message: string, details: Record<string, unknown> = {}): { ok: false; refusal: RuleRefusal } {
  return { ok: false, refusal: { kind: 'refusal', rule, code, message, project: scope.project, market: scope.market, release, details } };
}

function describeCurrent(current: ReleaseCurrent | undefined): string {
  return current ? `${current.version} (deploy ${current.deployId}, by ${current.by})` : 'a version with no current record';
}

/** §6.3 (second half): production (and gray, which becomes production) never moves to a version a review release serves. */
function reviewServing(scope: RuleScope, version: string, target: string): { ok: false; refusal: RuleRefusal } | undefined {
  const reviewRelease = activeReviewVersions(scope.state).get(version);
  if (reviewRelease === undefined) return undefined;
  if (productionRelease(scope.state)?.versions.includes(version)) return undefined;
  return refuse(scope, target, 'production-not-review-version', 'review_version_to_production',
    `${scope.project} ${scope.market}: ${version} is the review version of ${reviewRelease}; production never moves to a review version — use "review promote" once it is approved`,
    { version, reviewRelease });
}

/**
 * §6.1, §6.2: gray goes only to the location's grayHosts, and only when no gray is active.
 * `hosts` are the hosts the command named (default: every gray host). Passes with the target hosts.
 */
export function checkGrayStart(input: RuleScope & { location: RuleLocation; version: string; hosts?: readonly string[] }): RuleOutcome<{ hosts: string[] }> {
  const { location, state, version } = input;
  if (location.grayHosts.length === 0) {
    return refuse(input, GRAY_RELEASE, 'gray-hosts-only', 'gray_no_gray_hosts',
      `${input.project} ${input.market}: location ${location.name} has no grayHosts, so it is not a gray cluster; gray goes only to gray hosts`,
      { location: location.name });
  }
  const hosts = input.hosts ? [...input.hosts] : [...location.grayHosts];
  const notGray = hosts.filter((h) => !location.grayHosts.includes(h));
  if (notGray.length > 0) {
    return refuse(input, GRAY_RELEASE, 'gray-hosts-only', 'gray_not_gray_host',
      `${input.project} ${input.market}: ${notGray.join(', ')} ${notGray.length === 1 ? 'is not a gray host' : 'are not gray hosts'} of ${location.name} (gray hosts: ${location.grayHosts.join(', ')})`,
      { hosts: notGray, grayHosts: [...location.grayHosts] });
  }
  const active = activeGrayRefusal(input);
  if (active) return active;
  const review = reviewServing(input, version, GRAY_RELEASE);
  if (review) return review;
  return { ok: true, value: { hosts } };
}

/**
 * §6.2: the refusal for a gray start while a gray is active — unless the active gray was
 * written by `deployId` itself (the same deploy retried).
 */
export function activeGrayRefusal(input: RuleScope & { deployId?: string }): { ok: false; refusal: RuleRefusal } | undefined {
  const active = input.state.releases[GRAY_RELEASE];
  if (!active || (input.deployId !== undefined && active.current?.deployId === input.deployId)) return undefined;
  return refuse(input, GRAY_RELEASE, 'one-gray', 'gray_already_active',
    `${input.project} ${input.market}: gray ${describeCurrent(active.current)} is already active; "gray promote" or "gray cancel" it before starting another`,
    { activeVersion: active.current?.version ?? active.versions.at(-1), activeDeployId: active.current?.deployId });
}

/** §6.3: a version already in production may not be started as review. */
export function checkReviewStart(input: RuleScope & { channel: string; version: string }): RuleOutcome<{ release: string }> {
  const release = reviewReleaseName(input.channel);
  const production = productionRelease(input.state);
  if (production?.versions.includes(input.version)) {
    return refuse(input, release, 'review-not-production-version', 'review_version_in_production',
      `${input.project} ${input.market}: ${input.version} is already a production version; a review release must serve a version production does not have`,
      { version: input.version });
  }
  return { ok: true, value: { release } };
}

/** §6.3: a production deploy never moves production to a version that a review release serves. */
export function checkProductionDeploy(input: RuleScope & { version: string }): RuleOutcome<undefined> {
  return reviewServing(input, input.version, productionRelease(input.state)?.name ?? 'production') ?? { ok: true, value: undefined };
}

export interface PromotePlan {
  /** The production release found through default_release. */
  production: string;
  /** The promoted release's versions, oldest first. */
  promoted: string[];
  /** Production's versions after the promote. */
  versions: string[];
  /** The promoted release's current record, if it had one. */
  current?: ReleaseCurrent;
}

/** §6.4: what a promote of `release` (gray or review-*) does: append its versions to production's, then remove it. */
export function planPromote(input: RuleScope & { release: string }): RuleOutcome<PromotePlan> {
  const { release, state } = input;
  const type = releaseTypeOf(release);
  const record = state.releases[release];
  if (type === 'production' || type === undefined || !record) {
    return refuse(input, release, 'promote-needs-release', 'promote_no_release',
      `${input.project} ${input.market}: there is no ${type === 'production' || type === undefined ? 'gray or review' : release} release to promote`,
      { release });
  }
  const production = productionRelease(state);
  if (!production) {
    return refuse(input, release, 'promote-needs-production', 'promote_no_production',
      `${input.project} ${input.market}: no production release yet (default_release is ${state.defaultRelease === undefined ? 'not set' : `"${state.defaultRelease}" but that release does not exist`}); deploy production first`,
      { defaultRelease: state.defaultRelease });
  }
  const promoted = [...record.versions];
  const plan: PromotePlan = { production: production.name, promoted, versions: appendVersions(production.versions, promoted) };
  if (record.current) plan.current = record.current;
  return { ok: true, value: plan };
}

export interface GrayCancelPlan {
  /** Switch these (the gray release's servers) back to `target` first … */
  grayServers: string[];
  /** … production's current release, so every client always has a valid target … */
  target: ReleaseCurrent;
  /** … then remove this release. */
  remove: typeof GRAY_RELEASE;
}

/** §6.5: gray cancel switches gray hosts back to production's current release before removing gray. */
export function planGrayCancel(input: RuleScope): RuleOutcome<GrayCancelPlan> {
  const gray = input.state.releases[GRAY_RELEASE];
  if (!gray) {
    return refuse(input, GRAY_RELEASE, 'gray-cancel-needs-gray', 'gray_not_active',
      `${input.project} ${input.market}: no gray release is active`, {});
  }
  const target = productionRelease(input.state)?.current;
  if (!target) {
    return refuse(input, GRAY_RELEASE, 'gray-cancel-needs-production', 'gray_cancel_no_production',
      `${input.project} ${input.market}: production has no current release to switch the gray hosts back to; gray stays until production is deployed`,
      { grayVersion: gray.current?.version });
  }
  return { ok: true, value: { grayServers: [...gray.servers], target, remove: GRAY_RELEASE } };
}
