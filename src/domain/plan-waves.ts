// Waves of a progressive rollout (docs/configuration.md, "rollout"): each size is cumulative
// (`[1, 25%, 100%]` = the first host, then up to a quarter of them, then all), rounded up,
// and a final 100 % is implied. Hosts keep their config order; every host is in exactly one
// wave, and a size that adds no host makes no (empty) wave.
import { hostsFor, type RolloutSize } from './rollout-size.ts';

export function planWaves<T>(hosts: readonly T[], sizes: readonly RolloutSize[]): T[][] {
  const waves: T[][] = [];
  let reached = 0;
  for (const size of [...sizes, { kind: 'percent', hundredths: 10_000 } as const]) {
    const upTo = Math.max(reached, hostsFor(size, hosts.length));
    if (upTo === reached) continue;
    waves.push(hosts.slice(reached, upTo));
    reached = upTo;
  }
  return waves;
}
