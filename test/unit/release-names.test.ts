import { describe, expect, it } from 'vitest';
import { isReleaseName, releaseTypeOf, reviewChannelOf, reviewReleaseName } from '../../src/domain/release-names.ts';
import { appendVersions, latestProductionVersion } from '../../src/domain/release-state.ts';

describe('release names', () => {
  it('when a name is production, gray or review-<channel>, then its type is known', () => {
    expect(releaseTypeOf('production')).toBe('production');
    expect(releaseTypeOf('gray')).toBe('gray');
    expect(releaseTypeOf('review-appstore')).toBe('review');
    expect(releaseTypeOf('review-')).toBeUndefined();
    expect(releaseTypeOf('staging')).toBeUndefined();
    expect(isReleaseName('review-google.play')).toBe(true);
  });

  it('when a review channel is turned into a release name and back, then it round-trips', () => {
    expect(reviewReleaseName('appstore')).toBe('review-appstore');
    expect(reviewChannelOf('review-appstore')).toBe('appstore');
    expect(reviewChannelOf('gray')).toBeUndefined();
    expect(() => reviewReleaseName('../x')).toThrow(/invalid review channel/);
  });
});

describe('production history', () => {
  it('when versions are appended, then none is duplicated and the newest is last', () => {
    expect(appendVersions(['v1', 'v2'], ['v3'])).toEqual(['v1', 'v2', 'v3']);
    expect(appendVersions(['v1', 'v2'], ['v2'])).toEqual(['v1', 'v2']);
    expect(appendVersions(['v1', 'v2', 'v3'], ['v1'])).toEqual(['v2', 'v3', 'v1']);
    expect(latestProductionVersion({ project: 'p', market: 'm', defaultRelease: 'production', releases: { production: { name: 'production', versions: ['v1', 'v2'], servers: [], config: {} } } })).toBe('v2');
    expect(latestProductionVersion({ project: 'p', market: 'm', releases: {} })).toBeUndefined();
  });
});
