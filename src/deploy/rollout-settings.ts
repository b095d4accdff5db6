// The rollout a deploy runs with (docs/configuration.md, "rollout"): the project's `rollout`,
// with the market's `rollout` fields overriding it, and the defaults for what neither sets.
// No `rollout` and no `health` anywhere is today's behaviour: one wave of every host, no checks.
import type { Config } from '../../config/load-config.ts';
import type { HealthCheckConfig } from '../../config/schema.ts';
import type { RolloutSize } from '../domain/rollout-size.ts';

export interface RolloutSettings {
  waves: RolloutSize[];
  /** ms the hosts switched so far are watched after a wave; 0: one round of checks. */
  bake: number;
  /** ms between rounds of checks. */
  interval: number;
  /** ms after its switch within which a host must pass, else it is unhealthy. */
  healthTimeout: number;
  maxUnhealthy: RolloutSize;
  onFailure: 'rollback' | 'pause';
  checks: HealthCheckConfig[];
}

export const ROLLOUT_DEFAULTS = { bake: 0, interval: 5_000, healthTimeout: 300_000, onFailure: 'rollback' } as const;

export function rolloutSettings(config: Config, project: string, market: string): RolloutSettings {
  const own = config.projects[project]?.rollout ?? {};
  const local = config.markets[market]?.rollout ?? {};
  const pick = <K extends keyof typeof own>(key: K) => local[key] ?? own[key];
  return {
    waves: pick('waves') ?? [],
    bake: pick('bake') ?? ROLLOUT_DEFAULTS.bake,
    interval: pick('interval') ?? ROLLOUT_DEFAULTS.interval,
    healthTimeout: pick('healthTimeout') ?? ROLLOUT_DEFAULTS.healthTimeout,
    maxUnhealthy: pick('maxUnhealthy') ?? { kind: 'count', count: 0 },
    onFailure: pick('onFailure') ?? ROLLOUT_DEFAULTS.onFailure,
    checks: config.projects[project]?.health ?? [],
  };
}
