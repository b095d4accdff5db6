import { describe, expect, it } from 'vitest';
import {
  checkGrayStart,
  checkProductionDeploy,
  checkReviewStart,
  planGrayCancel,
  planPromote,
} from '../../src/domain/release-rules.ts';
import type { MarketReleases, ReleaseRecord } from '../../src/domain/release-state.ts';

const sha = (c: string) => c.repeat(40);
function release(name: string, versions: string[], deployId = `d-20261121-00${versions.length}1`): ReleaseRecord {
  const version = versions.at(-1) ?? 'v0';
  return {
    name,
    versions,
    servers: ['10.1.0.11'],
    current: { version, commit: sha('a'), deployId, at: '2026-11-21T10:00:00.000Z', by: 'U01ALICE' },
    config: {},
  };
}
function state(...releases: ReleaseRecord[]): MarketReleases {
  const s: MarketReleases = { project: 'mala-core', market: 'brazil', releases: {} };
  for (const r of releases) s.releases[r.name] = r;
  if (s.releases.production) s.defaultRelease = 'production';
  return s;
}
const main = { name: 'main', hosts: ['br-1', 'br-2', 'br-gray'], grayHosts: ['br-gray'] };
const scope = { project: 'mala-core', market: 'brazil' };

describe('gray start (§6.1, §6.2)', () => {
  it('when no gray is active, then it targets every gray host', () => {
    const out = checkGrayStart({ ...scope, state: state(release('production', ['v1.2'])), location: main, version: 'v1.3' });
    expect(out).toEqual({ ok: true, value: { hosts: ['br-gray'] } });
  });

  it('when a named host is not a gray host, then it is refused naming that host', () => {
    const out = checkGrayStart({ ...scope, state: state(), location: main, version: 'v1.3', hosts: ['br-gray', 'br-1'] });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.refusal).toMatchObject({ rule: 'gray-hosts-only', code: 'gray_not_gray_host', details: { hosts: ['br-1'] } });
    expect(out.refusal.message).toContain('br-1 is not a gray host');
  });

  it('when the location has no gray hosts, then it is refused as not a gray cluster', () => {
    const out = checkGrayStart({ ...scope, state: state(), location: { ...main, grayHosts: [] }, version: 'v1.3' });
    expect(out.ok || out.refusal.code).toBe('gray_no_gray_hosts');
  });

  it('when a gray is active, then a second is refused naming the active version and deploy id', () => {
    const out = checkGrayStart({ ...scope, state: state(release('production', ['v1.2']), release('gray', ['v1.3'], 'd-20261121-0007')), location: main, version: 'v1.4' });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.refusal).toMatchObject({ rule: 'one-gray', code: 'gray_already_active', details: { activeVersion: 'v1.3', activeDeployId: 'd-20261121-0007' } });
    expect(out.refusal.message).toContain('v1.3');
    expect(out.refusal.message).toContain('d-20261121-0007');
  });

  it('when the version is what a review release serves, then gray (the way to production) is refused', () => {
    const out = checkGrayStart({ ...scope, state: state(release('production', ['v1.2']), release('review-appstore', ['v1.3-rev'])), location: main, version: 'v1.3-rev' });
    expect(out.ok || out.refusal.code).toBe('review_version_to_production');
  });
});

describe('review start and production deploys (§6.3)', () => {
  it('when the version is already in production, then review start is refused', () => {
    const out = checkReviewStart({ ...scope, state: state(release('production', ['v1.2', 'v1.3'])), channel: 'appstore', version: 'v1.2' });
    expect(out.ok || out.refusal).toMatchObject({ rule: 'review-not-production-version', release: 'review-appstore' });
  });

  it('when the version is new, then review start passes with the release name', () => {
    const out = checkReviewStart({ ...scope, state: state(release('production', ['v1.2'])), channel: 'appstore', version: 'v1.3' });
    expect(out).toEqual({ ok: true, value: { release: 'review-appstore' } });
  });

  it('when production would move to a version only a review release serves, then the deploy is refused', () => {
    const s = state(release('production', ['v1.2']), release('review-appstore', ['v1.3']));
    const out = checkProductionDeploy({ ...scope, state: s, version: 'v1.3' });
    expect(out.ok || out.refusal).toMatchObject({ rule: 'production-not-review-version', details: { reviewRelease: 'review-appstore' } });
    expect(checkProductionDeploy({ ...scope, state: s, version: 'v1.4' }).ok).toBe(true);
  });
});

describe('promote (§6.4)', () => {
  it('when a review release is promoted, then its versions are appended to production found through default_release', () => {
    const s = state(release('production', ['v1.1', 'v1.2']), release('review-appstore', ['v1.3']));
    const out = planPromote({ ...scope, state: s, release: 'review-appstore' });
    expect(out.ok && out.value).toMatchObject({ production: 'production', promoted: ['v1.3'], versions: ['v1.1', 'v1.2', 'v1.3'] });
  });

  it('when the promoted version is already in production, then it is not duplicated but becomes the latest', () => {
    const s = state(release('production', ['v1.1', 'v1.2']), release('gray', ['v1.1']));
    const out = planPromote({ ...scope, state: s, release: 'gray' });
    expect(out.ok && out.value.versions).toEqual(['v1.2', 'v1.1']);
  });

  it('when default_release names another release, then that one is appended to', () => {
    const prod = { ...release('production', ['v1.1']), name: 'prod-2' };
    const s = state(prod, release('gray', ['v1.2']));
    s.defaultRelease = 'prod-2';
    const out = planPromote({ ...scope, state: s, release: 'gray' });
    expect(out.ok && out.value).toMatchObject({ production: 'prod-2', versions: ['v1.1', 'v1.2'] });
  });

  it('when there is nothing to promote or no production, then it is refused', () => {
    expect(planPromote({ ...scope, state: state(release('production', ['v1'])), release: 'gray' })).toMatchObject({ ok: false, refusal: { code: 'promote_no_release' } });
    expect(planPromote({ ...scope, state: state(release('production', ['v1'])), release: 'production' })).toMatchObject({ ok: false, refusal: { code: 'promote_no_release' } });
    expect(planPromote({ ...scope, state: state(release('gray', ['v1'])), release: 'gray' })).toMatchObject({ ok: false, refusal: { code: 'promote_no_production' } });
  });
});

describe('gray cancel (§6.5)', () => {
  it('when gray is cancelled, then its hosts go back to production current before gray is removed', () => {
    const s = state(release('production', ['v1.2']), { ...release('gray', ['v1.3']), servers: ['10.1.0.13'] });
    const out = planGrayCancel({ ...scope, state: s });
    expect(out).toEqual({ ok: true, value: { grayServers: ['10.1.0.13'], target: s.releases.production!.current, remove: 'gray' } });
  });

  it('when production has no current record, then cancel is refused (no valid target for clients)', () => {
    const s = state(release('gray', ['v1.3']));
    expect(planGrayCancel({ ...scope, state: s })).toMatchObject({ ok: false, refusal: { code: 'gray_cancel_no_production' } });
    expect(planGrayCancel({ ...scope, state: state() })).toMatchObject({ ok: false, refusal: { code: 'gray_not_active' } });
  });
});
