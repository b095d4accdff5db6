// Release state written by someone else is never trusted (docs/operations.md, "Corrupt release
// state"; "ZooKeeper ACLs"): the whole bot — router, jobs on the real Redis, real git builds,
// local hosts — against a real ZooKeeper with `zookeeper.auth` and the embedded store. A crafted
// `current.commit` such as `--output=<file>` once reached `git log` through the diff summary.
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { outcomeOf, rawZooKeeper, type RawZooKeeper } from '../fixtures/raw-zookeeper.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';
import { uniqueRoot } from './release-store-zookeeper-server.ts';

const PASSWORD = 'Zk-e2e-pass-31b7c0';
const CREDENTIALS = `deploybot:${PASSWORD}`;
const PREFIX = `trust${process.pid}`;

let base: string;
let repo: TestRepo;
let config: Config;
let h: JobHarness;
let root: string;
/** A session with the bot's credentials, standing in for an operator (or a tool) that writes a bad value. */
let operator: RawZooKeeper;
let anyone: RawZooKeeper;

const online = (host: string) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core')));
const releasesOn = (host: string) => readdirSync(join(base, 'hosts', host, 'data/codes/mala-core')).filter((n) => /-\d{14}-[0-9a-f]{7}$/.test(n)).sort();
const zkBase = () => `${root}/mala-core/zk`;
const embeddedFile = () => join(base, 'var', 'releases', 'mala-core', 'dev.json');
const pwnedFiles = () => readdirSync(base).filter((n) => n.startsWith('pwned'));
const allText = (answer: { private: string[]; public: { text?: string }[] }) => [...answer.private, ...answer.public.map((m) => m.text ?? '')].join('\n');

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-trust-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3'] });
  root = `${uniqueRoot()}/deploybot`;
  const zkConnect = inject('zkConnect');
  config = writeTestConfig(base, {
    hosts: { 'zk-1': { local: 'hosts/zk-1' }, 'dev-1': { local: 'hosts/dev-1' } },
    markets: {
      zk: { zookeeper: { connect: zkConnect, root, sessionTimeout: '10s', auth: { env: 'TEST_ZK_AUTH' } }, locations: { main: { role: 'production', hosts: ['zk-1'] } } },
      dev: { locations: { main: { role: 'production', hosts: ['dev-1'] } } },
    },
    projects: {
      'mala-core': { repo: repo.dir, build: { command: 'sh build.sh', output: 'dist' }, path: '/data/prod/mala-core', releasesDir: '/data/codes/mala-core', hostTimeout: '20s', markets: ['zk', 'dev'] },
    },
  }, { TEST_ZK_AUTH: CREDENTIALS });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix: PREFIX });
  operator = await rawZooKeeper(zkConnect, CREDENTIALS);
  anyone = await rawZooKeeper(zkConnect);
  for (const market of ['zk', 'dev']) {
    const record = await h.settle(await h.request('alice', `deploy mala-core ${market} v1`));
    expect({ market, state: record.state, reason: record.reason }).toEqual({ market, state: 'success', reason: undefined });
  }
});

