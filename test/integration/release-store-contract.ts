// The contract every ReleaseStore passes (ZooKeeper and the embedded file store): the
// layout's semantics (docs/reference/zookeeper-layout.md), the rules the store itself enforces (§6.2, §6.4), and no lost
// update under concurrency.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploybotError, RefusedError } from '../../src/core/errors.ts';
import type { RecordReleaseInput, ReleaseStore } from '../../src/store/release-store.ts';

export interface ContractSubject {
  store: ReleaseStore;
  close(): Promise<void>;
}

const commitOf = (seed: string) => (seed.repeat(40) + '0'.repeat(40)).slice(0, 40).replace(/[^0-9a-f]/g, 'a');
const AT = '2026-11-21T10:00:00.000Z';

const deployIds = new Map<string, string>();
/** A deploy id of the real pattern (stores refuse to read back any other), one per (release, version). */
export function deployIdOf(release: string, version: string): string {
  const key = `${release}\u0000${version}`;
  if (!deployIds.has(key)) deployIds.set(key, `d-20261121-${String(deployIds.size + 1).padStart(4, '0')}`);
  return deployIds.get(key)!;
}

export function input(project: string, market: string, release: string, version: string, extra: Partial<RecordReleaseInput> = {}): RecordReleaseInput {
  return { project, market, release, version, commit: commitOf(version.replace(/\W/g, '')), deployId: deployIdOf(release, version), by: 'U01ALICE', at: AT, servers: ['10.1.0.11', '10.1.0.12'], ...extra };
}

async function refusal(promise: Promise<unknown>): Promise<RefusedError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RefusedError);
  return error as RefusedError;
}

