// Which builds the data directory drops (src/domain/builds-to-prune.ts), property-tested:
// every build of a needed commit and of the newest `keep` commits stays, everything else goes,
// and no more than `keep` commits beyond the needed ones are kept.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildsToPrune, type StoredBuild } from '../../src/domain/builds-to-prune.ts';

const buildsArb: fc.Arbitrary<StoredBuild[]> = fc
  .array(fc.record({ commit: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6'), builtAt: fc.integer({ min: 0, max: 1000 }) }), { maxLength: 20 })
  .map((rows) => rows.map((row, i) => ({ ...row, id: `${row.commit}-${i}` })));

describe('buildsToPrune', () => {
  it('when builds are pruned, then needed commits and the newest keep commits stay whole, and nothing else stays', () => {
    fc.assert(fc.property(buildsArb, fc.integer({ min: 1, max: 6 }), fc.subarray(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']), (builds, keep, neededList) => {
      const needed = new Set(neededList);
      const removed = new Set(buildsToPrune(builds, keep, needed));
      const kept = builds.filter((b) => !removed.has(b.id));
      for (const b of builds) if (needed.has(b.commit)) expect(removed.has(b.id)).toBe(false);
      // a commit is either wholly kept or wholly removed
      for (const b of builds) expect(kept.some((k) => k.commit === b.commit)).toBe(!removed.has(b.id));
      const keptUnneeded = new Set(kept.filter((b) => !needed.has(b.commit)).map((b) => b.commit));
      expect(keptUnneeded.size).toBeLessThanOrEqual(keep);
      // every kept commit is at least as new as every removed one, unless it is needed
      const newest = (commit: string) => Math.max(...builds.filter((b) => b.commit === commit).map((b) => b.builtAt));
      for (const r of builds.filter((b) => removed.has(b.id))) for (const k of keptUnneeded) expect(newest(k)).toBeGreaterThanOrEqual(newest(r.commit));
      const allCommits = new Set(builds.map((b) => b.commit));
      if (allCommits.size <= keep) expect(removed.size).toBe(0);
    }));
  });
});
