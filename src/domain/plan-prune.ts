// Which release directories prune removes on one host (docs/reference/deploy-lifecycle.md): `keep` counts every
// release directory, the current one included; the protected ones (current, rollback
// target) are always kept and use up the budget first; the rest goes to the newest.
// Anything that is not a release id (`shared/`, `.incoming/`, `packages/`) is never touched.
import { compareReleaseIds, isReleaseId } from './release-id.ts';

export function planPrune(entries: readonly string[], keep: number, protect: readonly (string | undefined)[]): string[] {
  const releases = [...new Set(entries.filter(isReleaseId))].sort(compareReleaseIds).reverse();
  const kept = new Set(protect.filter((id): id is string => id !== undefined && releases.includes(id)));
  for (const id of releases) {
    if (kept.size >= keep) break;
    kept.add(id);
  }
  return releases.filter((id) => !kept.has(id)).reverse();
}
