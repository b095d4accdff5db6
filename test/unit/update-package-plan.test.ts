import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planUpdatePackages, type UpdatePackagePair } from '../../src/domain/update-package-plan.ts';

describe('update package plan (docs/reference/release-rules.md)', () => {
  it('when production deploys v1.3, then every review version and earlier production version updates to it', () => {
    const pairs = planUpdatePackages({ release: 'production', version: 'v1.3' }, { productionVersions: ['v1.1', 'v1.2'], reviewVersions: ['r-1.2', 'v1.2'] });
    expect(pairs).toEqual([
      { from: 'v1.1', to: 'v1.3' },
      { from: 'v1.2', to: 'v1.3' },
      { from: 'r-1.2', to: 'v1.3' },
    ]);
  });

  it('when a review starts, then only the review version updates to the latest production version', () => {
    expect(planUpdatePackages({ release: 'review', version: 'r-1.4' }, { productionVersions: ['v1.1', 'v1.3'], reviewVersions: ['r-1.2'] })).toEqual([{ from: 'r-1.4', to: 'v1.3' }]);
    expect(planUpdatePackages({ release: 'review', version: 'r-1.4' }, { productionVersions: [], reviewVersions: [] })).toEqual([]);
  });

  it('when gray starts, then production versions update to the gray version and no review version does', () => {
    expect(planUpdatePackages({ release: 'gray', version: 'v1.4' }, { productionVersions: ['v1.2', 'v1.3'], reviewVersions: ['r-1'] })).toEqual([
      { from: 'v1.2', to: 'v1.4' },
      { from: 'v1.3', to: 'v1.4' },
    ]);
  });
});

// A random release history: production deploys, review starts on a few channels, review
// promotes, driven through the same rules the bot applies (a version in production cannot
// start as review; production never deploys a version a review release serves).
type Step =
  | { kind: 'production'; version: string }
  | { kind: 'review'; channel: string; version: string }
  | { kind: 'promote'; channel: string };

const version = fc.integer({ min: 0, max: 11 }).map((n) => `v${n}`);
const channel = fc.constantFrom('appstore', 'google', 'huawei');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('production' as const), version }),
  fc.record({ kind: fc.constant('review' as const), channel, version }),
  fc.record({ kind: fc.constant('promote' as const), channel }),
);

interface Planned {
  target: 'production' | 'review';
  version: string;
  pairs: UpdatePackagePair[];
  productionAfter: string[];
  reviewEver: string[];
}

function replay(steps: readonly Step[]): Planned[] {
  let production: string[] = [];
  const reviewEver: string[] = [];
  const active = new Map<string, string>();
  const planned: Planned[] = [];
  const append = (v: string) => { production = [...production.filter((p) => p !== v), v]; };
  for (const s of steps) {
    if (s.kind === 'production') {
      if ([...active.values()].includes(s.version) && !production.includes(s.version)) continue; // refused by §6.3
      const pairs = planUpdatePackages({ release: 'production', version: s.version }, { productionVersions: production, reviewVersions: reviewEver });
      append(s.version);
      planned.push({ target: 'production', version: s.version, pairs, productionAfter: [...production], reviewEver: [...reviewEver] });
    } else if (s.kind === 'review') {
      if (production.includes(s.version)) continue; // refused by §6.3
      const pairs = planUpdatePackages({ release: 'review', version: s.version }, { productionVersions: production, reviewVersions: reviewEver });
      active.set(s.channel, s.version);
      if (!reviewEver.includes(s.version)) reviewEver.push(s.version);
      planned.push({ target: 'review', version: s.version, pairs, productionAfter: [...production], reviewEver: [...reviewEver] });
    } else {
      const v = active.get(s.channel);
      if (v === undefined) continue;
      active.delete(s.channel);
      append(v);
    }
  }
  return planned;
}

describe('update package plan over random release histories', () => {
  const histories = fc.array(step, { minLength: 1, maxLength: 40 });

  it('never pairs a production version to a review version', () => {
    fc.assert(fc.property(histories, (steps) => {
      for (const p of replay(steps)) {
        const reviewOnly = new Set(p.reviewEver.filter((v) => !p.productionAfter.includes(v)));
        for (const pair of p.pairs) {
          expect(p.productionAfter.includes(pair.from) && reviewOnly.has(pair.to)).toBe(false);
          expect(p.productionAfter).toContain(pair.to);
        }
      }
    }), { numRuns: 500 });
  });

  it('gives every review version ever started a pair to the latest production version', () => {
    fc.assert(fc.property(histories, (steps) => {
      for (const p of replay(steps)) {
        const latest = p.productionAfter.at(-1);
        if (latest === undefined) continue;
        const from = new Set(p.pairs.filter((pair) => pair.to === latest).map((pair) => pair.from));
        const mustHave = p.target === 'production' ? p.reviewEver : [p.version];
        for (const v of mustHave) if (v !== latest) expect(from).toContain(v);
        if (p.target === 'production') {
          for (const v of p.productionAfter.slice(0, -1)) expect(from).toContain(v);
        }
      }
    }), { numRuns: 500 });
  });

  it('never repeats a pair and never pairs a version with itself', () => {
    fc.assert(fc.property(histories, (steps) => {
      for (const p of replay(steps)) {
        const keys = p.pairs.map((pair) => `${pair.from}→${pair.to}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const pair of p.pairs) expect(pair.from).not.toBe(pair.to);
      }
    }), { numRuns: 500 });
  });
});
