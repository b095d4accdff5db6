// Which release a rollback goes to when none is named: on each host, the newest release
// directory older than the current one. Every host must agree, or the caller must name one.
import { compareReleaseIds, isReleaseId } from './release-id.ts';

export function previousReleaseOnDisk(entries: readonly string[], current: string | undefined): string | undefined {
  const releases = entries.filter(isReleaseId).sort(compareReleaseIds);
  if (current === undefined) return undefined;
  const older = releases.filter((id) => id !== current && compareReleaseIds(id, current) < 0);
  return older.at(-1);
}

export type RollbackTargetChoice = { ok: true; releaseId: string } | { ok: false; reason: string };

/** One target for all hosts, from each host's candidate. */
export function agreeOnRollbackTarget(candidates: ReadonlyMap<string, string | undefined>): RollbackTargetChoice {
  const distinct = new Set(candidates.values());
  const without = [...candidates].filter(([, id]) => id === undefined).map(([host]) => host);
  if (without.length > 0) return { ok: false, reason: `no earlier release on ${without.join(', ')}` };
  if (distinct.size !== 1) {
    const listing = [...candidates].map(([host, id]) => `${host}: ${id}`).join(', ');
    return { ok: false, reason: `the hosts' previous releases differ (${listing}); name the release to roll back to` };
  }
  return { ok: true, releaseId: [...distinct][0]! };
}
