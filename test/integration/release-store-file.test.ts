import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileReleaseStore } from '../../src/store/file-release-store.ts';
import { deployIdOf, describeReleaseStoreContract, input } from './release-store-contract.ts';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploybot-releases-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeReleaseStoreContract('embedded file store', async () => {
  const store = new FileReleaseStore({ dataDir: dataDir() });
  return { store, close: () => store.close() };
});

describe('embedded file store', () => {
  it('when a release is recorded, then the file mirrors the ZooKeeper layout', async () => {
    const dir = dataDir();
    const store = new FileReleaseStore({ dataDir: dir });
    await store.recordRelease(input('mala-core', 'dev', 'production', 'v1.2', { configZoo: { global_url: 'https://dev/' } }));
    const file = JSON.parse(readFileSync(join(dir, 'releases', 'mala-core', 'dev.json'), 'utf8'));
    expect(file).toEqual({
      default_release: 'production',
      releases: { production: { versions: ['v1.2'], servers: ['10.1.0.11', '10.1.0.12'], current: expect.objectContaining({ version: 'v1.2', deployId: deployIdOf('production', 'v1.2') }), global_url: 'https://dev/' } },
    });
  });

  it('when a market has platforms, then the file keeps platforms.<platform>.versions next to versions; a bad list there is refused naming it', async () => {
    const dir = dataDir();
    const store = new FileReleaseStore({ dataDir: dir });
    await store.recordRelease(input('mala-core', 'idn', 'production', 'v1.2', { platforms: ['aqq', 'iqq'] }));
    const path = join(dir, 'releases', 'mala-core', 'idn.json');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(file.releases.production.versions).toEqual(['v1.2']);
    expect(file.releases.production.platforms).toEqual({ aqq: { versions: ['v1.2'] }, iqq: { versions: ['v1.2'] } });
    file.releases.production.platforms.iqq.versions = 'v1.2';
    writeFileSync(path, JSON.stringify(file));
    await expect(store.read('mala-core', 'idn')).rejects.toMatchObject({ code: 'release_state_corrupt', message: expect.stringContaining('releases.production.platforms.iqq.versions') });
  });

  it('when two store instances (as two processes would) promote at once, then the lock file keeps every update', async () => {
    const dir = dataDir();
    const a = new FileReleaseStore({ dataDir: dir });
    const b = new FileReleaseStore({ dataDir: dir });
    await a.recordRelease(input('p', 'm', 'production', 'v0'));
    for (let i = 0; i < 10; i += 1) await a.recordRelease(input('p', 'm', `review-c${i}`, `r${i}`));
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).promote({ project: 'p', market: 'm', release: `review-c${i}`, deployId: `d${i}`, by: 'U' })));
    const versions = (await a.read('p', 'm')).releases.production!.versions;
    expect(versions).toHaveLength(11);
    expect(new Set(versions).size).toBe(11);
  });

  it('when a lock file was left by a process that is gone, then it is taken over', async () => {
    const dir = dataDir();
    const store = new FileReleaseStore({ dataDir: dir });
    await store.recordRelease(input('p', 'm', 'production', 'v0'));
    writeFileSync(join(dir, 'releases', 'p', 'm.json.lock'), '999999999\n');
    await store.recordRelease(input('p', 'm', 'production', 'v1'));
    expect((await store.read('p', 'm')).releases.production!.versions).toEqual(['v0', 'v1']);
  });

  it('when another live process holds the lock too long, then the write fails clearly and changes nothing', async () => {
    const dir = dataDir();
    const store = new FileReleaseStore({ dataDir: dir, lockTimeoutMs: 200 });
    await store.recordRelease(input('p', 'm', 'production', 'v0'));
    writeFileSync(join(dir, 'releases', 'p', 'm.json.lock'), `${process.pid}\n`);
    await expect(store.recordRelease(input('p', 'm', 'production', 'v1'))).rejects.toMatchObject({ code: 'release_store_busy' });
    expect((await store.read('p', 'm')).releases.production!.versions).toEqual(['v0']);
  });

  it('when a name could escape the data directory, then it is refused', () => {
    const store = new FileReleaseStore({ dataDir: dataDir() });
    expect(() => store.fileFor('../etc', 'm')).toThrow(/not a project or market name/);
  });
});
