import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareReleaseIds, formatReleaseId, formatUtcStamp, packageFileName, parseReleaseId, safeVersion } from '../../src/domain/release-id.ts';

const sha = '0123456789abcdef0123456789abcdef01234567';

describe('release ids', () => {
  it('when formatted, then they read <version>-<yyyymmddHHMMSS UTC>-<sha7>', () => {
    expect(formatReleaseId('v1.3', new Date('2026-11-21T09:30:05Z'), sha)).toBe('v1.3-20261121093005-0123456');
  });

  it('when the time has an offset, then the stamp is still UTC', () => {
    expect(formatUtcStamp(new Date('2026-01-01T01:00:00+02:00'))).toBe('20251231230000');
  });

  it('when a version has a slash, then it becomes an underscore', () => {
    expect(formatReleaseId('feature/x', new Date('2026-11-21T09:30:05Z'), sha)).toBe('feature_x-20261121093005-0123456');
    expect(safeVersion('-rf')).toBe('_rf');
    expect(safeVersion('..')).toBe('_.');
    expect(packageFileName('mala-core', 'feature/x', sha)).toBe('mala-core-feature_x-0123456.tar.gz');
  });

  it('when any version is formatted, then the id is one safe path segment that parses back', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (version, at) => {
        const id = formatReleaseId(version, at, sha);
        expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
        expect(id).not.toBe('.');
        expect(id).not.toBe('..');
        expect(parseReleaseId(id)).toEqual({ version: safeVersion(version), stamp: formatUtcStamp(at), sha7: '0123456' });
      }),
    );
  });

  it('when ids are compared, then the older timestamp sorts first whatever the version', () => {
    const ids = ['v9-20260102000000-aaaaaaa', 'v10-20260101000000-bbbbbbb', 'a-20260103000000-ccccccc'];
    expect([...ids].sort(compareReleaseIds)).toEqual(['v10-20260101000000-bbbbbbb', 'v9-20260102000000-aaaaaaa', 'a-20260103000000-ccccccc']);
  });

  it('when a name is not a release id, then it does not parse', () => {
    for (const name of ['shared', '.incoming', 'packages', 'v1-2026-abc', 'v1-20260101000000-ABCDEFG']) expect(parseReleaseId(name)).toBeUndefined();
  });
});
