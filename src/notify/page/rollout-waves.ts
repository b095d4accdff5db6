// A progressive rollout's waves as the deploy page draws them (docs/deploy-page.md, "Waves"):
// each wave n of N with its hosts and its state — switching while its hosts switch, baking
// while their checks run, then healthy or unhealthy, and rolled back once its hosts were
// switched back. Waves not started yet are one pending group of the hosts left. Folded from
// the deploy's notices in order. Pure.
import type { DeployNotice } from '../../deploy/deploy-notice.ts';

export type WaveState = 'pending' | 'switching' | 'baking' | 'healthy' | 'unhealthy' | 'rolled-back';

export interface WaveGroup {
  /** From 1; the pending group of waves not started yet has the first of them. */
  wave: number;
  /** The last wave the group covers (the same as `wave` but for the pending group). */
  lastWave: number;
  waves: number;
  hosts: string[];
  state: WaveState;
}

/** The rollout's waves, or none when the deploy had no rollout. */
export function rolloutWaves(notices: readonly DeployNotice[], hosts: readonly string[]): WaveGroup[] {
  const waves = new Map<number, WaveGroup>();
  let total = 0;
  const moveOn = (wave: number | undefined) => {
    const w = wave === undefined ? undefined : waves.get(wave);
    if (w && w.state === 'switching') w.state = 'baking';
  };
  for (const notice of notices) {
    switch (notice.type) {
      case 'wave.started':
        total = Math.max(total, notice.waves);
        waves.set(notice.wave, { wave: notice.wave, lastWave: notice.wave, waves: notice.waves, hosts: [...notice.hosts], state: 'switching' });
        break;
      case 'health.passed':
      case 'wave.baking':
        moveOn(notice.wave);
        break;
      case 'health.failed':
      case 'rollout.failed': {
        moveOn(notice.wave);
        const w = waves.get(notice.wave);
        if (w && w.state !== 'rolled-back') w.state = 'unhealthy';
        break;
      }
      case 'wave.finished': {
        const w = waves.get(notice.wave);
        if (w) w.state = notice.unhealthy.length > 0 ? 'unhealthy' : 'healthy';
        break;
      }
      case 'host.rolled-back':
        if (!notice.ok) break;
        for (const w of waves.values()) if (w.hosts.includes(notice.host)) w.state = 'rolled-back';
        break;
      default:
        break;
    }
  }
  if (waves.size === 0) return [];
  const groups = [...waves.values()].sort((a, b) => a.wave - b.wave).map((w) => ({ ...w, waves: total }));
  const placed = new Set(groups.flatMap((w) => w.hosts));
  const left = hosts.filter((h) => !placed.has(h));
  const next = groups.at(-1)!.wave + 1;
  if (left.length > 0) groups.push({ wave: next, lastWave: Math.max(next, total), waves: total, hosts: left, state: 'pending' });
  return groups;
}

/** `wave 2 of 3`, or `waves 2–3 of 3` for the pending group. */
export function waveLabel(group: WaveGroup): string {
  return group.lastWave > group.wave ? `waves ${group.wave}–${group.lastWave} of ${group.waves}` : `wave ${group.wave} of ${group.waves}`;
}
