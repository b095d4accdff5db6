import { describe, expect, it } from 'vitest';
import type { MarketReleases } from '../../src/domain/release-state.ts';
import { parseReleaseId } from '../../src/domain/release-id.ts';
import { releaseStatus } from '../../src/domain/release-status.ts';
import { renderStatus } from '../../src/app/render-answers.ts';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';

const prodCommit = '1234567'.padEnd(40, '0');
const grayCommit = 'abcdef1'.padEnd(40, '0');
const state: MarketReleases = {
  project: 'mala-core',
  market: 'brazil',
  defaultRelease: 'production',
  releases: {
    'review-appstore': { name: 'review-appstore', versions: ['r1'], servers: ['10.1.9.11'], current: { version: 'r1', commit: grayCommit, deployId: 'd-3', at: '2026-11-21T09:00:00.000Z', by: 'U3' }, config: {} },
    gray: { name: 'gray', versions: ['v1.3'], servers: ['10.1.0.13'], current: { version: 'v1.3', commit: grayCommit, deployId: 'd-2', at: '2026-11-21T08:00:00.000Z', by: 'U2' }, config: {} },
    production: { name: 'production', versions: ['v1.1', 'v1.2'], servers: ['10.1.0.11', '10.1.0.12'], current: { version: 'v1.2', commit: prodCommit, deployId: 'd-1', at: '2026-11-21T07:00:00.000Z', by: 'U1' }, config: { global_url: 'https://x' } },
  },
};
const locations = [
  { name: 'main', role: 'production' as const, hosts: ['br-1', 'br-2', 'br-gray'], grayHosts: ['br-gray'] },
  { name: 'appstore', role: 'review' as const, hosts: ['br-rev'], grayHosts: [] },
  { name: 'google', role: 'review' as const, hosts: ['br-rev-g'], grayHosts: [] },
];

describe('release status (docs/reference/command-grammar.md status)', () => {
  it('when releases are listed, then production comes first with version, commit, when and by whom', () => {
    const status = releaseStatus({ state, locations, readings: [] });
    expect(status.releases.map((r) => r.release)).toEqual(['production', 'gray', 'review-appstore']);
    expect(status.releases[0]).toMatchObject({ isDefault: true, current: { version: 'v1.2', commit: prodCommit, at: '2026-11-21T07:00:00.000Z', by: 'U1' } });
  });

  it('when every host serves its expected release, then nothing drifts', () => {
    const status = releaseStatus({ state, locations, readings: [
      { host: 'br-1', releaseId: 'v1.2-20261121070000-1234567', indicator: 'production' },
      { host: 'br-2', releaseId: 'v1.2-20261121070000-1234567' },
      { host: 'br-gray', releaseId: 'v1.3-20261121080000-abcdef1', indicator: 'gray' },
      { host: 'br-rev', releaseId: 'r1-20261121090000-abcdef1', indicator: 'review-appstore' },
      { host: 'br-rev-g' },
    ] });
    expect(status.drifted).toBe(0);
    expect(status.hosts.map((h) => [h.host, h.expectedRelease])).toEqual([['br-1', 'production'], ['br-2', 'production'], ['br-gray', 'gray'], ['br-rev', 'review-appstore'], ['br-rev-g', undefined]]);
  });

  it('when hosts are on the wrong version, the wrong release, none, or unreachable, then each is flagged', () => {
    const status = releaseStatus({ state, locations: [locations[0]!], readings: [
      { host: 'br-1', releaseId: 'v1.1-20261120070000-7654321' },
      { host: 'br-2', error: 'connect ETIMEDOUT' },
      { host: 'br-gray', releaseId: 'v1.3-20261121080000-abcdef1', indicator: 'production' },
    ] });
    expect(status.hosts.map((h) => h.drift)).toEqual(['wrong_version', 'unreachable', 'wrong_release']);
    expect(status.hosts[0]!.message).toBe('br-1: v1.1-20261120070000-7654321 online, expected production v1.2 (1234567)');
    expect(status.drifted).toBe(3);
    const none = releaseStatus({ state, locations: [locations[0]!], readings: [{ host: 'br-1' }] });
    expect(none.hosts.map((h) => h.drift)).toEqual(['no_release', 'unreachable', 'unreachable']);
  });

  it('when the version had characters replaced in the release id (feature/x → feature_x), then it still matches', () => {
    const branch: MarketReleases = { ...state, releases: { production: { ...state.releases.production!, current: { ...state.releases.production!.current!, version: 'feature/x' } } } };
    const status = releaseStatus({ state: branch, locations: [{ name: 'main', role: 'production', hosts: ['br-1'], grayHosts: [] }], readings: [{ host: 'br-1', releaseId: 'feature_x-20261121070000-1234567' }] });
    expect(status.drifted).toBe(0);
  });

  it('when a release id is parsed, then version, UTC timestamp and short sha come apart', () => {
    expect(parseReleaseId('v1.3-rc1-20261121080000-abcdef1')).toEqual({ version: 'v1.3-rc1', stamp: '20261121080000', sha7: 'abcdef1' });
    expect(parseReleaseId('garbage')).toBeUndefined();
  });
});

describe('status text', () => {
  it('when a market was never deployed, then its empty hosts are not drifted and the answer says so', () => {
    const empty: MarketReleases = { ...state, releases: {} };
    delete (empty as { defaultRelease?: string }).defaultRelease;
    const status = releaseStatus({ state: empty, locations: [{ name: 'main', role: 'production', hosts: ['br-1', 'br-2'], grayHosts: [] }], readings: [{ host: 'br-1' }, { host: 'br-2' }] });
    expect(status.drifted).toBe(0);
    const text = renderStatus(status);
    expect(text).toContain('hosts serve (never deployed here):');
    expect(text).toContain('◻️ br-1 (main): no release');
    expect(text).toContain('releases: none recorded yet');
    expect(text).not.toMatch(/drifted|⚠️/);
  });

  it('when hosts serve releases, then they come first, and each release says which client versions it accepts; unfinished deploys are listed', () => {
    const status = releaseStatus({ state, locations: [{ name: 'main', role: 'production', hosts: ['br-1'], grayHosts: [] }], readings: [{ host: 'br-1', releaseId: 'v1.2-20261121070000-1234567' }] });
    const pending = [{ id: 'd-20261201-0004', verb: 'deploy', version: 'v1.4', release: 'production', requestedBy: 'console:bob', state: 'awaiting-approval' }] as unknown as DeployRecord[];
    const lines = renderStatus(status, [], {}, pending).split('\n');
    expect(lines.indexOf('hosts serve:')).toBeLessThan(lines.indexOf('releases (as recorded):'));
    expect(lines).toContain('✅ br-1 (main): v1.2-20261121070000-1234567');
    expect(lines.find((l) => l.startsWith('  client versions production accepts: '))).toBe(`  client versions production accepts: ${state.releases.production!.versions.join(', ')}`);
    expect(lines.slice(-2)).toEqual(['pending:', '  d-20261201-0004 deploy v1.4 (production) by console:bob: awaiting-approval']);
  });
});
