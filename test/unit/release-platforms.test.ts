// The per-platform rules (docs/platforms.md) as properties: which platforms a command applies
// to, the per-platform lists the store transitions keep (the union in `versions`), update
// packages planned on each platform's lists, and size anomalies judged within a platform.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { releasePlatforms } from '../../src/domain/release-platforms.ts';
import type { MarketReleases } from '../../src/domain/release-state.ts';
import { applyPromote, applyRecordRelease, type RecordReleaseRequest } from '../../src/domain/release-transitions.ts';
import { sizeSpanReport } from '../../src/domain/size-span-report.ts';
import { planPlatformUpdatePackages, planUpdatePackages } from '../../src/domain/update-package-plan.ts';

const ALL = ['aqq', 'awx', 'iqq', 'iwx'];
const subset = fc.subarray(ALL, { minLength: 1 });
const COMMIT = 'a'.repeat(40);
const AT = '2026-12-01T10:00:00.000Z';

function record(state: MarketReleases, release: string, version: string, platforms: readonly string[] | undefined, n: number): MarketReleases {
  const request: RecordReleaseRequest = { project: 'p', market: 'm', release, version, commit: COMMIT, deployId: `d-20261201-${String(n).padStart(4, '0')}`, by: 'U', at: AT, servers: ['10.0.0.1'], ...(platforms ? { platforms } : {}) };
  const outcome = applyRecordRelease(state, request);
  if (!outcome.ok) throw new Error(outcome.refusal.message);
  return outcome.value;
}

describe('releasePlatforms', () => {
  it('for any market platforms, location platforms and named ones, then the result is named ∩ market, else location ∩ market, else all, in the market\'s order', () => {
    fc.assert(fc.property(fc.option(subset, { nil: undefined }), fc.option(subset, { nil: undefined }), (location, named) => {
      const result = releasePlatforms({ market: ALL, ...(location ? { location } : {}), ...(named ? { named } : {}) });
      const chosen = named ?? location ?? ALL;
      expect(result).toEqual(ALL.filter((p) => chosen.includes(p)));
    }));
    expect(releasePlatforms({ named: ['aqq'] })).toBeUndefined();
  });
});

describe('per-platform release lists (properties)', () => {
  const step = fc.oneof(
    fc.record({ kind: fc.constant('deploy' as const), version: fc.integer({ min: 1, max: 8 }).map((n) => `v${n}`), platforms: subset }),
    fc.record({ kind: fc.constant('review' as const), channel: fc.constantFrom('appstore', 'google'), version: fc.integer({ min: 1, max: 8 }).map((n) => `r${n}`), platforms: subset }),
    fc.record({ kind: fc.constant('promote' as const), channel: fc.constantFrom('appstore', 'google'), scoped: fc.option(subset, { nil: undefined }) }),
  );

  it('for any sequence of deploys, reviews and promotes, then production\'s versions are exactly the union of its platform lists, each without duplicates', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
      let state = record({ project: 'p', market: 'm', releases: {} }, 'production', 'v0', ALL, 0);
      steps.forEach((s, i) => {
        if (s.kind === 'deploy') state = record(state, 'production', s.version, s.platforms, i + 1);
        else if (s.kind === 'review') {
          if (!state.releases.production!.versions.includes(s.version)) state = record(state, `review-${s.channel}`, s.version, s.platforms, i + 1);
        } else {
          const review = state.releases[`review-${s.channel}`];
          const before = structuredClone(state.releases.production!.platforms!);
          const outcome = applyPromote(state, { project: 'p', market: 'm', release: `review-${s.channel}`, deployId: `d-20261201-9${String(i).padStart(3, '0')}`, by: 'U', at: AT, ...(s.scoped ? { platforms: s.scoped } : {}) });
          if (!review) return expect(outcome.ok).toBe(false);
          if (!outcome.ok) throw new Error(outcome.refusal.message);
          state = outcome.value.state;
          const reached = s.scoped ?? Object.keys(review.platforms!);
          for (const platform of ALL) {
            const after = state.releases.production!.platforms![platform] ?? [];
            if (reached.includes(platform)) for (const v of review.versions) expect(after).toContain(v);
            else expect(after).toEqual(before[platform] ?? []);
          }
        }
      });
      const production = state.releases.production!;
      const union = new Set(Object.values(production.platforms!).flat());
      expect(new Set(production.versions)).toEqual(union);
      expect(new Set(production.versions).size).toBe(production.versions.length);
      for (const list of Object.values(production.platforms!)) expect(new Set(list).size).toBe(list.length);
    }));
  });

  it('when a market has no platforms, then no record carries per-platform lists', () => {
    const state = record(record({ project: 'p', market: 'm', releases: {} }, 'production', 'v1', undefined, 1), 'production', 'v2', undefined, 2);
    expect(state.releases.production).not.toHaveProperty('platforms');
  });
});

describe('update packages per platform', () => {
  const versions = fc.uniqueArray(fc.integer({ min: 1, max: 9 }).map((n) => `v${n}`), { maxLength: 5 });

  it('for any per-platform histories, then each platform gets exactly the pairs §6.6 plans on its own lists, tagged with it', () => {
    fc.assert(fc.property(fc.constantFrom('production' as const, 'review' as const), fc.array(fc.record({ platform: fc.constantFrom(...ALL), productionVersions: versions, reviewVersions: versions }), { maxLength: 4 }), (release, histories) => {
      const target = { release, version: 'v10' };
      const pairs = planPlatformUpdatePackages(target, histories);
      expect(pairs).toEqual(histories.flatMap((h) => planUpdatePackages(target, h).map((pair) => ({ ...pair, platform: h.platform }))));
    }));
  });
});

describe('size spans per platform', () => {
  const KB = 1000;

  it('when platforms have different usual sizes, then each row is judged against its own platform and the rows group by platform', () => {
    const report = sizeSpanReport({
      project: 'p',
      market: 'idn',
      spans: [{ platform: 'iwx', from: 'v1', to: 'v2', size: 40 * KB }, { platform: 'aqq', from: 'v1', to: 'v2', size: 3 * KB }, { platform: 'iwx', from: 'v0', to: 'v2', size: 90 * KB }],
      recentSizes: [KB, KB, KB, 40 * KB],
      recentSizesByPlatform: { aqq: [KB, KB], iwx: [40 * KB] },
    });
    expect(report.rows.map((r) => [r.platform, r.from, r.flags])).toEqual([['iwx', 'v1', []], ['iwx', 'v0', ['above_usual']], ['aqq', 'v1', ['above_usual']]]);
    expect(report.rows[0]!.line).toBe('iwx: v1 → v2 : 40.0 kB');
    expect(report.usualSizeByPlatform).toEqual({ aqq: KB, iwx: 40 * KB });
    expect(report.usualSize).toBeUndefined();
    expect(report.anomalies).toBe(2);
  });

  it('when spans carry no platform, then the report is as before (one usual size)', () => {
    const report = sizeSpanReport({ project: 'p', market: 'm', spans: [{ from: 'v1', to: 'v2', size: 3 * KB }], recentSizes: [KB] });
    expect(report.rows[0]!.line).toBe('v1 → v2 : 3.0 kB  ⚠ 3.0× the usual 1.0 kB');
    expect(report.usualSize).toBe(KB);
    expect(report).not.toHaveProperty('usualSizeByPlatform');
  });
});