export function describeReleaseStoreContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`ReleaseStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: ReleaseStore;
    const market = 'brazil';
    const project = () => `p-${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.close();
    });

    it('when nothing was recorded, then the state is empty', async () => {
      const p = project();
      expect(await store.read(p, market)).toEqual({ project: p, market, releases: {} });
    });

    it('when a release is recorded with its release id and package sha256, then current reads them back, and a gray promote carries its own', async () => {
      const p = project();
      const releaseId = 'v1.3-20261121100000-aaaaaaa';
      const sha256 = 'e'.repeat(64);
      await store.recordRelease(input(p, market, 'production', 'v1.3', { releaseId, sha256 }));
      expect((await store.read(p, market)).releases.production!.current).toMatchObject({ version: 'v1.3', releaseId, sha256 });
      await store.recordRelease(input(p, market, 'gray', 'v1.4', { releaseId: 'v1.4-20261121110000-bbbbbbb', sha256: 'f'.repeat(64) }));
      const promotedId = 'v1.4-20261121120000-bbbbbbb';
      await store.promote({ project: p, market, release: 'gray', deployId: 'd-20261121-0900', by: 'U01BOB', at: AT, deployed: { servers: ['10.1.0.11'], releaseId: promotedId, sha256: 'd'.repeat(64) } });
      expect((await store.read(p, market)).releases.production!.current).toMatchObject({ version: 'v1.4', releaseId: promotedId, sha256: 'd'.repeat(64) });
      // a record without them (written by an older bot) reads back without them
      await store.recordRelease(input(p, market, 'production', 'v1.5'));
      const current = (await store.read(p, market)).releases.production!.current!;
      expect('releaseId' in current || 'sha256' in current).toBe(false);
    });

    it('when production is recorded, then versions are appended once each, newest last, and default_release is production', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'production', 'v1.2'));
      const record = await store.recordRelease(input(p, market, 'production', 'v1.3', { servers: ['10.1.0.11'] }));
      expect(record).toEqual({
        name: 'production',
        versions: ['v1.2', 'v1.3'],
        servers: ['10.1.0.11'],
        current: { version: 'v1.3', commit: commitOf('v13'), deployId: deployIdOf('production', 'v1.3'), at: AT, by: 'U01ALICE' },
        config: {},
      });
      await store.recordRelease(input(p, market, 'production', 'v1.3'));
      expect((await store.read(p, market)).releases.production!.versions).toEqual(['v1.2', 'v1.3']);
      await store.recordRelease(input(p, market, 'production', 'v1.2', { deployId: 'd-20261122-0001' }));
      const state = await store.read(p, market);
      expect(state.defaultRelease).toBe('production');
      expect(state.releases.production!.versions).toEqual(['v1.3', 'v1.2']);
      expect(state.releases.production!.current!.deployId).toBe('d-20261122-0001');
    });

    it('when a release carries config.zoo, then each key is a child read back as JSON, replaced by the next package', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'review-appstore', 'r1', { configZoo: { global_url: 'https://review.example/', sections: [{ id: 1, name: 'A' }], stale: true } }));
      expect((await store.read(p, market)).releases['review-appstore']!.config).toEqual({ global_url: 'https://review.example/', sections: [{ id: 1, name: 'A' }], stale: true });
      await store.recordRelease(input(p, market, 'review-appstore', 'r2', { configZoo: { global_url: 'https://review2.example/' } }));
      await store.recordRelease(input(p, market, 'review-appstore', 'r3'));
      const review = (await store.read(p, market)).releases['review-appstore']!;
      expect(review.versions).toEqual(['r3']);
      expect(review.config).toEqual({ global_url: 'https://review2.example/' });
    });

    it('when gray and review releases are recorded, then they serve exactly one version and never touch default_release', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'gray', 'v2.0'));
      await store.recordRelease(input(p, market, 'review-google', 'r1'));
      await store.recordRelease(input(p, market, 'review-google', 'r2'));
      const state = await store.read(p, market);
      expect(state.defaultRelease).toBeUndefined();
      expect(state.releases.gray!.versions).toEqual(['v2.0']);
      expect(state.releases['review-google']!.versions).toEqual(['r2']);
    });

    it('when a second gray is recorded by another deploy, then it is refused naming the active one; the same deploy may retry', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'gray', 'v2.0', { deployId: 'd-20261121-0001' }));
      const error = await refusal(store.recordRelease(input(p, market, 'gray', 'v2.1', { deployId: 'd-20261121-0002' })));
      expect(error.code).toBe('gray_already_active');
      expect(error.message).toContain('v2.0');
      expect(error.message).toContain('d-20261121-0001');
      await store.recordRelease(input(p, market, 'gray', 'v2.0', { deployId: 'd-20261121-0001' }));
      expect((await store.read(p, market)).releases.gray!.current!.version).toBe('v2.0');
    });

    it('when a review is promoted, then production (via default_release) gets its versions and the review is gone', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'production', 'v1'));
      await store.recordRelease(input(p, market, 'review-appstore', 'r1'));
      const result = await store.promote({ project: p, market, release: 'review-appstore', deployId: 'd-promote', by: 'U01BOB' });
      expect(result).toEqual({ production: 'production', promoted: ['r1'], versions: ['v1', 'r1'] });
      const state = await store.read(p, market);
      expect(Object.keys(state.releases)).toEqual(['production']);
      expect(state.releases.production!.versions).toEqual(['v1', 'r1']);
      expect(state.releases.production!.current!.deployId).toBe(deployIdOf('production', 'v1'));
    });

    it('when gray is promoted with its deploy to production, then production current becomes the gray build in the same write', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'production', 'v1'));
      await store.recordRelease(input(p, market, 'gray', 'v2', { servers: ['10.1.0.13'] }));
      await store.promote({ project: p, market, release: 'gray', deployId: 'd-20261122-0002', by: 'U01BOB', at: '2026-11-22T00:00:00.000Z', expectDeployId: deployIdOf('gray', 'v2'), deployed: { servers: ['10.1.0.11', '10.1.0.12', '10.1.0.13'], configZoo: { global_url: 'https://prod/' } } });
      const state = await store.read(p, market);
      expect(state.releases.gray).toBeUndefined();
      expect(state.releases.production).toEqual({
        name: 'production',
        versions: ['v1', 'v2'],
        servers: ['10.1.0.11', '10.1.0.12', '10.1.0.13'],
        current: { version: 'v2', commit: commitOf('v2'), deployId: 'd-20261122-0002', at: '2026-11-22T00:00:00.000Z', by: 'U01BOB' },
        config: { global_url: 'https://prod/' },
      });
    });

    it('when there is nothing to promote, no production, or the release changed, then promote is refused and nothing changes', async () => {
      const p = project();
      expect((await refusal(store.promote({ project: p, market, release: 'gray', deployId: 'd', by: 'U' }))).code).toBe('promote_no_release');
      await store.recordRelease(input(p, market, 'gray', 'v2'));
      expect((await refusal(store.promote({ project: p, market, release: 'gray', deployId: 'd', by: 'U' }))).code).toBe('promote_no_production');
      await store.recordRelease(input(p, market, 'production', 'v1'));
      const before = await store.read(p, market);
      expect((await refusal(store.promote({ project: p, market, release: 'gray', deployId: 'd', by: 'U', expectDeployId: 'd-other' }))).code).toBe('release_changed');
      expect(await store.read(p, market)).toEqual(before);
    });

    it('when the review release changed since the promote was approved (restarted, or other versions), then a guarded promote is refused and production keeps its versions', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'production', 'v1'));
      await store.recordRelease(input(p, market, 'review-appstore', 'v1.3'));
      const approved = { project: p, market, release: 'review-appstore', deployId: 'd-20261121-0999', by: 'slack:U01BOB', expectDeployId: deployIdOf('review-appstore', 'v1.3'), expectVersions: ['v1.3'] };
      // `review start … v1.4` while the card waited
      await store.recordRelease(input(p, market, 'review-appstore', 'v1.4'));
      const before = await store.read(p, market);
      const restarted = await refusal(store.promote(approved));
      expect(restarted.code).toBe('release_changed');
      expect(restarted.message).toContain(deployIdOf('review-appstore', 'v1.4'));
      expect(await store.read(p, market)).toEqual(before);
      // the same deploy id serving other versions (an edit behind deploybot's back)
      await store.recordRelease(input(p, market, 'review-appstore', 'v1.5', { deployId: deployIdOf('review-appstore', 'v1.3') }));
      const edited = await refusal(store.promote(approved));
      expect(edited.code).toBe('release_changed');
      expect(edited.message).toContain('now serves v1.5, not the approved v1.3');
      expect((await store.read(p, market)).releases.production!.versions).toEqual(['v1']);
      // and the release as approved promotes exactly the bound versions
      await store.recordRelease(input(p, market, 'review-appstore', 'v1.3'));
      expect(await store.promote(approved)).toEqual({ production: 'production', promoted: ['v1.3'], versions: ['v1', 'v1.3'] });
    });

    it('when a review start races a guarded promote, then production gets the approved version or nothing, never the new one', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'production', 'v1'));
      for (let round = 0; round < 8; round += 1) {
        const approvedVersion = `a${round}`;
        await store.recordRelease(input(p, market, 'review-race', approvedVersion));
        const [promoted] = await Promise.allSettled([
          store.promote({ project: p, market, release: 'review-race', deployId: `d-promote-${round}`, by: 'U01BOB', expectDeployId: `d-review-race-${approvedVersion}`, expectVersions: [approvedVersion] }),
          store.recordRelease(input(p, market, 'review-race', `b${round}`)),
        ]);
        const state = await store.read(p, market);
        expect(state.releases.production!.versions).not.toContain(`b${round}`);
        expect(state.releases.production!.versions.includes(approvedVersion)).toBe(promoted.status === 'fulfilled');
        if (promoted.status === 'rejected') expect((promoted.reason as DeploybotError).code).toBe('release_changed');
        await store.removeRelease({ project: p, market, release: 'review-race' });
      }
    });

    it('when a release is removed, then its whole subtree goes; production is never removed', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'production', 'v1'));
      await store.recordRelease(input(p, market, 'gray', 'v2', { configZoo: { sections: ['a'] } }));
      expect(await store.removeRelease({ project: p, market, release: 'gray', expectDeployId: deployIdOf('gray', 'v2') })).toEqual({ removed: true });
      expect(await store.removeRelease({ project: p, market, release: 'gray' })).toEqual({ removed: false });
      expect((await refusal(store.removeRelease({ project: p, market, release: 'production' }))).code).toBe('release_is_production');
      expect(Object.keys((await store.read(p, market)).releases)).toEqual(['production']);
    });

    it('when a release name is not production, gray or review-<channel>, then it is refused', async () => {
      expect((await refusal(store.recordRelease(input(project(), market, 'staging', 'v1')))).code).toBe('release_name_invalid');
    });

    it('when 20 review channels are promoted at once, then production holds each version exactly once', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'production', 'v1'));
      const channels = Array.from({ length: 20 }, (_, i) => `ch${i}`);
      for (const ch of channels) await store.recordRelease(input(p, market, `review-${ch}`, `r-${ch}`));
      const results = await Promise.all(channels.map((ch) => store.promote({ project: p, market, release: `review-${ch}`, deployId: `d-${ch}`, by: 'U' })));
      const state = await store.read(p, market);
      const versions = state.releases.production!.versions;
      expect(versions).toHaveLength(21);
      expect(new Set(versions).size).toBe(21);
      expect([...versions].sort()).toEqual(['v1', ...channels.map((ch) => `r-${ch}`)].sort());
      expect(Object.keys(state.releases)).toEqual(['production']);
      expect(results.every((r) => r.versions.includes(r.promoted[0]!))).toBe(true);
    });

    it('when a market has platforms, then production keeps a list per platform, a deploy naming some appends only to theirs, and versions is the union', async () => {
      const p = project();
      const all = ['aqq', 'awx', 'iqq', 'iwx'];
      await store.recordRelease(input(p, market, 'production', 'v1', { platforms: all }));
      const record = await store.recordRelease(input(p, market, 'production', 'v2', { platforms: ['aqq', 'awx'] }));
      expect(record.platforms).toEqual({ aqq: ['v1', 'v2'], awx: ['v1', 'v2'], iqq: ['v1'], iwx: ['v1'] });
      expect(record.versions).toEqual(['v1', 'v2']);
      await store.recordRelease(input(p, market, 'production', 'v1', { platforms: ['aqq'], deployId: 'd-20261122-0003' }));
      await store.recordRelease(input(p, market, 'gray', 'v3', { platforms: ['iqq'] }));
      await store.recordRelease(input(p, market, 'review-appstore', 'r1', { platforms: ['iqq', 'iwx'] }));
      await store.recordRelease(input(p, market, 'review-appstore', 'r2', { platforms: ['iqq', 'iwx'] }));
      const state = await store.read(p, market);
      expect(state.releases.production!.platforms).toEqual({ aqq: ['v2', 'v1'], awx: ['v1', 'v2'], iqq: ['v1'], iwx: ['v1'] });
      expect(state.releases.production!.versions).toEqual(['v2', 'v1']);
      expect(state.releases.gray!.platforms).toEqual({ iqq: ['v3'] });
      expect(state.releases['review-appstore']!.platforms).toEqual({ iqq: ['r2'], iwx: ['r2'] });
      expect(state.releases['review-appstore']!.versions).toEqual(['r2']);
    });

    it('when a review of channel appstore for platforms iqq, iwx is promoted, then only production iqq and iwx gain its versions and the union is updated', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'production', 'v1', { platforms: ['aqq', 'awx', 'iqq', 'iwx'] }));
      await store.recordRelease(input(p, market, 'review-appstore', 'r1', { platforms: ['iqq', 'iwx'] }));
      const result = await store.promote({ project: p, market, release: 'review-appstore', deployId: 'd-promote', by: 'U01BOB', expectVersions: ['r1'] });
      expect(result).toEqual({ production: 'production', promoted: ['r1'], versions: ['v1', 'r1'] });
      const state = await store.read(p, market);
      expect(Object.keys(state.releases)).toEqual(['production']);
      expect(state.releases.production!.platforms).toEqual({ aqq: ['v1'], awx: ['v1'], iqq: ['v1', 'r1'], iwx: ['v1', 'r1'] });
      expect(state.releases.production!.versions).toEqual(['v1', 'r1']);
    });

    it('when 20 reviews of different channels and platforms are promoted at once, then every platform list and the union hold each version exactly once', async () => {
      const p = project();
      const all = ['aqq', 'awx', 'iqq', 'iwx'];
      await store.recordRelease(input(p, market, 'production', 'v1', { platforms: all }));
      // channel i reviews one, two or three platforms, starting at a different one each time
      const reviews = Array.from({ length: 20 }, (_, i) => ({ channel: `pc${i}`, platforms: all.filter((_, k) => (k - i + 4) % 4 <= i % 3) }));
      for (const r of reviews) await store.recordRelease(input(p, market, `review-${r.channel}`, `r-${r.channel}`, { platforms: r.platforms }));
      await Promise.all(reviews.map((r) => store.promote({ project: p, market, release: `review-${r.channel}`, deployId: `d-${r.channel}`, by: 'U' })));
      const production = (await store.read(p, market)).releases.production!;
      expect([...production.versions].sort()).toEqual(['v1', ...reviews.map((r) => `r-${r.channel}`)].sort());
      for (const platform of all) {
        const expected = ['v1', ...reviews.filter((r) => r.platforms.includes(platform)).map((r) => `r-${r.channel}`)];
        expect([...production.platforms![platform]!].sort()).toEqual(expected.sort());
      }
      expect(Object.keys((await store.read(p, market)).releases)).toEqual(['production']);
    });

    it('when a market has no platforms, then no release carries per-platform lists', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'production', 'v1'));
      await store.recordRelease(input(p, market, 'review-appstore', 'r1'));
      await store.promote({ project: p, market, release: 'review-appstore', deployId: 'd-promote', by: 'U01BOB' });
      expect((await store.read(p, market)).releases.production!.platforms).toBeUndefined();
    });

    it('when several deploys record gray at once, then exactly one wins and the others are refused', async () => {
      const p = project();
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => store.recordRelease(input(p, market, 'gray', `v${i}`, { deployId: `d-20261123-000${i}` }))));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as DeploybotError).code).toBe('gray_already_active');
      const gray = (await store.read(p, market)).releases.gray!;
      expect(gray.current!.deployId).toBe((won[0] as PromiseFulfilledResult<{ current: { deployId: string } }>).value.current.deployId);
    });

    it('when production deploys and promotes race, then no version is lost', async () => {
      const p = project();
      await store.recordRelease(input(p, market, 'production', 'v0'));
      for (let i = 0; i < 5; i += 1) await store.recordRelease(input(p, market, `review-c${i}`, `r${i}`));
      await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => store.recordRelease(input(p, market, 'production', `v${i + 1}`))),
        ...Array.from({ length: 5 }, (_, i) => store.promote({ project: p, market, release: `review-c${i}`, deployId: `d-p${i}`, by: 'U' })),
      ]);
      const versions = (await store.read(p, market)).releases.production!.versions;
      expect([...versions].sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
    });
  });
}
