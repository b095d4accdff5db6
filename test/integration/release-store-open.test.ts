import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { openReleaseStore } from '../../src/store/open-release-store.ts';
import { serverAddresses } from '../../src/store/server-addresses.ts';
import { input } from './release-store-contract.ts';
import { type SharedZooKeeper, sharedZooKeeper, uniqueRoot } from './release-store-zookeeper-server.ts';

let zk: SharedZooKeeper;
let dataDir: string;
beforeAll(async () => {
  zk = await sharedZooKeeper();
  dataDir = mkdtempSync(join(tmpdir(), 'deploybot-open-store-'));
});
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await zk?.release();
});

const location = { main: { role: 'production' as const, hosts: ['h'], grayHosts: [] } };
function markets(connect: string, root: string): Pick<Config, 'markets'> {
  return {
    markets: {
      dev: { approval: 'none', requiresPassIn: [], zookeeper: { connect, root, sessionTimeout: 10_000 }, locations: location },
      brazil: { approval: 'none', requiresPassIn: [], zookeeper: { connect, root, sessionTimeout: 10_000 }, locations: location },
      idn: { approval: 'none', requiresPassIn: [], locations: location },
    },
  };
}

describe('openReleaseStore', () => {
  it('when a market has zookeeper, then its state goes there; a market without it uses the embedded store', async () => {
    const store = openReleaseStore(markets(zk.connect, uniqueRoot()), { dataDir });
    try {
      expect([store.backendOf('dev'), store.backendOf('brazil'), store.backendOf('idn')]).toEqual(['zookeeper', 'zookeeper', 'embedded']);
      await store.recordRelease(input('mala-core', 'dev', 'production', 'v1'));
      await store.recordRelease(input('mala-core', 'idn', 'production', 'v9'));
      expect((await store.read('mala-core', 'dev')).releases.production!.versions).toEqual(['v1']);
      expect((await store.read('mala-core', 'brazil')).releases).toEqual({});
      expect((await store.read('mala-core', 'idn')).releases.production!.versions).toEqual(['v9']);
      expect(existsSync(join(dataDir, 'releases', 'mala-core', 'idn.json'))).toBe(true);
      expect(existsSync(join(dataDir, 'releases', 'mala-core', 'dev.json'))).toBe(false);
      expect(await store.checkHealth()).toEqual({ backend: 'zookeeper', ok: true });
      expect(() => store.storeFor('mars')).toThrow(/no market "mars"/);
    } finally {
      await store.close();
    }
  });

  it('when every market is embedded, then health says embedded', async () => {
    const store = openReleaseStore({ markets: { idn: { approval: 'none', requiresPassIn: [], locations: location } } }, { dataDir });
    expect(await store.checkHealth()).toEqual({ backend: 'embedded', ok: true });
    await store.close();
  });

  it('when servers are recorded, then SSH hosts give their address and local hosts their config name', () => {
    const hosts = { 'br-1': { address: '10.1.0.11', port: 22, user: 'deploy', key: 'deploy', hostKey: 'ssh-ed25519 AAAA' }, 'demo-1': { local: '/var/hosts/demo-1' } };
    expect(serverAddresses({ hosts }, ['br-1', 'demo-1'])).toEqual(['10.1.0.11', 'demo-1']);
    expect(() => serverAddresses({ hosts }, ['nope'])).toThrow(/no host "nope"/);
  });
});
