// The value of `--platforms aqq,awx`: platforms of the market (docs/platforms.md). A market
// without platforms refuses the flag; an unknown or repeated name is refused by name.
import type { Config } from '../../config/load-config.ts';
import { listNames, quoteWord } from './quote-word.ts';

export type PlatformsCheck = { ok: true; platforms: string[] } | { ok: false; error: string };

export function validatePlatforms(raw: string, market: string, config: Config): PlatformsCheck {
  const known = Object.hasOwn(config.markets, market) ? config.markets[market]!.platforms : undefined;
  if (!known) return { ok: false, error: `market ${quoteWord(market)} has no platforms, so --platforms does not apply` };
  const names = raw.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) return { ok: false, error: `--platforms ${quoteWord(raw)} has an empty platform name; write --platforms ${known.slice(0, 2).join(',')}` };
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return { ok: false, error: `platform ${quoteWord(name)} is named twice in --platforms` };
    seen.add(name);
    if (!known.includes(name)) return { ok: false, error: `unknown platform ${quoteWord(name)}; platforms of ${quoteWord(market)}: ${listNames(known)}` };
  }
  return { ok: true, platforms: names };
}
