// Properties of recognising a promote that landed unanswered (src/domain/landed-promote.ts):
// the state a promote leaves is recognised, with the very result the promote returned; a
// state the promote has not reached yet is not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { landedPromote } from '../../src/domain/landed-promote.ts';
import type { MarketReleases, ReleaseRecord } from '../../src/domain/release-state.ts';
import { applyPromote } from '../../src/domain/release-transitions.ts';

const version = fc.integer({ min: 1, max: 9 }).map((n) => `v${n}`);
const versions = fc.uniqueArray(version, { maxLength: 5 });
const record = (name: string, served: string[]): ReleaseRecord => ({ name, versions: served, servers: ['10.0.0.1'], config: {} });
const REVIEW = 'review-appstore';

/** Production with some history, and a review release serving some versions. */
const states = fc.record({ production: versions, review: fc.uniqueArray(version, { minLength: 1, maxLength: 3 }) }).map(({ production, review }): MarketReleases => ({
  project: 'mala-core',
  market: 'brazil',
  defaultRelease: 'production',
  releases: { production: record('production', production), [REVIEW]: record(REVIEW, review) },
}));

describe('landedPromote (properties)', () => {
  it('for any state, when the approved promote landed, then it is recognised with the result the promote gave', () => {
    fc.assert(
      fc.property(states, (state) => {
        const approved = state.releases[REVIEW]!.versions;
        const promoted = applyPromote(state, { project: 'mala-core', market: 'brazil', release: REVIEW, deployId: 'd-20261201-0001', by: 'console:alice', at: '2026-12-01T10:00:00.000Z', expectVersions: approved });
        expect(promoted.ok).toBe(true);
        if (!promoted.ok) return;
        expect(landedPromote(promoted.value.state, REVIEW, approved)).toEqual(promoted.value.result);
      }),
    );
  });

  it('for any state, when the promote has not landed (the release is still there) or nothing was approved, then it is not recognised', () => {
    fc.assert(
      fc.property(states, (state) => {
        expect(landedPromote(state, REVIEW, state.releases[REVIEW]!.versions)).toBeUndefined();
        const { [REVIEW]: _gone, ...rest } = state.releases;
        expect(landedPromote({ ...state, releases: rest }, REVIEW, undefined)).toBeUndefined();
      }),
    );
  });

  it('for any state, when the release is gone but production lacks an approved version (removed by a cancel, not promoted), then it is not recognised', () => {
    fc.assert(
      fc.property(states, version, (state, missing) => {
        const { [REVIEW]: _gone, ...rest } = state.releases;
        const production = rest.production!;
        const withoutIt = { ...state, releases: { ...rest, production: { ...production, versions: production.versions.filter((v) => v !== missing) } } };
        expect(landedPromote(withoutIt, REVIEW, [missing])).toBeUndefined();
      }),
    );
  });
});
