// Which platforms a release command applies to (docs/platforms.md). Pure.

export interface PlatformScope {
  /** `markets.<m>.platforms`; absent for a market without platforms. */
  market?: readonly string[];
  /** The review location's `platforms`, when the command targets one that names some. */
  location?: readonly string[];
  /** `--platforms` as typed (deploy, gray start). */
  named?: readonly string[];
}

/**
 * The platforms, in the market's order: those named, else the review location's, else all of
 * the market's. Undefined for a market without platforms (nothing per platform is written).
 * Names that are not the market's are dropped (the config and parser refuse them before).
 */
export function releasePlatforms(scope: PlatformScope): string[] | undefined {
  if (!scope.market) return undefined;
  const chosen = scope.named ?? scope.location;
  return chosen ? scope.market.filter((platform) => chosen.includes(platform)) : [...scope.market];
}
