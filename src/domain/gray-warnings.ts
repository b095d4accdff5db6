// Gray-test warnings (docs/reference/messages.md): produced as data for the chat layer, never posted
// from here. A gray release older than a threshold, gray hosts drifting from the gray
// version, a production deploy while gray is active, and every refusal by a release rule
// that protects a release (not one that found nothing to act on: isWarnedRefusal).
import { GRAY_RELEASE } from './release-names.ts';
import type { ReleaseRule, RuleRefusal } from './release-rules.ts';
import type { MarketReleases } from './release-state.ts';
import type { HostRow } from './release-status.ts';

export type GrayWarningKind = 'gray_too_old' | 'gray_host_drift' | 'production_deploy_during_gray' | 'rule_refused' | 'release_not_recorded' | 'hosts_drifted' | 'gray_unhealthy';

export interface GrayWarning {
  kind: GrayWarningKind;
  project: string;
  market: string;
  release: string;
  message: string;
  details: Record<string, unknown>;
}

function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** A gray release whose `current.at` is more than `maxAgeMs` before `now`. */
export function grayAgeWarning(input: { state: MarketReleases; now: Date; maxAgeMs: number }): GrayWarning | undefined {
  const { state } = input;
  const current = state.releases[GRAY_RELEASE]?.current;
  if (!current) return undefined;
  const started = Date.parse(current.at);
  if (Number.isNaN(started)) return undefined;
  const age = input.now.getTime() - started;
  if (age <= input.maxAgeMs) return undefined;
  return {
    kind: 'gray_too_old',
    project: state.project,
    market: state.market,
    release: GRAY_RELEASE,
    message: `${state.project} ${state.market}: gray ${current.version} (${current.deployId}, by ${current.by}) has been running for ${formatAge(age)}, longer than ${formatAge(input.maxAgeMs)}; "gray promote" or "gray cancel" it`,
    details: { version: current.version, deployId: current.deployId, startedAt: current.at, ageMs: age, maxAgeMs: input.maxAgeMs },
  };
}

/** One warning per gray host whose status row shows drift (see releaseStatus). */
export function grayDriftWarnings(input: { state: MarketReleases; hosts: readonly HostRow[] }): GrayWarning[] {
  const { state } = input;
  const gray = state.releases[GRAY_RELEASE];
  if (!gray) return [];
  return input.hosts
    .filter((row) => row.expectedRelease === GRAY_RELEASE && row.drift !== undefined)
    .map((row) => ({
      kind: 'gray_host_drift' as const,
      project: state.project,
      market: state.market,
      release: GRAY_RELEASE,
      message: `${state.project} ${state.market}: gray host ${row.message ?? row.host} (gray is ${gray.current?.version ?? gray.versions.at(-1) ?? 'unknown'})`,
      details: { host: row.host, drift: row.drift, releaseId: row.releaseId, expected: row.expected },
    }));
}

/** A production deploy of `version` while gray is active: allowed, but said out loud. */
export function productionDeployDuringGrayWarning(input: { state: MarketReleases; version: string; deployId: string }): GrayWarning | undefined {
  const { state } = input;
  const gray = state.releases[GRAY_RELEASE];
  if (!gray) return undefined;
  const grayVersion = gray.current?.version ?? gray.versions.at(-1);
  return {
    kind: 'production_deploy_during_gray',
    project: state.project,
    market: state.market,
    release: GRAY_RELEASE,
    message: `${state.project} ${state.market}: production deploy ${input.deployId} of ${input.version} while gray ${grayVersion ?? ''}${gray.current ? ` (${gray.current.deployId})` : ''} is active; gray hosts stay on gray`,
    details: { version: input.version, deployId: input.deployId, grayVersion, grayDeployId: gray.current?.deployId },
  };
}

/** Every refusal by a release rule is also a gray-test warning. */
/**
 * Refusals that only say there was nothing to act on — no gray or review release to promote
 * or cancel, a release name that does not exist: usually a slip of the user's (a wrong
 * market or channel). They are answered to the user and not posted as warnings; every other
 * release-rule refusal is.
 */
const NOTHING_TO_ACT_ON: ReadonlySet<ReleaseRule> = new Set<ReleaseRule>(['promote-needs-release', 'gray-cancel-needs-gray', 'known-release']);

/** Whether a refusal is also a gray-test warning for the market's channel. */
export function isWarnedRefusal(refusal: Pick<RuleRefusal, 'rule'>): boolean {
  return !NOTHING_TO_ACT_ON.has(refusal.rule);
}

export function refusalWarning(refusal: RuleRefusal): GrayWarning {
  return {
    kind: 'rule_refused',
    project: refusal.project,
    market: refusal.market,
    release: refusal.release,
    message: `refused (${refusal.rule}): ${refusal.message}`,
    details: { rule: refusal.rule, code: refusal.code, ...refusal.details },
  };
}

/** The periodic check: age and drift of the active gray release. */
export function grayWarnings(input: { state: MarketReleases; now: Date; maxAgeMs: number; hosts?: readonly HostRow[] }): GrayWarning[] {
  const age = grayAgeWarning(input);
  return [...(age ? [age] : []), ...grayDriftWarnings({ state: input.state, hosts: input.hosts ?? [] })];
}

/**
 * Hosts that switched to a release the release store could not record within
 * `recordTimeout`: they serve what ZooKeeper does not say, until `sync` writes it.
 */
export function releaseNotRecordedWarning(input: { project: string; market: string; release: string; version: string; deployId: string; hosts: readonly string[]; timeoutMs: number; error: string }): GrayWarning {
  const { project, market, release } = input;
  const seconds = Math.round(input.timeoutMs / 1000);
  return {
    kind: 'release_not_recorded',
    project,
    market,
    release,
    message: `${project} ${market}: ${input.hosts.join(', ')} serve ${release} ${input.version} (${input.deployId}), which the release store does not record — it could not be written within ${seconds} s (${input.error}). Clients follow the release store, not the hosts: run \`sync ${project} ${market}\` once it is back.`,
    details: { hosts: [...input.hosts], version: input.version, deployId: input.deployId, timeoutMs: input.timeoutMs, command: `sync ${project} ${market}` },
  };
}

/** A gray host failing its health checks while gray is active (one per failure streak, src/app/gray-watch.ts). */
export function grayUnhealthyWarning(input: { project: string; market: string; version: string; deployId: string; host: string; check: string; outputTail: readonly string[] }): GrayWarning {
  const tail = input.outputTail.slice(-3).join(' / ') || 'no output';
  return {
    kind: 'gray_unhealthy',
    project: input.project,
    market: input.market,
    release: GRAY_RELEASE,
    message: `${input.project} ${input.market}: gray host ${input.host} is unhealthy (gray ${input.version}, ${input.deployId}): ${input.check} — ${tail}; "gray cancel" switches the gray hosts back to production`,
    details: { host: input.host, check: input.check, outputTail: [...input.outputTail], deployId: input.deployId, version: input.version },
  };
}
