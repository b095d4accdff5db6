// What a side-effecting command acts on (docs/reference/command-grammar.md, docs/reference/release-rules.md): the location, the release name
// and the hosts, given the market's locations and the release state. Pure.
import { GRAY_RELEASE, PRODUCTION_RELEASE, reviewReleaseName } from './release-names.ts';
import {
  checkGrayStart,
  checkProductionDeploy,
  checkReviewStart,
  planGrayCancel,
  planPromote,
  refuse,
  type RuleOutcome,
  type RuleRefusal,
} from './release-rules.ts';
import type { MarketReleases } from './release-state.ts';

export interface TargetLocation {
  name: string;
  role: 'production' | 'review';
  hosts: readonly string[];
  grayHosts: readonly string[];
}

export type TargetCommand =
  | { verb: 'deploy'; project: string; market: string; ref: string; hosts?: string[] }
  | { verb: 'gray start'; project: string; market: string; ref: string }
  | { verb: 'gray cancel'; project: string; market: string }
  | { verb: 'gray promote'; project: string; market: string }
  | { verb: 'review start'; project: string; market: string; channel: string; ref: string }
  | { verb: 'review cancel'; project: string; market: string; channel: string }
  | { verb: 'review promote'; project: string; market: string; channel: string }
  | { verb: 'rollback'; project: string; market: string }
  | { verb: 'sync'; project: string; market: string; hosts?: string[] };

export interface DeployTarget {
  location: string;
  release: string;
  hosts: string[];
  version?: string;
  /** Gray hosts left alone because a gray release is active (production deploy, rollback). */
  sparedGrayHosts: string[];
}

/**
 * The target of a command, or the release rule that refuses it. `locations` are the
 * market's; exactly one has role production (the config guarantees it).
 */
export function deployTarget(command: TargetCommand, locations: readonly TargetLocation[], state: MarketReleases): { ok: true; value: DeployTarget } | { ok: false; refusal: RuleRefusal } {
  const production = locations.find((l) => l.role === 'production');
  if (!production) throw new Error(`market ${command.market} has no production location`);
  const scope = { project: command.project, market: command.market, state };
  const grayActive = state.releases[GRAY_RELEASE] !== undefined;
  const spare = (hosts: readonly string[]) => (grayActive ? hosts.filter((h) => production.grayHosts.includes(h)) : []);
  switch (command.verb) {
    case 'deploy': {
      const rule = checkProductionDeploy({ ...scope, version: command.ref });
      if (!rule.ok) return rule;
      const named = command.hosts ?? production.hosts;
      const spared = command.hosts ? [] : spare(named);
      return ok({ location: production.name, release: PRODUCTION_RELEASE, hosts: named.filter((h) => !spared.includes(h)), version: command.ref, sparedGrayHosts: spared });
    }
    case 'gray start': {
      const rule = checkGrayStart({ ...scope, location: production, version: command.ref });
      if (!rule.ok) return rule;
      return ok({ location: production.name, release: GRAY_RELEASE, hosts: rule.value.hosts, version: command.ref, sparedGrayHosts: [] });
    }
    case 'gray cancel': {
      const rule = planGrayCancel(scope);
      if (!rule.ok) return rule;
      return ok({ location: production.name, release: GRAY_RELEASE, hosts: [...production.grayHosts], version: rule.value.target.version, sparedGrayHosts: [] });
    }
    case 'gray promote': {
      const rule = planPromote({ ...scope, release: GRAY_RELEASE });
      if (!rule.ok) return rule;
      const version = rule.value.promoted.at(-1);
      return ok({ location: production.name, release: PRODUCTION_RELEASE, hosts: [...production.hosts], ...(version ? { version } : {}), sparedGrayHosts: [] });
    }
    case 'review start': {
      const rule = checkReviewStart({ ...scope, channel: command.channel, version: command.ref });
      if (!rule.ok) return rule;
      return ok({ location: command.channel, release: rule.value.release, hosts: [...reviewHosts(locations, command.channel)], version: command.ref, sparedGrayHosts: [] });
    }
    case 'review cancel':
    case 'review promote': {
      const release = reviewReleaseName(command.channel);
      const outcome: RuleOutcome<unknown> = command.verb === 'review promote'
        ? planPromote({ ...scope, release })
        : state.releases[release]
          ? { ok: true, value: undefined }
          : refuse(scope, release, 'promote-needs-release', 'review_not_active', `${command.project} ${command.market}: no ${release} release is active`);
      if (!outcome.ok) return outcome;
      const version = state.releases[release]?.versions.at(-1);
      return ok({ location: command.channel, release, hosts: [...reviewHosts(locations, command.channel)], ...(version ? { version } : {}), sparedGrayHosts: [] });
    }
    case 'sync': {
      // every production host (gray ones included: each is compared with its own release), or the named ones
      const version = state.defaultRelease === undefined ? undefined : state.releases[state.defaultRelease]?.current?.version;
      return ok({ location: production.name, release: PRODUCTION_RELEASE, hosts: [...(command.hosts ?? production.hosts)], ...(version ? { version } : {}), sparedGrayHosts: [] });
    }
    case 'rollback': {
      const spared = spare(production.hosts);
      return ok({ location: production.name, release: PRODUCTION_RELEASE, hosts: production.hosts.filter((h) => !spared.includes(h)), sparedGrayHosts: spared });
    }
  }
}

function reviewHosts(locations: readonly TargetLocation[], channel: string): readonly string[] {
  const location = locations.find((l) => l.name === channel && l.role === 'review');
  if (!location) throw new Error(`no review location "${channel}"`);
  return location.hosts;
}

function ok(value: DeployTarget): { ok: true; value: DeployTarget } {
  return { ok: true, value };
}
