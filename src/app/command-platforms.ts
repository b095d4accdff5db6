// The platforms an accepted command applies to, kept on its deploy record (docs/platforms.md).
import type { Config } from '../../config/load-config.ts';
import type { Command } from '../core/command-types.ts';
import { releasePlatforms } from '../domain/release-platforms.ts';

/** `{ platforms }` for deploy, gray start, review start and review promote in a market with platforms; `{}` otherwise. */
export function platformsOf(config: Config, command: Command, location: string): { platforms?: string[] } {
  if (command.verb !== 'deploy' && command.verb !== 'gray start' && command.verb !== 'review start' && command.verb !== 'review promote') return {};
  const market = config.markets[command.market];
  const named = command.verb === 'deploy' || command.verb === 'gray start' ? command.platforms : undefined;
  const reviewed = command.verb.startsWith('review') ? market?.locations[location]?.platforms : undefined;
  const platforms = releasePlatforms({ ...(market?.platforms ? { market: market.platforms } : {}), ...(reviewed ? { location: reviewed } : {}), ...(named ? { named } : {}) });
  return platforms ? { platforms } : {};
}
