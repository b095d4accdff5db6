import type { Config } from '../../config/load-config.ts';
import { ownEntry } from '../core/own-entry.ts';
import type { TargetLocation } from '../domain/deploy-target.ts';

/** The market's locations in the shape the pure target rules take. */
export function marketLocations(config: Config, market: string): TargetLocation[] {
  const locations = ownEntry(config.markets, market)?.locations ?? {};
  return Object.entries(locations).map(([name, l]) => ({ name, role: l.role, hosts: l.hosts, grayHosts: l.grayHosts }));
}