afterAll(async () => {
  operator?.close();
  anyone?.close();
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

/** Runs `attack`, checks a deploy of v2 is refused naming `where` and changes nothing, then restores the good state. */
async function expectRefusedWhileCorrupt(market: 'zk' | 'dev', where: string, problem: string): Promise<void> {
  const host = market === 'zk' ? 'zk-1' : 'dev-1';
  const before = { online: online(host), releases: releasesOn(host), history: (await h.jobs.rt.records.history('mala-core', market, 50)).length };

  const status = await h.say('bob', `status mala-core ${market}`);
  expect(allText(status)).toContain(`corrupt release state: ${where}: ${problem}`);

  const deploy = await h.say('alice', `deploy mala-core ${market} v2`);
  await new Promise((r) => setTimeout(r, 3000)); console.log("PWNED", pwnedFiles(), deploy.private);
  expect((await h.jobs.rt.records.history('mala-core', market, 50)).length).toBe(before.history);
  expect({ online: online(host), releases: releasesOn(host) }).toEqual({ online: before.online, releases: before.releases });
  expect(pwnedFiles()).toEqual([]);
}

describe('release state read back from ZooKeeper (with zookeeper.auth)', () => {
  it('when the bot deployed, then its nodes are readable by anyone and another session cannot change them', async () => {
    const current = `${zkBase()}/releases/production/current`;
    expect(JSON.parse(await anyone.getData(current))).toMatchObject({ version: 'v1', commit: repo.commits.v1 });
    expect(await outcomeOf(anyone.setData(current, '{}'))).toBe('NO_AUTH');
    expect(await outcomeOf(anyone.remove(`${zkBase()}/default_release`))).toBe('NO_AUTH');
    expect(JSON.parse(await anyone.getData(current))).toMatchObject({ version: 'v1', commit: repo.commits.v1 });
  });

  it('when current.commit is crafted as a git option, then status names the node, a deploy is refused with nothing queued, and git never sees it', async () => {
    const path = `${zkBase()}/releases/production/current`;
    const good = await operator.getData(path);
    const crafted = JSON.stringify({ ...JSON.parse(good), commit: `--output=${join(base, 'pwned')}` });
    await operator.setData(path, crafted);
    try {
      await expectRefusedWhileCorrupt('zk', path, 'commit is not 40 hex');
      expect(await operator.getData(path)).toBe(crafted);
    } finally {
      await operator.setData(path, good);
    }
  });

  it('when a version or the deploy id is crafted, then status and deploy name the node and what is wrong', async () => {
    const versions = `${zkBase()}/releases/production/versions`;
    const current = `${zkBase()}/releases/production/current`;
    const goodVersions = await operator.getData(versions);
    const goodCurrent = await operator.getData(current);
    try {
      await operator.setData(versions, JSON.stringify(['v1', '--upload-pack=touch pwned']));
      await expectRefusedWhileCorrupt('zk', versions, 'entry 1 is not a version');
      await operator.setData(versions, goodVersions);
      await operator.setData(current, JSON.stringify({ ...JSON.parse(goodCurrent), deployId: '$(touch pwned)' }));
      await expectRefusedWhileCorrupt('zk', current, 'deployId is not a deploy id');
    } finally {
      await operator.setData(versions, goodVersions);
      await operator.setData(current, goodCurrent);
    }
  });

  it('when the state is good again, then the deploy goes through and git log summarises nothing odd', async () => {
    const record = await h.settle(await h.request('alice', 'deploy mala-core zk v2'));
    expect(record.state).toBe('success');
    expect(online('zk-1')).toContain(repo.commits.v2!.slice(0, 7));
    expect(pwnedFiles()).toEqual([]);
  });

  it('when everything ran, then the ZooKeeper password appears nowhere in Redis or in chat', async () => {
    const redis = new Redis(inject('redisUrl'));
    try {
      const keys = await redis.keys(`${PREFIX}:*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const type = await redis.type(key);
        const dump = type === 'string' ? await redis.get(key) : type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : type === 'list' ? JSON.stringify(await redis.lrange(key, '0', '-1')) : type === 'zset' ? JSON.stringify(await redis.zrange(key, '0', '-1')) : type === 'set' ? JSON.stringify(await redis.smembers(key)) : type === 'stream' ? JSON.stringify(await redis.xrange(key, '-', '+')) : '';
        expect({ key, leaks: (dump ?? '').includes(PASSWORD) }).toEqual({ key, leaks: false });
      }
    } finally {
      redis.disconnect();
    }
    expect(allText(await h.say('bob', 'status mala-core'))).not.toContain(PASSWORD);
  });
});

describe('release state read back from the embedded store', () => {
  it('when current.commit in the file is crafted, then status names the file and key, a deploy is refused, and git never sees it', async () => {
    const file = embeddedFile();
    const good = readFileSync(file, 'utf8');
    const layout = JSON.parse(good);
    layout.releases.production.current.commit = `--output=${join(base, 'pwned')}`;
    writeFileSync(file, JSON.stringify(layout));
    try {
      await expectRefusedWhileCorrupt('dev', `${file}: releases.production.current`, 'commit is not 40 hex');
    } finally {
      writeFileSync(file, good);
    }
    expect(existsSync(file)).toBe(true);
  });
});
