// The drift watch (docs/operations.md, "Hosts that join or drift"): one warning per drift
// episode, not one per check; with `autoSync: true` the watch queues `sync` itself and the
// host converges to its recorded release.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { watchDrift } from '../../src/app/drift-watch.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';


/** Generous: real builds and sshd under a loaded machine. */
const settle = (h: JobHarness, id: string) => waitForDeploy(h.jobs.rt, id, undefined, 150_000);
let base: string;
let repo: TestRepo;

function driftConfig(dir: string, market: Record<string, unknown>): Config {
  mkdirSync(dir, { recursive: true });
  return writeTestConfig(dir, {
    hosts: { 'dev-1': { local: 'hosts/dev-1' }, 'dev-2': { local: 'hosts/dev-2' } },
    markets: { dev: { approval: 'none', ...market, locations: { main: { role: 'production', hosts: ['dev-1', 'dev-2'] } } } },
    projects: {
      'mala-core': {
        repo: repo.dir,
        build: { command: 'sh build.sh', output: 'dist' },
        path: '/data/prod/mala-core',
        releasesDir: '/data/codes/mala-core',
        hooks: { afterDeploy: 'echo "$DEPLOY_ID $RELEASE_ID" >> ../after-deploy.log' },
        markets: ['dev'],
      },
    },
  });
}

const linkOf = (dir: string, host: string) => join(dir, 'hosts', host, 'data/prod/mala-core');
const hookLines = (dir: string, host: string) => {
  const file = join(dir, 'hosts', host, 'data/codes/mala-core/after-deploy.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
};

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-drift-'));
  repo = makeGitRepo(join(base, 'repo'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('drift watch', () => {
  let h: JobHarness;
  const dir = () => join(base, 'watch');

  beforeAll(async () => {
    h = await startJobHarness({ config: driftConfig(dir(), {}), redisUrl: inject('redisUrl'), dataDir: join(dir(), 'var') });
  });
  afterAll(async () => h?.close());

  it('when a host drifts, then one warning names it and the sync command, once per episode', async () => {
    const deploy = await h.request('alice', 'deploy mala-core dev v1');
    expect((await settle(h, deploy)).state).toBe('success');
    expect(await watchDrift(h.jobs.rt, 'dev')).toEqual([]);

    const link = linkOf(dir(), 'dev-2');
    const recorded = readlinkSync(link);
    unlinkSync(link);
    const first = await watchDrift(h.jobs.rt, 'dev');
    expect(first.map((w) => [w.kind, w.details.hosts, w.details.command])).toEqual([['hosts_drifted', ['dev-2'], 'sync mala-core dev']]);
    expect(first[0]!.message).toContain('dev-2: new, gets');
    // the same episode: no second warning, however often it is checked
    expect(await watchDrift(h.jobs.rt, 'dev')).toEqual([]);
    expect(await watchDrift(h.jobs.rt, 'dev')).toEqual([]);

    // fixed by hand: the episode ends; a new drift is a new episode
    symlinkSync(recorded, link);
    expect(await watchDrift(h.jobs.rt, 'dev')).toEqual([]);
    unlinkSync(link);
    symlinkSync('../codes/mala-core/elsewhere', link);
    const second = await watchDrift(h.jobs.rt, 'dev');
    expect(second.map((w) => w.details.hosts)).toEqual([['dev-2']]);
    expect(second[0]!.message).toContain('dev-2: drifted from');

    // posted in the thread of the deploy that recorded the release
    const warnings = (await h.jobs.rt.bus.notices(deploy)).filter((n) => n.type === 'job.warning');
    expect(warnings).toHaveLength(2);
    unlinkSync(link);
    symlinkSync(recorded, link);
  }, 300_000);
});

describe('drift watch with autoSync', () => {
  it('when driftCheck finds a host off its record and autoSync is on, then a sync by deploybot brings it back', async () => {
    const dir = join(base, 'auto');
    const h = await startJobHarness({ config: driftConfig(dir, { driftCheck: '1s', autoSync: true }), redisUrl: inject('redisUrl'), dataDir: join(dir, 'var') });
    try {
      const deploy = await h.request('alice', 'deploy mala-core dev v2');
      const record = await settle(h, deploy);
      expect(record.state).toBe('success');
      const link = linkOf(dir, 'dev-1');
      const recorded = readlinkSync(link);
      expect(recorded).toContain(record.releaseId!);
      unlinkSync(link);
      // the scheduled check (every 1 s) finds it, warns once and queues a sync
      const synced = await waitUntil(async () => {
        const records = await h.jobs.rt.records.history('mala-core', 'dev', 10);
        return records.find((r) => r.verb === 'sync' && r.state === 'success');
      }, { what: 'the drift watch to sync dev-1', timeoutMs: 120_000, intervalMs: 200 });
      expect(synced.requestedBy).toBe('console:deploybot');
      expect(readlinkSync(link)).toBe(recorded);
      expect(hookLines(dir, 'dev-1').filter((l) => l.startsWith(synced.id))).toEqual([`${synced.id} ${record.releaseId}`]);
      expect(hookLines(dir, 'dev-2').some((l) => l.startsWith(synced.id))).toBe(false);
      const warnings = (await h.jobs.rt.bus.notices(deploy)).filter((n) => n.type === 'job.warning');
      expect(warnings).toHaveLength(1);
      expect(JSON.stringify(warnings[0])).toContain(`autoSync queued \`sync mala-core dev\` (${synced.id})`);
    } finally {
      await h.close();
    }
  }, 300_000);
});
