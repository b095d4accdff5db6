// `deploy/<release>.config.zoo` and `deploy/config.zoo` come from the repository
// (docs/configuration.md, "Files from the repository"): a key that is no ZooKeeper node name
// once failed the record step after the hosts had switched (reported as "ZooKeeper
// unavailable"), and a symlink to /dev/zero crash-looped every worker. Now the build refuses
// them before anything is distributed: hosts and ZooKeeper stay as they were, and the worker
// goes on to the next deploy. Real git repository, real ZooKeeper, real Redis, local hosts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { rawZooKeeper, type RawZooKeeper } from '../fixtures/raw-zookeeper.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';
import { uniqueRoot } from './release-store-zookeeper-server.ts';

let base: string;
let repo: TestRepo;
let h: JobHarness;
let zk: RawZooKeeper;
let root: string;

const online = () => basename(realpathSync(join(base, 'hosts', 'zk-1', 'data/prod/mala-core')));
const releasesOn = () => readdirSync(join(base, 'hosts', 'zk-1', 'data/codes/mala-core')).filter((n) => /-\d{14}-[0-9a-f]{7}$/.test(n)).sort();

/** Every node under the bot's root with its data: what ZooKeeper holds. */
async function zooKeeperContent(): Promise<Record<string, string>> {
  const content: Record<string, string> = {};
  for (const node of await zk.tree(root)) content[node] = await zk.getData(node);
  return content;
}

/** Commits `change` on top of v1 (on a side branch, so tags stay independent) and tags it. */
function tagVariant(tag: string, change: (dir: string) => void): void {
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: repo.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  git('checkout', '--quiet', '-B', `variant-${tag}`, 'v1');
  change(repo.dir);
  git('add', '-A');
  git('commit', '--quiet', '-m', `variant ${tag}`);
  git('tag', tag);
  git('checkout', '--quiet', 'main');
}

const zoo = (dir: string) => join(dir, 'deploy', 'config.zoo');

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-configzoo-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2'] });
  tagVariant('slash-key', (dir) => writeFileSync(zoo(dir), JSON.stringify({ global_url: 'https://x/', 'a/b': 1 })));
  tagVariant('dev-zero', (dir) => {
    unlinkSync(zoo(dir));
    symlinkSync('/dev/zero', zoo(dir));
  });
  tagVariant('too-big', (dir) => writeFileSync(zoo(dir), JSON.stringify({ global_url: 'x'.repeat(1024 * 1024) })));
  tagVariant('many-keys', (dir) => writeFileSync(zoo(dir), JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])))));
  // the build command (repository code) swaps the file for a fifo after checkout
  tagVariant('fifo', (dir) => writeFileSync(join(dir, 'build.sh'), '#!/bin/sh\nset -e\nrm -f deploy/config.zoo\nmkfifo deploy/config.zoo\nrm -rf dist && mkdir -p dist && cp app.txt dist/app.txt\n', { mode: 0o755 }));
  tagVariant('release-file', (dir) => writeFileSync(join(dir, 'deploy', 'production.config.zoo'), JSON.stringify({ '..': 'up' })));

  root = `${uniqueRoot()}/deploybot`;
  const config = writeTestConfig(base, {
    hosts: { 'zk-1': { local: 'hosts/zk-1' } },
    markets: { zk: { zookeeper: { connect: inject('zkConnect'), root, sessionTimeout: '10s' }, locations: { main: { role: 'production', hosts: ['zk-1'] } } } },
    projects: {
      'mala-core': { repo: repo.dir, build: { command: 'sh build.sh', output: 'dist' }, path: '/data/prod/mala-core', releasesDir: '/data/codes/mala-core', hostTimeout: '20s', markets: ['zk'] },
    },
  });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var') });
  zk = await rawZooKeeper(inject('zkConnect'));
  const first = await h.settle(await h.request('alice', 'deploy mala-core zk v1'));
  expect({ state: first.state, reason: first.reason }).toEqual({ state: 'success', reason: undefined });
});

afterAll(async () => {
  zk?.close();
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

/** Deploys `tag`, expects it to fail at build with `reason` in its reason, and nothing on hosts or in ZooKeeper to change. */
async function expectBuildRefusal(tag: string, ...reason: string[]): Promise<void> {
  const before = { online: online(), releases: releasesOn(), zookeeper: await zooKeeperContent() };
  const started = Date.now();
  const record = await h.settle(await h.request('alice', `deploy mala-core zk ${tag}`));
  expect(record.state).toBe('failed');
  for (const part of reason) expect(record.reason).toContain(part);
  expect(record.reason).not.toContain('unavailable');
  expect(Date.now() - started).toBeLessThan(20_000);
  expect({ online: online(), releases: releasesOn(), zookeeper: await zooKeeperContent() }).toEqual(before);
}

describe('config.zoo files from the repository', () => {
  it('when a key is "a/b", then the deploy fails at build naming deploy/config.zoo and the key; hosts and ZooKeeper are unchanged', async () => {
    await expectBuildRefusal('slash-key', 'deploy/config.zoo', '"a/b"', 'contains "/"');
  });

  it('when deploy/config.zoo is a symlink to /dev/zero, then the build fails at once naming the file, and the worker deploys the next one', async () => {
    await expectBuildRefusal('dev-zero', 'deploy/config.zoo', 'symlink');
    const next = await h.settle(await h.request('alice', 'deploy mala-core zk v2'));
    expect(next.state).toBe('success');
    expect(online()).toContain(repo.commits.v2!.slice(0, 7));
    expect(JSON.parse(await zk.getData(`${root}/mala-core/zk/releases/production/current`))).toMatchObject({ version: 'v2', commit: repo.commits.v2 });
  });

  it('when the file is over 1 MB, then the build fails naming the file and the limit', async () => {
    await expectBuildRefusal('too-big', 'deploy/config.zoo', 'larger than the limit of 1 MB');
  });

  it('when the file has 101 keys, then the build fails naming the file and the limit of 100', async () => {
    await expectBuildRefusal('many-keys', 'deploy/config.zoo', 'has 101 keys', 'limit of 100');
  });

  it('when the build command turns the file into a fifo, then the build fails at once instead of waiting for a writer', async () => {
    await expectBuildRefusal('fifo', 'deploy/config.zoo', 'not a regular file');
  });

  it('when deploy/<release>.config.zoo has the key "..", then that file is named', async () => {
    await expectBuildRefusal('release-file', 'deploy/production.config.zoo', '".."');
  });
});
