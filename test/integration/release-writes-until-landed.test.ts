// Gray/review cancel and review promote through a real ZooKeeper outage (docs/operations.md
// "When ZooKeeper is away"), on local hosts with real git builds and BullMQ workers: their
// release-store write is retried up to `recordTimeout` like a deploy's record step. The
// outage starts at the very moment of the write — the store handed to the job layer is the
// real ZooKeeper store, wrapped so that its next cancel/promote write first stops ZooKeeper
// (or, for "the answer was lost", lands and then stops it). ZooKeeper's final state is read
// with a fresh client. A dedicated server, because the test stops it.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { DeploybotError } from '../../src/core/errors.ts';
import { type LocalZooKeeper, startLocalZooKeeper } from '../../src/services/local-zookeeper.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { openReleaseStore } from '../../src/store/open-release-store.ts';
import type { ReleaseStore } from '../../src/store/release-store.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';
import { uniqueRoot } from './release-store-zookeeper-server.ts';

let base: string;
let repo: TestRepo;
let zk: LocalZooKeeper;
let config: Config;
let real: ReleaseStore;
let h: JobHarness;

/** What the next cancel/promote write meets: ZooKeeper stopped before it, or after it landed (its answer lost). */
let next: 'outage' | 'answer lost' | undefined;
/** Cancel/promote writes that failed, since the last `arm`. */
let failed = 0;
const arm = (how: 'outage' | 'answer lost') => {
  next = how;
  failed = 0;
};
function withOutageAtWrite<A, R>(write: (input: A) => Promise<R>): (input: A) => Promise<R> {
  return async (input) => {
    const how = next;
    next = undefined;
    try {
      if (how === 'outage') await zk.halt();
      const result = await write(input);
      if (how === 'answer lost') {
        await zk.halt();
        throw new DeploybotError('zookeeper_unavailable', 'ZooKeeper connection lost before the answer arrived');
      }
      return result;
    } catch (error) {
      failed += 1;
      throw error;
    }
  };
}

/** Restarts ZooKeeper once the job has tried the write at least twice. */
async function restartAfterRetries(): Promise<void> {
  await waitUntil(() => failed >= 2, { what: 'the write to be retried', timeoutMs: 30_000, intervalMs: 50 });
  await zk.restart();
}

/** ZooKeeper's state as a fresh client reads it. */
async function zookeeperState(market: string) {
  const fresh = openReleaseStore(config, { dataDir: join(base, 'var-fresh') });
  try {
    return await fresh.read('mala-core', market);
  } finally {
    await fresh.close();
  }
}
const online = (host: string) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core')));
const outcome = (r: { state: string; reason?: string }) => ({ state: r.state, reason: r.reason });
const success = async (command: string) => expect(outcome(await h.settle(await h.request('alice', command)))).toEqual({ state: 'success', reason: undefined });

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-writes-landed-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3'] });
  zk = await startLocalZooKeeper();
  const zookeeper = { connect: zk.connect, root: uniqueRoot(), sessionTimeout: '4s' };
  const locations = (m: string) => ({
    main: { role: 'production', hosts: [`${m}-1`, `${m}-gray`], grayHosts: [`${m}-gray`] },
    appstore: { role: 'review', hosts: [`${m}-rev`] },
  });
  config = writeTestConfig(base, {
    hosts: Object.fromEntries(['dev', 'idn'].flatMap((m) => [`${m}-1`, `${m}-gray`, `${m}-rev`]).map((host) => [host, { local: `hosts/${host}` }])),
    markets: {
      dev: { approval: 'none', zookeeper, recordTimeout: '60s', locations: locations('dev') },
      idn: { approval: 'none', zookeeper, recordTimeout: '2s', locations: locations('idn') },
    },
    projects: {
      'mala-core': { repo: repo.dir, build: { command: 'sh build.sh', output: 'dist' }, path: '/data/prod/mala-core', releasesDir: '/data/codes/mala-core', markets: ['dev', 'idn'] },
    },
  });
  // each store operation gives up after 1.5 s, so the job's own retries are what bridge the outage
  real = openReleaseStore(config, { dataDir: join(base, 'var'), operationTimeoutMs: 1500 });
  const releases: ReleaseStore = {
    read: (project, market) => real.read(project, market),
    recordRelease: (input) => real.recordRelease(input),
    promote: withOutageAtWrite((input) => real.promote(input)),
    removeRelease: withOutageAtWrite((input) => real.removeRelease(input)),
    checkHealth: () => real.checkHealth(),
    close: () => real.close(),
  };
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), releases });
  await success('deploy mala-core dev v1');
  await success('deploy mala-core idn v1');
});

