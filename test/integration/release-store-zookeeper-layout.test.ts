// The layout of docs/reference/zookeeper-layout.md read back with Debian's own zkCli.sh, and the version guard that
// node-zookeeper-client would drop for never-modified nodes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient, ZooKeeperRefusal } from '../../src/store/zookeeper-client.ts';
import { rawZooKeeper } from '../fixtures/raw-zookeeper.ts';
import { ZooKeeperReleaseStore } from '../../src/store/zookeeper-release-store.ts';
import { deployIdOf, input } from './release-store-contract.ts';
import { type SharedZooKeeper, sharedZooKeeper, uniqueRoot } from './release-store-zookeeper-server.ts';

const run = promisify(execFile);
const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';

let zk: SharedZooKeeper;
let client: ZooKeeperClient;
beforeAll(async () => {
  zk = await sharedZooKeeper();
  client = new ZooKeeperClient({ connect: zk.connect, sessionTimeoutMs: 10_000 });
});
afterAll(async () => {
  await client?.close();
  await zk?.release();
});

/** `zkCli.sh -server … <command> <path>`: the lines it prints after connecting. */
async function zkCli(...command: string[]): Promise<string[]> {
  const { stdout } = await run(ZKCLI, ['-server', zk.connect, ...command], { timeout: 30_000, env: { ...process.env, JAVA_TOOL_OPTIONS: '-Xshare:auto' } });
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('WATCHER::') && !l.startsWith('WatchedEvent') && !l.startsWith('Connecting to'));
}

