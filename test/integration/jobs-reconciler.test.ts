// No stuck deploys (docs/operations.md "Stuck deploys"), on the real Redis with BullMQ
// workers and real git builds on local hosts: a deploy whose worker died and whose job was
// removed is resumed by the reconciler once it has gone without job and lease for the grace
// period; one resumed too often is ended `failed` and its location is free; `cancel --force`
// ends a stuck deploy at once, frees its location, and the next deploy runs.
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { prepareDeploy } from '../../src/app/prepare-deploy.ts';
import { startJobs, type RunningJobs } from '../../src/app/start-jobs.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { createDeployWorker } from '../../jobs/deploy-worker.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';

const GRACE_MS = 1500;
const prefix = `reconcile${process.pid}`;
let base: string;
let repo: TestRepo;
let config: Config;
let h: JobHarness;
let workers: RunningJobs | undefined;

const online = (host: string) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core')));
const outcome = (r: { state: string; reason?: string }) => (r.reason ? { state: r.state, reason: r.reason } : { state: r.state });
const startWorkers = async () => {
  workers = await startJobs({ config, commands: projectCommands(), workers: (rt) => createDeployWorker(rt), redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix, logger: createLogger({ level: 'silent' }), reconcile: { graceMs: GRACE_MS, everyMs: 200 } });
};
/** A deploy record as a dead worker left it (no job, no lease). */
const leftBehind = (patch: Partial<DeployRecord>) => h.jobs.rt.records.create({
  verb: 'deploy', command: 'deploy mala-core dev v1', project: 'mala-core', market: 'dev', location: 'main', release: 'production', ref: 'v1', version: 'v1',
  hosts: ['dev-1'], requestedBy: 'console:alice', platform: 'console', channel: 'C0TEST', state: 'running', ...patch,
});

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-reconcile-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3'] });
  // afterDeploy waits for `go` while `hold` exists (in the host's releases dir): a test can act while a deploy switches
  config = marketTestConfig(base, repo.dir, { hooks: { afterDeploy: 'while [ -e ../hold ] && [ ! -e ../go ]; do sleep 0.05; done' } });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix, workers: false });
});

