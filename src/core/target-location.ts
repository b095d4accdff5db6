// Which location of a market (and which of its hosts) a location-scoped verb acts on.
import type { Config } from '../../config/load-config.ts';
import type { CommandTarget } from './command-types.ts';

export interface TargetLocation {
  /** The location's key in `markets.<market>.locations` (for a review location: its channel). */
  name: string;
  role: 'production' | 'review';
  /** The hosts the verb acts on: all of the location's, its gray hosts, or the review location's. */
  hosts: string[];
}

/**
 * The location `target` names in `market`, or undefined when there is none (unknown market,
 * a channel that is not a review location). For `gray` the location is the production one and
 * `hosts` its `grayHosts` (possibly empty).
 */
export function targetLocation(config: Config, market: string, target: CommandTarget, channel?: string): TargetLocation | undefined {
  if (!Object.hasOwn(config.markets, market)) return undefined;
  const locations = config.markets[market]!.locations;
  if (target === 'review') {
    if (channel === undefined || !Object.hasOwn(locations, channel)) return undefined;
    const location = locations[channel]!;
    return location.role === 'review' ? { name: channel, role: 'review', hosts: [...location.hosts] } : undefined;
  }
  const production = Object.entries(locations).find(([, location]) => location.role === 'production');
  if (!production) return undefined;
  const [name, location] = production;
  return { name, role: 'production', hosts: [...(target === 'gray' ? location.grayHosts : location.hosts)] };
}

/** The review channels of a market: the keys of its review locations. */
export function reviewChannels(config: Config, market: string): string[] {
  if (!Object.hasOwn(config.markets, market)) return [];
  return Object.entries(config.markets[market]!.locations).filter(([, l]) => l.role === 'review').map(([name]) => name);
}
