import type { Config } from '../../config/load-config.ts';
import { ownEntry } from '../core/own-entry.ts';
import type { TargetLocation } from '../domain/deploy-target.ts';

/** The market's locations in the shape the pure target rules take. */
export function marketLocations(config: Config, market: string): TargetLocation[] {
  const locations = ownEntry(config.markets, market)?.locations ?? {};
  return Object.entries(locations).map(([name, l]) => ({ name, role: l.role, hosts: l.hosts, grayHosts: l.grayHosts }));
}

/** Whether `verb` needs an approval in `market` (SPEC §12). */
export function needsApproval(config: Config, market: string, verb: string): boolean {
  const approval = ownEntry(config.markets, market)?.approval;
  return approval !== undefined && approval !== 'none' && APPROVAL_VERBS.has(verb);
}

export const APPROVAL_VERBS: ReadonlySet<string> = new Set(['deploy', 'gray start', 'gray promote', 'review promote', 'rollback']);
export const PASS_IN_VERBS: ReadonlySet<string> = new Set(['deploy', 'gray start']);
/** Verbs whose prepare phase resolves/builds or chooses a target before any approval. */
export const PREPARED_VERBS: ReadonlySet<string> = new Set(['deploy', 'gray start', 'review start', 'gray promote', 'rollback', 'review promote']);
