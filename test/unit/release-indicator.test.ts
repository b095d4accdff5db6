import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indicatorMismatch, releaseIndicatorJson, releaseNamedBy } from '../../src/domain/release-indicator.ts';

const releaseName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/);

describe('release indicator: the one check the engine uses', () => {
  it('when a package is made for any release, then its indicator names that release and passes the check for it only', () => {
    fc.assert(fc.property(releaseName, releaseName, (built, deployed) => {
      const found = releaseNamedBy(releaseIndicatorJson(built));
      expect(found).toBe(built);
      expect(indicatorMismatch(found, deployed) === undefined).toBe(built === deployed);
    }));
  });

  it('when the indicator names another release, then the mismatch names it', () => {
    expect(indicatorMismatch('gray', 'production')).toBe('is a "gray" release');
    expect(releaseIndicatorJson('production')).toBe('{"name":"production"}');
  });

  it('when the indicator is missing or malformed, then no release is named and the check fails', () => {
    for (const text of [undefined, 'not json', 'null', '{"release":"production"}', '["production"]', '{"name":""}', '{"name":7}']) {
      expect(releaseNamedBy(text)).toBeUndefined();
      expect(indicatorMismatch(releaseNamedBy(text), 'production')).toBe('is missing its release indicator');
    }
  });
});
