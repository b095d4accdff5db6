// The state a plan starts from (docs/operations.md "What an approval covers"): per release,
// the deploy whose `current` record it held when the card was posted. A later run whose
// releases moved on since was approved over a state that no longer exists. Pure.
import type { DeployVerb } from './deploy-record.ts';
import { GRAY_RELEASE, PRODUCTION_RELEASE } from './release-names.ts';
import type { MarketReleases } from './release-state.ts';

export type PlanBasis = Record<string, string | null>;

/** The releases a verb's plan starts from: the one it changes, or the one it promotes (and production, which gray promote redeploys). */
export function basisReleases(verb: DeployVerb, release: string): string[] {
  switch (verb) {
    case 'deploy':
    case 'rollback':
      return [PRODUCTION_RELEASE];
    case 'gray start':
    case 'gray cancel':
      return [GRAY_RELEASE];
    case 'gray promote':
      return [GRAY_RELEASE, PRODUCTION_RELEASE];
    case 'review start':
    case 'review cancel':
    case 'review promote':
      return [release];
    case 'retry':
    case 'sync':
      return [];
  }
}

/** The deploy id current on each of `releases` in `state` (null: the release does not exist or has no current record). */
export function planBasis(releases: readonly string[], state: MarketReleases): PlanBasis {
  return Object.fromEntries(releases.map((release) => [release, state.releases[release]?.current?.deployId ?? null]));
}

/**
 * The releases that moved on since `basis`, described for the user (empty: the plan still
 * starts from the current state). `accepted` are deploy ids that count as the same state
 * (a retry: the deploy it finishes and its earlier retries, which wrote their own ids).
 */
export function basisChanges(basis: PlanBasis, state: MarketReleases, accepted: readonly string[] = [], since = 'the plan was made'): string[] {
  const changes: string[] = [];
  for (const release of Object.keys(basis).sort()) {
    const bound = basis[release] ?? null;
    const current = state.releases[release]?.current;
    const now = current?.deployId ?? null;
    if (now === bound || (now !== null && accepted.includes(now))) continue;
    const from = bound === null ? `no ${release} release` : `${release} of ${bound}`;
    // `since` names the moment the basis was taken: when the card was posted, or when a retried deploy ended
    changes.push(now === null
      ? `${release} changed since ${since}: it is gone now (the plan started from ${from})`
      : `${release} changed since ${since}: it is now ${current!.version} from ${now} (the plan started from ${from})`);
  }
  return changes;
}
