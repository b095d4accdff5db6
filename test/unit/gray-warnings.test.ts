import { describe, expect, it } from 'vitest';
import { grayAgeWarning, grayDriftWarnings, grayWarnings, productionDeployDuringGrayWarning, refusalWarning } from '../../src/domain/gray-warnings.ts';
import { checkGrayStart } from '../../src/domain/release-rules.ts';
import type { MarketReleases } from '../../src/domain/release-state.ts';
import { releaseStatus } from '../../src/domain/release-status.ts';

const commit = 'b'.repeat(40);
function withGray(at = '2026-11-20T10:00:00.000Z'): MarketReleases {
  return {
    project: 'mala-core',
    market: 'brazil',
    defaultRelease: 'production',
    releases: {
      production: { name: 'production', versions: ['v1.2'], servers: ['10.1.0.11'], current: { version: 'v1.2', commit: 'a'.repeat(40), deployId: 'd-20261119-0001', at: '2026-11-19T10:00:00.000Z', by: 'U1' }, config: {} },
      gray: { name: 'gray', versions: ['v1.3'], servers: ['10.1.0.13'], current: { version: 'v1.3', commit, deployId: 'd-20261120-0002', at, by: 'U2' }, config: {} },
    },
  };
}
const HOUR = 3_600_000;

describe('gray-test warnings (docs/reference/messages.md)', () => {
  it('when gray is older than the configured age, then a warning names its version, deploy and age', () => {
    const state = withGray('2026-11-20T10:00:00.000Z');
    const warning = grayAgeWarning({ state, now: new Date('2026-11-21T12:00:00Z'), maxAgeMs: 24 * HOUR });
    expect(warning).toMatchObject({ kind: 'gray_too_old', release: 'gray', details: { version: 'v1.3', deployId: 'd-20261120-0002', ageMs: 26 * HOUR } });
    expect(warning!.message).toContain('running for 26 h, longer than 24 h');
    expect(grayAgeWarning({ state, now: new Date('2026-11-20T12:00:00Z'), maxAgeMs: 24 * HOUR })).toBeUndefined();
  });

  it('when a gray host does not serve the gray version, then it is a drift warning', () => {
    const state = withGray();
    const location = { name: 'main', role: 'production' as const, hosts: ['br-1', 'br-gray'], grayHosts: ['br-gray'] };
    const status = releaseStatus({ state, locations: [location], readings: [
      { host: 'br-1', releaseId: `v1.2-20261119100000-${'a'.repeat(7)}` },
      { host: 'br-gray', releaseId: `v1.2-20261119100000-${'a'.repeat(7)}` },
    ] });
    const warnings = grayDriftWarnings({ state, hosts: status.hosts });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'gray_host_drift', details: { host: 'br-gray', drift: 'wrong_version' } });
    expect(grayWarnings({ state, now: new Date('2026-11-20T11:00:00Z'), maxAgeMs: 24 * HOUR, hosts: status.hosts }).map((w) => w.kind)).toEqual(['gray_host_drift']);
  });

  it('when production deploys while gray is active, then it is said out loud', () => {
    const warning = productionDeployDuringGrayWarning({ state: withGray(), version: 'v1.2.1', deployId: 'd-20261121-0004' });
    expect(warning).toMatchObject({ kind: 'production_deploy_during_gray', details: { grayVersion: 'v1.3', grayDeployId: 'd-20261120-0002' } });
    const noGray = withGray();
    delete noGray.releases.gray;
    expect(productionDeployDuringGrayWarning({ state: noGray, version: 'v1.2.1', deployId: 'd-1' })).toBeUndefined();
  });

  it('when a rule refuses something, then the refusal is also a warning', () => {
    const out = checkGrayStart({ project: 'mala-core', market: 'brazil', state: withGray(), location: { name: 'main', hosts: ['br-1', 'br-gray'], grayHosts: ['br-gray'] }, version: 'v1.4' });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(refusalWarning(out.refusal)).toMatchObject({ kind: 'rule_refused', release: 'gray', details: { rule: 'one-gray', code: 'gray_already_active', activeVersion: 'v1.3' } });
  });
});