afterAll(async () => {
  await workers?.close();
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('the reconciler', () => {
  it('when a running deploy lost its worker and its job, and a queued one behind it lost its job, then both are resumed after the grace period and succeed in order', async () => {
    const rt = h.jobs.rt;
    const running = await h.request('alice', 'deploy mala-core dev v1');
    expect(await prepareDeploy(rt, running)).toEqual({ kind: 'done' });
    await rt.setState(running, ['queued'], 'running', { startedAt: new Date().toISOString() });
    await rt.queue.remove(`${running}.run`);
    const queued = await h.request('alice', 'deploy mala-core dev v2');
    expect(await prepareDeploy(rt, queued)).toEqual({ kind: 'done' });
    await rt.queue.remove(`${queued}.run`);
    expect(await rt.queue.getJob(`${running}.run`)).toBeUndefined();

    const startedAt = Date.now();
    await startWorkers();
    const first = await h.settle(running);
    const second = await h.settle(queued);
    expect(outcome(first)).toEqual({ state: 'success' });
    expect(outcome(second)).toEqual({ state: 'success' });
    expect(online('dev-1')).toContain(repo.commits.v2!.slice(0, 7));
    for (const id of [running, queued]) {
      const note = await waitForNotice(rt, id, (n) => n.type === 'job.note' && n.text.includes('it is resumed where it stopped'));
      const after = Date.parse(note.at) - startedAt;
      expect(after).toBeGreaterThanOrEqual(GRACE_MS);
      expect(after).toBeLessThan(GRACE_MS + 10_000);
      expect((await rt.records.require(id)).reconcilerResumes).toBe(1);
    }
    expect(Date.parse(first.finishedAt!)).toBeLessThan(Date.parse(second.startedAt!));
  });

  it('when a stuck deploy was resumed too often already, then it ends failed with the reason and the next deploy of its location runs', async () => {
    const stuck = await leftBehind({ reconcilerResumes: 3 });
    const record = await h.settle(stuck.id);
    expect(record.state).toBe('failed');
    expect(record.reason).toContain('after 3 resumes');
    expect(await h.jobs.rt.locationLock.holder('mala-core', 'dev', 'main')).toBeUndefined();
    const next = await h.settle(await h.request('alice', 'deploy mala-core dev v3'));
    expect(outcome(next)).toEqual({ state: 'success' });
    expect(online('dev-1')).toContain(repo.commits.v3!.slice(0, 7));
  });

  it('when a deploy holds its lease (a live execution), then the reconciler leaves it alone past the grace period', async () => {
    const rt = h.jobs.rt;
    const live = await leftBehind({ location: 'appstore', market: 'brazil', release: 'review-appstore', hosts: ['br-rev'] });
    await rt.locationLock.acquire('mala-core', 'brazil', 'appstore', `${live.id}/alive`);
    const seen = await rt.redis.get(rt.keys.stuckSince(live.id));
    expect(seen).toBeNull();
    // two grace periods of passes
    const until = Date.now() + 2 * GRACE_MS;
    while (Date.now() < until) await rt.locationLock.acquire('mala-core', 'brazil', 'appstore', `${live.id}/alive`).then(() => new Promise((r) => setTimeout(r, 200)));
    expect((await rt.records.require(live.id)).state).toBe('running');
    expect(await rt.redis.get(rt.keys.stuckSince(live.id))).toBeNull();
    await rt.records.transition(live.id, ['running'], 'failed', { reason: 'test cleanup' });
    await rt.locationLock.release('mala-core', 'brazil', 'appstore', `${live.id}/alive`);
  });
});

describe('cancel --force', () => {
  it('when a running deploy is stuck holding its location, then cancel --force ends it at once, frees the location, and the deploy queued behind it runs', async () => {
    const rt = h.jobs.rt;
    // its worker hangs and keeps the lease: neither the reconciler nor a plain cancel would end it
    const stuck = await leftBehind({});
    await rt.locationLock.acquire('mala-core', 'dev', 'main', `${stuck.id}/hung`);
    await rt.redis.pexpire(rt.keys.locationLock('mala-core', 'dev', 'main'), 600_000);
    const behind = await h.request('alice', 'deploy mala-core dev v1');
    await waitForNotice(rt, behind, (n) => n.type === 'job.queued-behind' && n.behind === stuck.id);

    const answer = await h.say('carol', `cancel ${stuck.id} --force`);
    expect(answer.private[0]).toBe(`${stuck.id} is cancelled (it was running); mala-core dev main is free. Hosts may be part-way: \`status\` shows what each serves; an execution still running stops at its next safe point and records nothing.`);
    expect(outcome(await rt.records.require(stuck.id))).toEqual({ state: 'cancelled', reason: 'force-cancelled by carol while running' });
    const holder = await rt.locationLock.holder('mala-core', 'dev', 'main');
    expect(holder?.startsWith(`${stuck.id}/`)).not.toBe(true);
    expect(outcome(await h.settle(behind))).toEqual({ state: 'success' });
    expect(online('dev-1')).toContain(repo.commits.v1!.slice(0, 7));
    const audit = await rt.audit.recent(20, (e) => e.deployId === stuck.id);
    expect(audit.map((e) => `${e.user} ${e.action}`)).toEqual(expect.arrayContaining(['console:carol cancel --force', 'console:carol state:cancelled']));
  });

  it('when a deploy is force-cancelled while its execution is switching, then that execution finishes the switch but records nothing, and the next deploy runs', async () => {
    const rt = h.jobs.rt;
    const releases = join(base, 'hosts', 'dev-1', 'data/codes/mala-core');
    const before = (await rt.releases.read('mala-core', 'dev')).releases.production?.current?.deployId;
    writeFileSync(join(releases, 'hold'), '');
    try {
      const id = await h.request('alice', 'deploy mala-core dev v2');
      await waitForNotice(rt, id, (n) => n.type === 'host.started' && n.step === 'afterDeploy' && n.host === 'dev-1');
      const answer = await h.say('alice', `cancel ${id} --force`);
      expect(answer.private[0]).toContain(`${id} is cancelled (it was running)`);
      expect(await rt.locationLock.holder('mala-core', 'dev', 'main')).toBeUndefined();
      writeFileSync(join(releases, 'go'), '');
      // the execution stops: its record step refuses to write for a deploy that has ended
      await waitForNotice(rt, id, (n) => n.type === 'deploy.finished');
      expect(outcome(await rt.records.require(id))).toEqual({ state: 'cancelled', reason: 'force-cancelled by alice while running' });
      expect((await rt.releases.read('mala-core', 'dev')).releases.production?.current?.deployId).toBe(before);
    } finally {
      rmSync(join(releases, 'hold'), { force: true });
      rmSync(join(releases, 'go'), { force: true });
    }
    const next = await h.settle(await h.request('alice', 'deploy mala-core dev v3'));
    expect(outcome(next)).toEqual({ state: 'success' });
    expect((await rt.releases.read('mala-core', 'dev')).releases.production?.current?.deployId).toBe(next.id);
  });

  it('when approval is configured, then only an approver may force-cancel, not the requester', async () => {
    const parked = await leftBehind({ market: 'brazil', requestedBy: 'console:carol', state: 'awaiting-approval', command: 'deploy mala-core brazil v1' });
    const refused = await h.say('carol', `cancel ${parked.id} --force`);
    expect(refused.private.join(' ')).toContain(`Only an approver of brazil (alice, bob) may force-cancel ${parked.id}`);
    expect((await h.jobs.rt.records.require(parked.id)).state).toBe('awaiting-approval');
    const answer = await h.say('bob', `cancel ${parked.id} --force`);
    expect(answer.private[0]).toContain(`${parked.id} is cancelled (it was awaiting-approval)`);
    expect(outcome(await h.jobs.rt.records.require(parked.id))).toEqual({ state: 'cancelled', reason: 'force-cancelled by bob while awaiting-approval' });
  });
});
