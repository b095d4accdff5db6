// "Did you mean": the candidates nearest to a name by edit distance, for an unknown ref, a
// misspelt config key or name. Pure.

export function closestNames(name: string, candidates: readonly string[], count = 3): string[] {
  const scored = [...new Set(candidates)].map((candidate) => ({ candidate, distance: editDistance(name.toLowerCase(), candidate.toLowerCase()) }));
  scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, count).map((s) => s.candidate);
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * ` (did you mean "x"?)` when a candidate is near enough to `name` to be what was meant (an
 * edit distance of at most a third of its length, at least 1), else ''. For config and user typos.
 */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const [best] = closestNames(name, candidates.filter((candidate) => candidate !== name), 1);
  if (best === undefined) return '';
  const limit = Math.max(1, Math.floor(name.length / 3));
  return editDistance(name.toLowerCase(), best.toLowerCase()) <= limit ? ` (did you mean ${JSON.stringify(best)}?)` : '';
}
