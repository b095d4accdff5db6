// The record step across a real ZooKeeper outage (docs/operations.md "When ZooKeeper is
// away"), on local hosts with real git builds and BullMQ workers: ZooKeeper stopped right
// after the hosts switched and restarted within `recordTimeout` → the release lands and the
// deploy succeeds; stopped past it → the deploy ends `partial` and a warning names the hosts
// serving a release ZooKeeper does not record, with the `sync` command. A dedicated server,
// because the test stops it.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { type LocalZooKeeper, startLocalZooKeeper } from '../../src/services/local-zookeeper.ts';
import { openReleaseStore } from '../../src/store/open-release-store.ts';
import type { ReleaseStore } from '../../src/store/release-store.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';
import { uniqueRoot } from './release-store-zookeeper-server.ts';

let base: string;
let repo: TestRepo;
let zk: LocalZooKeeper;
let config: Config;
let releases: ReleaseStore;
let h: JobHarness;

/** The hosts' afterDeploy waits for `go` in the host's releases dir: the test stops ZooKeeper while the deploy is switching. */
const go = (host: string) => writeFileSync(join(base, 'hosts', host, 'data/codes/mala-core/go'), '');

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-record-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1'] });
  zk = await startLocalZooKeeper();
  const zookeeper = { connect: zk.connect, root: uniqueRoot(), sessionTimeout: '4s' };
  config = writeTestConfig(base, {
    hosts: { 'dev-1': { local: 'hosts/dev-1' }, 'idn-1': { local: 'hosts/idn-1' } },
    markets: {
      dev: { zookeeper, recordTimeout: '60s', locations: { main: { role: 'production', hosts: ['dev-1'] } } },
      idn: { zookeeper, recordTimeout: '2s', locations: { main: { role: 'production', hosts: ['idn-1'] } } },
    },
    projects: {
      'mala-core': {
        repo: repo.dir,
        build: { command: 'sh build.sh', output: 'dist' },
        path: '/data/prod/mala-core',
        releasesDir: '/data/codes/mala-core',
        hooks: { afterDeploy: 'while [ ! -e ../go ]; do sleep 0.05; done' },
        markets: ['dev', 'idn'],
      },
    },
  });
  // each store operation gives up after 1.5 s, so the record step's own retries are what bridge the outage
  releases = openReleaseStore(config, { dataDir: join(base, 'var'), operationTimeoutMs: 1500 });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), releases });
});

afterAll(async () => {
  await h?.close();
  await releases?.close();
  await zk?.stop();
  rmSync(base, { recursive: true, force: true });
});

describe('the record step', () => {
  it('when ZooKeeper is down after the switch and back within recordTimeout, then the release is recorded and the deploy succeeds', async () => {
    const id = await h.request('alice', 'deploy mala-core dev v1');
    await waitForNotice(h.jobs.rt, id, (n) => n.type === 'host.started' && n.step === 'afterDeploy' && n.host === 'dev-1');
    await zk.halt();
    go('dev-1');
    await waitForNotice(h.jobs.rt, id, (n) => n.type === 'step.started' && n.step === 'record');
    // the outage: longer than one store operation (1.5 s), so the step has to retry
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect((await h.jobs.rt.records.require(id)).state).toBe('running');
    await zk.restart();
    const record = await h.settle(id);
    expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
    const state = await releases.read('mala-core', 'dev');
    expect(state.releases.production?.current).toMatchObject({ deployId: id, version: 'v1', commit: repo.commits.v1 });
  });

  it('when ZooKeeper stays down past recordTimeout, then the deploy ends partial with a warning naming the hosts and the sync command', async () => {
    const id = await h.request('alice', 'deploy mala-core idn v1');
    await waitForNotice(h.jobs.rt, id, (n) => n.type === 'host.started' && n.step === 'afterDeploy' && n.host === 'idn-1');
    await zk.halt();
    try {
      go('idn-1');
      const record = await h.settle(id);
      expect(record.state).toBe('partial');
      expect(record.reason).toContain('could not record the release within 2 s');
      expect(record.switchedHosts).toEqual(['idn-1']);
      const warnings = (await h.jobs.rt.bus.notices(id)).flatMap((n) => (n.type === 'job.warning' ? [n.warning] : []));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ kind: 'release_not_recorded', project: 'mala-core', market: 'idn', details: { hosts: ['idn-1'], command: 'sync mala-core idn' } });
      expect(warnings[0]!.message).toContain(`idn-1 serve production v1 (${id}), which the release store does not record`);
      expect(warnings[0]!.message).toContain('run `sync mala-core idn`');
    } finally {
      await zk.restart();
    }
    expect(existsSync(join(base, 'hosts', 'idn-1', 'data/prod/mala-core'))).toBe(true);
    expect((await releases.read('mala-core', 'idn')).releases.production?.current?.deployId).not.toBe(id);
  });
});