describe('ZooKeeper layout (docs/reference/zookeeper-layout.md)', () => {
  it('when production and a review release are recorded, then zkCli.sh reads the documented nodes and values', async () => {
    const root = `${uniqueRoot()}/deploybot`;
    const store = new ZooKeeperReleaseStore({ client, root, ownsClient: false });
    await store.recordRelease(input('mala-core', 'brazil', 'production', 'v1.2'));
    await store.recordRelease(input('mala-core', 'brazil', 'production', 'v1.3', { configZoo: { global_url: 'https://br.example/', sections: [{ id: 1 }] } }));
    await store.recordRelease(input('mala-core', 'brazil', 'review-appstore', 'v1.4-rev'));
    const base = `${root}/mala-core/brazil`;

    const [defaultRelease, versions, servers, current, globalUrl, sections, children, reviewVersions] = await Promise.all([
      zkCli('get', `${base}/default_release`),
      zkCli('get', `${base}/releases/production/versions`),
      zkCli('get', `${base}/releases/production/servers`),
      zkCli('get', `${base}/releases/production/current`),
      zkCli('get', `${base}/releases/production/global_url`),
      zkCli('get', `${base}/releases/production/sections`),
      zkCli('ls', `${base}/releases`),
      zkCli('get', `${base}/releases/review-appstore/versions`),
    ]);
    expect(defaultRelease).toContain('production');
    expect(versions).toContain('["v1.2","v1.3"]');
    expect(servers).toContain('["10.1.0.11","10.1.0.12"]');
    const currentLine = current.find((l) => l.startsWith('{'))!;
    expect(JSON.parse(currentLine)).toEqual({ version: 'v1.3', commit: expect.stringMatching(/^[0-9a-f]{40}$/), deployId: deployIdOf('production', 'v1.3'), at: '2026-11-21T10:00:00.000Z', by: 'U01ALICE' });
    expect(Object.keys(JSON.parse(currentLine))).toEqual(['version', 'commit', 'deployId', 'at', 'by']);
    expect(globalUrl).toContain('"https://br.example/"');
    expect(sections).toContain('[{"id":1}]');
    expect(children).toContain('[production, review-appstore]');
    expect(reviewVersions).toContain('["v1.4-rev"]');
  });

  it('when a review of channel appstore for platforms iqq, iwx is promoted, then production iqq and iwx gain its versions, aqq and awx do not, and the union too, all in one multi', async () => {
    const root = `${uniqueRoot()}/deploybot`;
    const store = new ZooKeeperReleaseStore({ client, root, ownsClient: false });
    await store.recordRelease(input('mala-core', 'brazil', 'production', 'v1.3', { platforms: ['aqq', 'awx', 'iqq', 'iwx'] }));
    await store.recordRelease(input('mala-core', 'brazil', 'review-appstore', 'v1.4-rev', { platforms: ['iqq', 'iwx'] }));
    const base = `${root}/mala-core/brazil/releases`;
    expect(await zkCli('ls', `${base}/review-appstore/platforms`)).toContain('[iqq, iwx]');
    await store.promote({ project: 'mala-core', market: 'brazil', release: 'review-appstore', deployId: 'd-20261121-0900', by: 'U01BOB' });

    const raw = await rawZooKeeper(zk.connect);
    try {
      const stat = (path: string) => new Promise<{ data: string; mzxid: string; pzxid: string }>((resolve, reject) => {
        raw.client.exists(path, (error, found) => {
          if (error || !found) return reject(error ?? new Error(`${path} is missing`));
          raw.client.getData(path, (e, data) => (e ? reject(e) : resolve({ data: (data ?? Buffer.alloc(0)).toString('utf8'), mzxid: found.mzxid.toString('hex'), pzxid: found.pzxid.toString('hex') })));
        });
      });
      const [releases, union, aqq, awx, iqq, iwx] = await Promise.all([
        stat(base),
        stat(`${base}/production/versions`),
        ...['aqq', 'awx', 'iqq', 'iwx'].map((platform) => stat(`${base}/production/platforms/${platform}/versions`)),
      ]);
      expect(JSON.parse(union!.data)).toEqual(['v1.3', 'v1.4-rev']);
      expect(JSON.parse(iqq!.data)).toEqual(['v1.3', 'v1.4-rev']);
      expect(JSON.parse(iwx!.data)).toEqual(['v1.3', 'v1.4-rev']);
      expect(JSON.parse(aqq!.data)).toEqual(['v1.3']);
      expect(JSON.parse(awx!.data)).toEqual(['v1.3']);
      expect(await raw.getChildren(base)).toEqual(['production']);
      // one transaction: every node the promote changed (and the removal of review-appstore) carries its zxid
      const promoteZxid = union!.mzxid;
      expect([iqq!.mzxid, iwx!.mzxid, releases!.mzxid, releases!.pzxid]).toEqual([promoteZxid, promoteZxid, promoteZxid, promoteZxid]);
      expect(aqq!.mzxid < promoteZxid && awx!.mzxid < promoteZxid).toBe(true);
    } finally {
      raw.close();
    }
  });

  it('when a platform\'s versions node holds no list, then reading names the node', async () => {
    const root = `${uniqueRoot()}/deploybot`;
    const store = new ZooKeeperReleaseStore({ client, root, ownsClient: false });
    await store.recordRelease(input('mala-core', 'idn', 'production', 'v1.2', { platforms: ['aqq', 'iqq'] }));
    const path = `${root}/mala-core/idn/releases/production/platforms/iqq/versions`;
    await client.commit([{ type: 'set', path, data: Buffer.from('{"not":"a list"}'), version: -1 }], Date.now() + 10_000);
    await expect(store.read('mala-core', 'idn')).rejects.toMatchObject({ code: 'release_state_corrupt', message: expect.stringContaining(path) });
  });

  it('when a multi guards a never-modified node (version 0) and the node has changed, then it fails with BAD_VERSION', async () => {
    // node-zookeeper-client turns version 0 into -1 ("any") inside transactions (alexguan/node-zookeeper-client#67).
    const path = `${uniqueRoot()}/guarded`;
    const deadline = Date.now() + 10_000;
    await client.mkdirp(path, deadline);
    expect((await client.getData(path, deadline))!.version).toBe(0);
    await client.commit([{ type: 'set', path, data: Buffer.from('1'), version: 0 }], deadline);
    const stale = client.commit([{ type: 'check', path, version: 0 }, { type: 'set', path, data: Buffer.from('2'), version: 0 }], deadline);
    await expect(stale).rejects.toBeInstanceOf(ZooKeeperRefusal);
    await expect(stale).rejects.toMatchObject({ codeName: 'BAD_VERSION' });
    expect((await client.getData(path, deadline))!.data.toString()).toBe('1');
  });
});
