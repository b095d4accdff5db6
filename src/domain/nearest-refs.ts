// What to suggest for a ref that does not exist: the tags and branches nearest to it by edit
// distance, shown newest first — "v1.4.1" typed as "v1.41" suggests v1.4.1 before v1.4.0.
// The caller hands the names in newest-first order (by date from a mirror, by version order
// from `git ls-remote`). Pure.
import { editDistance } from './closest-names.ts';

/** Up to `count` of `namesNewestFirst` nearest to `ref`, in the order given (ties go to the newer). */
export function nearestRefs(ref: string, namesNewestFirst: readonly string[], count = 3): string[] {
  const names = [...new Set(namesNewestFirst)];
  const scored = names.map((name, index) => ({ name, index, distance: editDistance(ref.toLowerCase(), name.toLowerCase()) }));
  scored.sort((a, b) => a.distance - b.distance || a.index - b.index);
  return scored.slice(0, count).sort((a, b) => a.index - b.index).map((s) => s.name);
}

/** Newest-first order for names without dates: by their numbers (`v1.10` before `v1.9`). */
export function byVersionNewestFirst(a: string, b: string): number {
  return b.localeCompare(a, 'en', { numeric: true });
}

/** The refusal text: `mala-core has no tag, branch or commit "v9"; nearest tags (newest first): v3, v2; branches: main`. */
export function unknownRefMessage(project: string, ref: string, tagsNewestFirst: readonly string[], branchesNewestFirst: readonly string[]): string {
  const tags = nearestRefs(ref, tagsNewestFirst);
  const branches = nearestRefs(ref, branchesNewestFirst, 2);
  const parts = [...(tags.length ? [`nearest tags (newest first): ${tags.join(', ')}`] : ['the repository has no tags']), ...(branches.length ? [`branches: ${branches.join(', ')}`] : [])];
  return `${project} has no tag, branch or commit "${ref}"; ${parts.join('; ')}`;
}
