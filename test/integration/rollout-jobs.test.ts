// Progressive rollout through the job layer (chat verbs, workers in this process, real Redis,
// ZooKeeper and sshd): a failing release is rolled back automatically and ZooKeeper keeps the
// previous release; `pause`, `resume` and `abort` (the paused card's Resume / Roll back).
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { productionRelease } from '../../src/domain/release-state.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { type SshTestHosts, sshHostEntries, startSshHosts } from '../support/ssh-hosts.ts';
import { sharedZooKeeper, type SharedZooKeeper, uniqueRoot } from './release-store-zookeeper-server.ts';

let base: string;
let repo: TestRepo;
let ssh: SshTestHosts;
let zk: SharedZooKeeper;
const root = uniqueRoot();

const online = (name: string) => basename(readlinkSync(join(ssh.hosts.find((h) => h.name === name)!.root, 'prod/mala-core')));
/** A host is made unhealthy by a file on it (the health command looks for it). */
const flag = (name: string) => join(ssh.hosts.find((h) => h.name === name)!.root, 'unhealthy');
const HEALTH = 'cat app.txt; ! grep -q bad app.txt && ! test -e /data/unhealthy';

function harness(name: string, rollout: Record<string, unknown>): Promise<JobHarness> {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  const config = deployTestConfig({
    dir,
    repo: repo.dir,
    privateKey: ssh.privateKey,
    hosts: sshHostEntries(ssh.hosts),
    market: { zookeeper: { connect: zk.connect, root } },
    project: { hostTimeout: '30s', health: [{ command: HEALTH }], rollout: { interval: '200ms', ...rollout } },
  });
  return startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var') });
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-rollout-jobs-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3', 'bad'] });
  ssh = await startSshHosts(3, { prefix: 'br-' });
  zk = await sharedZooKeeper();
}, 60_000);

afterAll(async () => {
  await ssh?.stopAll();
  await zk?.release();
  rmSync(base, { recursive: true, force: true });
});

describe('onFailure: rollback', () => {
  let h: JobHarness;
  beforeAll(async () => void (h = await harness('rollback', { waves: [1] })));
  afterAll(async () => h?.close());

  it('when a release fails its health check on the first wave, then the deploy ends rolled-back, every host serves the previous release, ZooKeeper still records it, and history says why', async () => {
    const good = await h.settle(await h.request('alice', 'deploy mala-core brazil v1'));
    expect({ state: good.state, reason: good.reason }).toEqual({ state: 'success', reason: undefined });
    const bad = await h.settle(await h.request('alice', 'deploy mala-core brazil bad'));
    expect(bad.state).toBe('rolled-back');
    expect(bad.reason).toMatch(/br-1: command cat app\.txt.* — app bad \/ exit 1/);
    for (const name of ['br-1', 'br-2', 'br-3']) expect(online(name)).toBe(good.releaseId);
    const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
    expect(productionRelease(state)?.current).toMatchObject({ deployId: good.id, version: 'v1' });
    const history = await h.say('alice', 'history mala-core brazil');
    expect(history.private.join('\n') + history.public.map((m) => m.text).join('\n')).toMatch(new RegExp(`${bad.id} deploy bad \\(production\\) by \\S*alice: rolled-back in .* — 1 unhealthy host, more than maxUnhealthy 0: br-1: command .* — app bad / exit 1`));
    const warning = await waitForNotice(h.jobs.rt, bad.id, (n) => n.type === 'rollout.failed');
    expect(warning).toMatchObject({ unhealthy: [{ host: 'br-1', outputTail: ['app bad', 'exit 1'] }] });
  }, 120_000);
});

describe('--dry-run', () => {
  let h: JobHarness;
  beforeAll(async () => void (h = await harness('dry', { waves: [1], bake: '30s' })));
  afterAll(async () => h?.close());

  it('when a rollout is dry-run, then the answer lists the waves with their hosts and the checks, and nothing runs', async () => {
    const answer = await h.say('alice', 'deploy mala-core brazil v3 --dry-run');
    const text = [...answer.private, ...answer.public.map((m) => [m.text, ...(m.lines ?? [])].join('\n'))].join('\n');
    expect(text).toContain('wave 1/2: br-1');
    expect(text).toContain('wave 2/2: br-2, br-3');
    expect(text).toContain(`health: command ${HEALTH} · bake 30 s · maxUnhealthy 0 · on failure rollback`);
    expect(text).toContain('nothing was changed');
    expect(answer.deployIds).toEqual([]);
  }, 60_000);
});

describe('onFailure: pause, and the pause / resume / abort verbs', () => {
  let h: JobHarness;
  beforeAll(async () => void (h = await harness('pause', { waves: [1], onFailure: 'pause', bake: '2s' })));
  afterAll(async () => h?.close());

  it('when the first wave\'s host fails, then the deploy pauses; resume continues with the next wave and it is recorded partial', async () => {
    const before = online('br-2');
    writeFileSync(flag('br-1'), '');
    try {
      const id = await h.request('alice', 'deploy mala-core brazil v2');
      const paused = await h.settle(id);
      expect(paused.state).toBe('paused');
      expect(paused.reason).toContain('br-1');
      expect(online('br-2')).toBe(before);
      const cancel = await h.say('alice', `cancel ${id}`);
      expect(cancel.private.join('\n')).toContain(`abort ${id}`);
      await h.say('alice', `resume ${id}`);
      const done = await h.settle(id);
      expect(done.state).toBe('partial');
      expect(done.reason).toMatch(/1 unhealthy host \(br-1: command .* exit 1\), accepted by resume: the release was recorded/);
      for (const name of ['br-1', 'br-2', 'br-3']) expect(online(name)).toBe(done.releaseId);
      const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
      expect(productionRelease(state)?.current).toMatchObject({ deployId: id, version: 'v2' });
    } finally {
      if (existsSync(flag('br-1'))) unlinkSync(flag('br-1'));
    }
  }, 120_000);

  it('when a running rollout is paused by `pause`, then it stops after its current wave; `abort` then switches back every host it switched and ends rolled-back', async () => {
    const before = online('br-1');
    const id = await h.request('alice', 'deploy mala-core brazil v3');
    await waitForNotice(h.jobs.rt, id, (n) => n.type === 'wave.started');
    const asked = await h.say('alice', `pause ${id}`);
    expect(asked.private.join('\n')).toContain('will pause after its current wave');
    const paused = await h.settle(id);
    expect(paused.state).toBe('paused');
    expect(paused.reason).toContain('paused after wave 1/2 on request');
    expect(paused.releaseId).toBeDefined();
    expect(online('br-1')).toBe(paused.releaseId);
    expect(online('br-2')).toBe(before);
    await h.say('alice', `abort ${id}`);
    const aborted = await h.settle(id);
    expect(aborted.state).toBe('rolled-back');
    for (const name of ['br-1', 'br-2', 'br-3']) expect(online(name)).toBe(before);
    const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
    expect(productionRelease(state)?.current?.version).toBe('v2');
  }, 120_000);
});
