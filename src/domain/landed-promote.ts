// A promote whose write landed but whose answer was lost (a ZooKeeper outage, retried by the
// job: docs/operations.md "When ZooKeeper is away"): tried again, it is refused because the
// release is gone. It landed when the release is gone and production serves every version
// the promote was approved for; then this is what the promote answered.
import { type MarketReleases, productionRelease } from './release-state.ts';
import type { PromoteResult } from './release-transitions.ts';

export function landedPromote(state: MarketReleases, release: string, approvedVersions: readonly string[] | undefined): PromoteResult | undefined {
  if (state.releases[release] !== undefined || !approvedVersions || approvedVersions.length === 0) return undefined;
  const production = productionRelease(state);
  if (!production || !approvedVersions.every((version) => production.versions.includes(version))) return undefined;
  return { production: production.name, promoted: [...approvedVersions], versions: [...production.versions] };
}