afterAll(async () => {
  await h?.close();
  await real?.close();
  await zk?.stop();
  rmSync(base, { recursive: true, force: true });
});

describe('gray/review cancel and review promote while ZooKeeper is away', () => {
  it('when ZooKeeper stops as review cancel removes the review release and is back within recordTimeout, then the cancel succeeds and ZooKeeper no longer has the review release', async () => {
    await success('review start mala-core dev appstore v2');
    expect((await zookeeperState('dev')).releases['review-appstore']?.versions).toEqual(['v2']);
    arm('outage');
    const id = await h.request('alice', 'review cancel mala-core dev appstore');
    await restartAfterRetries();
    expect(outcome(await h.settle(id))).toEqual({ state: 'success', reason: undefined });
    const state = await zookeeperState('dev');
    expect(state.releases['review-appstore']).toBeUndefined();
    expect(state.releases.production?.versions).toEqual(['v1']);
  });

  it('when ZooKeeper stops as review promote writes and is back within recordTimeout, then the promote succeeds and ZooKeeper has production with the review’s version and no review release', async () => {
    await success('review start mala-core dev appstore v2');
    arm('outage');
    const id = await h.request('alice', 'review promote mala-core dev appstore');
    await restartAfterRetries();
    expect(outcome(await h.settle(id))).toEqual({ state: 'success', reason: undefined });
    const state = await zookeeperState('dev');
    expect(state.releases['review-appstore']).toBeUndefined();
    expect(state.releases.production?.versions).toEqual(['v1', 'v2']);
  });

  it('when review promote’s write lands but its answer is lost to the outage, then the retry recognises it: the promote succeeds, and production has the version once', async () => {
    await success('review start mala-core dev appstore v3');
    arm('answer lost');
    const id = await h.request('alice', 'review promote mala-core dev appstore');
    await restartAfterRetries();
    expect(outcome(await h.settle(id))).toEqual({ state: 'success', reason: undefined });
    const notes = (await h.jobs.rt.bus.notices(id)).flatMap((n) => (n.type === 'job.note' ? [n.text] : []));
    expect(notes).toContain('production versions are now v1, v2, v3 (appstore promoted v3, no redeploy)');
    const state = await zookeeperState('dev');
    expect(state.releases['review-appstore']).toBeUndefined();
    expect(state.releases.production?.versions).toEqual(['v1', 'v2', 'v3']);
  });

  it('when ZooKeeper stops as gray cancel removes gray and is back within recordTimeout, then the cancel succeeds, the gray host is on production’s release and ZooKeeper has no gray', async () => {
    const production = online('dev-1');
    await success('gray start mala-core dev v3');
    expect((await zookeeperState('dev')).releases.gray?.versions).toEqual(['v3']);
    arm('outage');
    const id = await h.request('alice', 'gray cancel mala-core dev');
    await restartAfterRetries();
    expect(outcome(await h.settle(id))).toEqual({ state: 'success', reason: undefined });
    expect(online('dev-gray')).toBe(production);
    expect((await zookeeperState('dev')).releases.gray).toBeUndefined();
  });

  it('when ZooKeeper stays down past recordTimeout during review cancel, then the cancel ends failed saying what to run, and the review release is still recorded', async () => {
    await success('review start mala-core idn appstore v2');
    arm('outage');
    const id = await h.request('alice', 'review cancel mala-core idn appstore');
    try {
      const record = await h.settle(id);
      expect(record.state).toBe('failed');
      expect(record.reason).toContain('the release store could not remove review-appstore within 2 s');
      expect(record.reason).toContain('run `review cancel mala-core idn appstore` once it is back');
    } finally {
      await zk.restart();
    }
    expect((await zookeeperState('idn')).releases['review-appstore']?.versions).toEqual(['v2']);
  });
});
