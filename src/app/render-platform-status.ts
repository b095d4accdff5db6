// The per-platform part of `status` (docs/platforms.md): for a market with platforms, one
// line per platform with production's versions there, and what gray or a review serves on it.
import { type MarketReleases, productionRelease } from '../domain/release-state.ts';

/** No lines for a market without platforms. */
export function renderPlatformStatus(state: MarketReleases, platforms: readonly string[] | undefined): string[] {
  if (!platforms || platforms.length === 0) return [];
  const production = productionRelease(state);
  const others = Object.values(state.releases).filter((r) => r.name !== production?.name).sort((a, b) => a.name.localeCompare(b.name));
  const lines = ['per platform (production versions, newest last):'];
  for (const platform of platforms) {
    const versions = production?.platforms?.[platform] ?? [];
    const serving = others.flatMap((r) => {
      const there = r.platforms?.[platform];
      return there && there.length > 0 ? [`${r.name}: ${there.join(', ')}`] : [];
    });
    lines.push(`  ${platform}: ${versions.length > 0 ? versions.join(', ') : '—'}${serving.map((s) => ` · ${s}`).join('')}`);
  }
  return lines;
}
