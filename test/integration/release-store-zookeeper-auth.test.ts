// `zookeeper.auth` (docs/operations.md, "ZooKeeper ACLs"): with it, every node the bot creates
// is readable by anyone and writable only by the bot's digest identity; a second session
// without those credentials (anyone who reaches the ensemble) can read but not change,
// delete or add anything. Without it, nodes stay open (trials).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { inspect, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.ts';
import { ZooKeeperClient } from '../../src/store/zookeeper-client.ts';
import { ZooKeeperReleaseStore } from '../../src/store/zookeeper-release-store.ts';
import { outcomeOf, rawZooKeeper, type RawZooKeeper } from '../fixtures/raw-zookeeper.ts';
import { input } from './release-store-contract.ts';
import { type SharedZooKeeper, sharedZooKeeper, uniqueRoot } from './release-store-zookeeper-server.ts';

const run = promisify(execFile);
const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';
const CREDENTIALS = 'deploybot:Zk-s3cret-4f1d9a';
/** Computed here, independently of the bot: `user:base64(sha1(user:password))`. */
const DIGEST_ID = `deploybot:${createHash('sha1').update(CREDENTIALS).digest('base64')}`;
const READ = 1;
const ALL = 31;

let zk: SharedZooKeeper;
let anyone: RawZooKeeper;
let stranger: RawZooKeeper;
/** The bot's identity in a plain session: ZooKeeper shows a digest id in full only to a session with ADMIN on the node. */
let owner: RawZooKeeper;
beforeAll(async () => {
  zk = await sharedZooKeeper();
  anyone = await rawZooKeeper(zk.connect);
  stranger = await rawZooKeeper(zk.connect, 'deploybot:guessed-password');
  owner = await rawZooKeeper(zk.connect, CREDENTIALS);
});
afterAll(async () => {
  anyone?.close();
  stranger?.close();
  owner?.close();
  await zk?.release();
});

function botStore(root: string, auth?: Secret): ZooKeeperReleaseStore {
  const client = new ZooKeeperClient({ connect: zk.connect, sessionTimeoutMs: 10_000, ...(auth ? { auth } : {}) });
  return new ZooKeeperReleaseStore({ client, root });
}

/** The node's ACL as its owner sees it (the library's ACL has `permission`, whatever its typings say). */
const aclOf = async (path: string) =>
  (await owner.getACL(path)).map((a) => ({ scheme: a.id.scheme, id: a.id.id, perms: (a as unknown as { permission: number }).permission })).sort((x, y) => x.scheme.localeCompare(y.scheme));

describe('ZooKeeper with zookeeper.auth', () => {
  it('when the bot records releases, then every node it created is world-readable and writable only by its digest identity', async () => {
    const root = `${uniqueRoot()}/deploybot`;
    const store = botStore(root, new Secret(CREDENTIALS, 'zookeeper auth'));
    try {
      await store.recordRelease(input('p', 'brazil', 'production', 'v1', { configZoo: { global_url: 'https://br/' } }));
      await store.recordRelease(input('p', 'brazil', 'gray', 'v2'));
      const nodes = await anyone.tree(root.slice(0, root.lastIndexOf('/')));
      expect(nodes).toEqual(expect.arrayContaining([`${root}/p/brazil/default_release`, `${root}/p/brazil/releases/production/current`, `${root}/p/brazil/releases/production/global_url`, `${root}/p/brazil/releases/gray/versions`]));
      for (const node of nodes) {
        expect({ node, acl: await aclOf(node) }).toEqual({ node, acl: [{ scheme: 'digest', id: DIGEST_ID, perms: ALL }, { scheme: 'world', id: 'anyone', perms: READ }] });
      }
    } finally {
      await store.close();
    }
  });

  it('when a session without the credentials (or with wrong ones) writes, then every change is refused NO_AUTH and the bot still writes', async () => {
    const root = uniqueRoot();
    const store = botStore(root, new Secret(CREDENTIALS, 'zookeeper auth'));
    try {
      await store.recordRelease(input('p', 'brazil', 'production', 'v1'));
      await store.recordRelease(input('p', 'brazil', 'gray', 'v2'));
      const base = `${root}/p/brazil`;
      const before = await store.read('p', 'brazil');
      const current = await anyone.getData(`${base}/releases/production/current`);
      expect(JSON.parse(current)).toMatchObject({ version: 'v1' });

      for (const attacker of [anyone, stranger]) {
        expect(await outcomeOf(attacker.setData(`${base}/releases/production/current`, '{"version":"evil"}'))).toBe('NO_AUTH');
        expect(await outcomeOf(attacker.setData(`${base}/default_release`, 'gray'))).toBe('NO_AUTH');
        expect(await outcomeOf(attacker.remove(`${base}/releases/gray/versions`))).toBe('NO_AUTH');
        expect(await outcomeOf(attacker.create(`${base}/releases/review-evil`))).toBe('NO_AUTH');
        expect(await outcomeOf(attacker.create(`${base}/releases/production/global_url`, '"https://evil/"'))).toBe('NO_AUTH');
        expect(await outcomeOf(attacker.create(`${root}/other-project`))).toBe('NO_AUTH');
      }
      expect(await store.read('p', 'brazil')).toEqual(before);
      expect(await anyone.getData(`${base}/releases/production/current`)).toBe(current);

      await store.promote({ project: 'p', market: 'brazil', release: 'gray', deployId: 'd-20261122-0001', by: 'U01BOB' });
      const after = await store.read('p', 'brazil');
      expect(after.releases.gray).toBeUndefined();
      expect(after.releases.production!.versions).toEqual(['v1', 'v2']);
    } finally {
      await store.close();
    }
  });

  it('when zkCli.sh asks for the ACL, then it shows world:anyone r and the digest identity cdrwa (masked for a session without it)', async () => {
    const root = uniqueRoot();
    const store = botStore(root, new Secret(CREDENTIALS, 'zookeeper auth'));
    try {
      await store.recordRelease(input('p', 'brazil', 'production', 'v1'));
      const { stdout } = await run(ZKCLI, ['-server', zk.connect, 'getAcl', `${root}/p/brazil/releases/production/current`], { timeout: 30_000 });
      const lines = stdout.split('\n').map((l) => l.trim());
      expect(lines).toEqual(expect.arrayContaining(["'world,'anyone", ': r', "'digest,'deploybot:x", ': cdrwa']));
    } finally {
      await store.close();
    }
  });

  it('when the client is inspected or serialised, then the password does not show', () => {
    const client = new ZooKeeperClient({ connect: zk.connect, sessionTimeoutMs: 10_000, auth: new Secret(CREDENTIALS, 'zookeeper auth') });
    for (const text of [inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client), String(client)]) expect(text).not.toContain('Zk-s3cret');
  });
});

describe('ZooKeeper without zookeeper.auth (trials)', () => {
  it('when the bot records a release, then its nodes carry the open ACL as before', async () => {
    const root = uniqueRoot();
    const store = botStore(root);
    try {
      await store.recordRelease(input('p', 'dev', 'production', 'v1'));
      expect(await aclOf(`${root}/p/dev/releases/production/current`)).toEqual([{ scheme: 'world', id: 'anyone', perms: ALL }]);
      expect(await outcomeOf(anyone.setData(`${root}/p/dev/releases/production/servers`, '["10.0.0.1"]'))).toBe('OK');
    } finally {
      await store.close();
    }
  });
});
