// The failure rule of a rollout (docs/configuration.md, "rollout"): it fails when the unhealthy
// hosts are strictly MORE than maxUnhealthy — `maxUnhealthy: 0` tolerates none, `1` tolerates
// one, `10%` of 20 hosts tolerates two. A percentage is of every host the deploy targets, and
// is compared exactly (3 of 20 is 15 %, more than 10 %; 2 of 20 is not).
import type { RolloutSize } from './rollout-size.ts';

export function rolloutFailed(unhealthy: number, targeted: number, maxUnhealthy: RolloutSize): boolean {
  if (maxUnhealthy.kind === 'count') return unhealthy > maxUnhealthy.count;
  return unhealthy * 10_000 > maxUnhealthy.hundredths * targeted;
}

/** The most unhealthy hosts a rollout of `targeted` hosts tolerates. */
export function unhealthyTolerated(targeted: number, maxUnhealthy: RolloutSize): number {
  if (maxUnhealthy.kind === 'count') return maxUnhealthy.count;
  return Math.floor((maxUnhealthy.hundredths * targeted) / 10_000);
}
