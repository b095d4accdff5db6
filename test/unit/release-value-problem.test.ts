// The checks on values read back from the release store (docs/operations.md, "Corrupt release
// state"): whatever the bot itself records passes; anything that could be read as a git
// option, a path or a forged id does not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDeployId } from '../../src/domain/deploy-id.ts';
import { formatReleaseId } from '../../src/domain/release-id.ts';
import { isCommitSha, releaseNameProblem, releaseValueProblem, versionProblem } from '../../src/domain/release-value-problem.ts';

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const refChar = fc.constantFrom(...'abcXYZ0189._/-');
const version = fc.string({ unit: refChar, minLength: 1, maxLength: 40 }).filter((v) => !v.startsWith('-'));
const date = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true });
const current = fc.record({
  version,
  commit: hex(40),
  deployId: fc.tuple(date, fc.integer({ min: 1, max: 99_999 })).map(([at, n]) => formatDeployId(at, n)),
  at: date.map((d) => d.toISOString()),
  by: fc.string(),
});

describe('values read back from the release store', () => {
  it('when the bot records a current (any version in the ref charset, real ids), then it passes', () => {
    fc.assert(fc.property(current, (value) => releaseValueProblem('current', value) === undefined));
    fc.assert(fc.property(current, date, (value, at) => releaseValueProblem('current', { ...value, releaseId: formatReleaseId(value.version, at, value.commit), sha256: 'a'.repeat(64) }) === undefined));
    fc.assert(fc.property(fc.array(version), (versions) => releaseValueProblem('versions', versions) === undefined));
    fc.assert(fc.property(fc.array(fc.string()), (servers) => releaseValueProblem('servers', servers) === undefined));
  });

  it('when a commit is anything but 40 lowercase hex, then current names the commit', () => {
    fc.assert(fc.property(current, fc.string().filter((s) => !/^[0-9a-f]{40}$/.test(s)), (value, commit) => releaseValueProblem('current', { ...value, commit }) === 'commit is not 40 hex'));
    expect(releaseValueProblem('current', { version: 'v1', commit: '--output=/tmp/pwned', deployId: 'd-20261121-0001', at: '2026-11-21T10:00:00.000Z', by: 'U' })).toBe('commit is not 40 hex');
    expect(isCommitSha('A'.repeat(40))).toBe(false);
    expect(isCommitSha(42)).toBe(false);
  });

  it('when a version starts with "-" or leaves the ref charset, then it is refused', () => {
    fc.assert(fc.property(version, (v) => versionProblem(`-${v}`) !== undefined));
    fc.assert(fc.property(fc.string({ minLength: 1 }).filter((s) => /[^A-Za-z0-9._/-]/.test(s)), (v) => versionProblem(v) !== undefined));
    expect(versionProblem('')).toBeDefined();
    expect(versionProblem('v'.repeat(201))).toBeDefined();
    expect(releaseValueProblem('versions', ['v1', '--upload-pack'])).toBe('entry 1 starts with "-"');
    expect(releaseValueProblem('versions', ['v1', 'v 2'])).toMatch(/^entry 1 is not a version/);
    expect(releaseValueProblem('versions', 'v1')).toBe('is not a JSON array of versions');
  });

  it('when deployId, at, by, releaseId or sha256 are forged, then the field is named', () => {
    const good = { version: 'v1', commit: 'a'.repeat(40), deployId: 'd-20261121-0001', at: '2026-11-21T10:00:00.000Z', by: 'slack:U01' };
    expect(releaseValueProblem('current', { ...good, deployId: '$(touch x)' })).toMatch(/^deployId is not a deploy id/);
    expect(releaseValueProblem('current', { ...good, deployId: 'd-20261121-1' })).toMatch(/^deployId/);
    expect(releaseValueProblem('current', { ...good, at: 'yesterday' })).toMatch(/^at is not/);
    expect(releaseValueProblem('current', { ...good, at: '2026-11-21T10:00:00+02:00' })).toMatch(/^at is not/);
    expect(releaseValueProblem('current', { ...good, at: '2026-13-45T10:00:00.000Z' })).toMatch(/^at is not/);
    expect(releaseValueProblem('current', { ...good, by: 7 })).toBe('by is not a string');
    expect(releaseValueProblem('current', { ...good, releaseId: '../../etc-20261121100000-aaaaaaa' })).toMatch(/^releaseId/);
    expect(releaseValueProblem('current', { ...good, releaseId: 'v1-20261121100000-aaaaaaa' })).toBeUndefined();
    expect(releaseValueProblem('current', { ...good, sha256: 'nope' })).toBe('sha256 is not 64 hex');
    expect(releaseValueProblem('current', ['v1'])).toMatch(/^is not a JSON object/);
    expect(releaseValueProblem('current', null)).toMatch(/^is not a JSON object/);
  });

  it('when servers hold something other than strings, then the entry is named', () => {
    expect(releaseValueProblem('servers', ['10.0.0.1', { host: 'x' }])).toBe('entry 1 is not a string');
    expect(releaseValueProblem('servers', {})).toBe('is not a JSON array of host addresses');
  });

  it('when a release name or default_release is not a config name, then it is refused', () => {
    for (const name of ['production', 'gray', 'review-appstore']) expect(releaseNameProblem(name)).toBeUndefined();
    for (const name of ['', '-x', '../x', 'a b', '.hidden', 'x'.repeat(256), 5]) expect(releaseNameProblem(name)).toBeDefined();
  });
});
