import { describe, expect, it } from 'vitest';
import { checkReleaseIndicator, releaseIndicatorJson } from '../../src/domain/release-indicator.ts';

describe('release indicator (SPEC §4 step one)', () => {
  it('when the package names the release being deployed, then it passes', () => {
    expect(checkReleaseIndicator(releaseIndicatorJson('gray'), 'gray')).toEqual({ ok: true, release: 'gray' });
    expect(JSON.parse(releaseIndicatorJson('production'))).toEqual({ name: 'production' });
  });

  it('when the package names another release, then it fails naming both', () => {
    const out = checkReleaseIndicator('{"name":"gray"}', 'production', 'mala-core-v1.3-abc1234.tar.gz');
    expect(out).toMatchObject({ ok: false, code: 'release_indicator_mismatch', found: 'gray' });
    expect(!out.ok && out.message).toContain('built for release gray, not production');
  });

  it('when the indicator is missing or malformed, then it fails', () => {
    expect(checkReleaseIndicator(undefined, 'production')).toMatchObject({ ok: false, code: 'release_indicator_missing' });
    expect(checkReleaseIndicator('not json', 'production')).toMatchObject({ ok: false, code: 'release_indicator_invalid' });
    expect(checkReleaseIndicator('{"release":"production"}', 'production')).toMatchObject({ ok: false, code: 'release_indicator_invalid' });
    expect(checkReleaseIndicator('["production"]', 'production')).toMatchObject({ ok: false, code: 'release_indicator_invalid' });
  });
});
