// Which update packages to build (docs/reference/release-rules.md): the (from, to) version pairs the
// packager runs for. Update packages only ever lead to a production-side version, so a
// production client is never offered a review version.

export interface UpdatePackagePair {
  from: string;
  to: string;
  /** In a market with platforms: the platform whose clients get it (docs/platforms.md). */
  platform?: string;
}

/** What the packages are built for. */
export type UpdatePackageTarget =
  /** A production deploy (or gray promote) of `version`. */
  | { release: 'production'; version: string }
  /** A gray start of `version`: production clients sent to gray hosts update to it. */
  | { release: 'gray'; version: string }
  /** A review start/update of `version`. */
  | { release: 'review'; version: string };

export interface ReleaseHistory {
  /** Production's versions before this release, oldest first (production `versions`). */
  productionVersions: readonly string[];
  /** Every review version ever started in this market (from the audit history), oldest first. */
  reviewVersions: readonly string[];
}

/**
 * The pairs to build, without duplicates or self pairs:
 * - production: from every review version ever started and every earlier production version to the new one;
 * - gray: from every production version to the gray version (never from a review version);
 * - review: from the review version to the latest production version (none before the first production deploy).
 * Never from a production version to a review version.
 */
export function planUpdatePackages(target: UpdatePackageTarget, history: ReleaseHistory): UpdatePackagePair[] {
  switch (target.release) {
    case 'production':
      return pairsTo(target.version, [...history.productionVersions, ...history.reviewVersions]);
    case 'gray':
      return pairsTo(target.version, history.productionVersions);
    case 'review': {
      const latest = history.productionVersions.at(-1);
      return latest === undefined ? [] : pairsTo(latest, [target.version]);
    }
  }
}

function pairsTo(to: string, froms: readonly string[]): UpdatePackagePair[] {
  const seen = new Set<string>();
  const pairs: UpdatePackagePair[] = [];
  for (const from of froms) {
    if (from === to || seen.has(from)) continue;
    seen.add(from);
    pairs.push({ from, to });
  }
  return pairs;
}

/** One platform's history (its own production list and the review versions it had). */
export interface PlatformHistory extends ReleaseHistory {
  platform: string;
}

/** The same rules on each platform's own lists (docs/platforms.md): each pair carries its platform. */
export function planPlatformUpdatePackages(target: UpdatePackageTarget, histories: readonly PlatformHistory[]): UpdatePackagePair[] {
  return histories.flatMap((history) => planUpdatePackages(target, history).map((pair) => ({ ...pair, platform: history.platform })));
}
