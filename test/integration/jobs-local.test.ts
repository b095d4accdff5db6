// The job layer end to end on local hosts: commands through the real router, BullMQ
// workers on the real Redis, the embedded release store, real git builds.
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

let base: string;
let repo: TestRepo;
let config: Config;
let h: JobHarness;
const online = (host: string) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core')));
const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);
/** State and reason together, so a failure shows why. */
const outcome = (r: { state: string; reason?: string }) => (r.reason ? { state: r.state, reason: r.reason } : { state: r.state });

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-jobs-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3', 'v4'] });
  config = marketTestConfig(base, repo.dir);
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var') });
});

afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('deploys as jobs', () => {
  it('when a deploy to dev is requested, then its id is answered at once and the host switches to the release', async () => {
    const answer = await h.say('alice', 'deploy mala-core dev v1');
    expect(answer.private[0]).toMatch(/^d-\d{8}-\d{4} accepted: deploy mala-core v1 → dev/);
    const record = await h.settle(answer.deployIds[0]!);
    expect(record.state).toBe('success');
    expect(online('dev-1')).toMatch(new RegExp(`^v1-\\d{14}-${sha7('v1')}$`));
    const state = await h.jobs.rt.releases.read('mala-core', 'dev');
    expect(state.defaultRelease).toBe('production');
    expect(state.releases.production?.current).toMatchObject({ version: 'v1', commit: repo.commits.v1, deployId: record.id, by: 'console:alice' });
  });

  it('when a commit has not passed dev, then a brazil deploy is refused and nothing is deployed', async () => {
    const id = await h.request('alice', 'deploy mala-core brazil v2');
    const record = await h.settle(id);
    expect(record.state).toBe('refused');
    expect(record.reason).toContain('has not deployed successfully on dev');
  });

  it('when a brazil deploy needs approval, then the requester and a stranger cannot approve and an approver can', async () => {
    const id = await h.request('alice', 'deploy mala-core brazil v1');
    expect((await h.settle(id)).state).toBe('awaiting-approval');
    expect((await h.say('alice', `approve ${id}`)).private[0]).toContain('You requested');
    expect((await h.say('mallory', `approve ${id}`)).private[0]).toContain('Only alice, bob may decide');
    expect((await h.jobs.rt.records.require(id)).state).toBe('awaiting-approval');
    expect((await h.say('bob', `approve ${id}`)).private[0]).toContain('You approved');
    expect((await h.say('alice', `approve ${id}`)).private[0]).toContain('already approved by bob');
    const record = await h.settle(id);
    expect(record.state).toBe('success');
    for (const host of ['br-1', 'br-2', 'br-gray']) expect(online(host)).toContain(sha7('v1'));
    const log = readFileSync(join(base, 'hosts', 'br-1', 'data/codes/mala-core/after-deploy.log'), 'utf8');
    expect(log.trim().split('\n')).toEqual([`${id} v1`]);
  });

  it('when the location is locked, then a deploy is refused with the reason and who locked it, and nothing is queued', async () => {
    await h.say('carol', 'lock mala-core brazil freeze for the carnival');
    const answer = await h.say('alice', 'deploy mala-core brazil v1');
    expect(answer.deployIds).toEqual([]);
    expect(answer.private[0]).toContain('locked by carol');
    expect(answer.private[0]).toContain('freeze for the carnival');
    await h.say('carol', 'unlock mala-core brazil');
  });

  it('when gray starts, then only the gray host switches; a second gray is refused naming the active one; promote makes it production', async () => {
    await h.settle(await h.request('alice', 'deploy mala-core dev v2'));
    const gray = await h.request('alice', 'gray start mala-core brazil v2');
    expect((await h.settle(gray)).state).toBe('awaiting-approval');
    await h.say('bob', `approve ${gray}`);
    expect((await h.settle(gray)).state).toBe('success');
    expect(online('br-gray')).toContain(sha7('v2'));
    expect(online('br-1')).toContain(sha7('v1'));

    const second = await h.say('alice', 'gray start mala-core brazil v2');
    expect(second.deployIds).toEqual([]);
    expect(second.private[0]).toContain(`gray v2 (deploy ${gray}`);

    const promote = await h.request('alice', 'gray promote mala-core brazil');
    await h.settle(promote);
    await h.say('bob', `approve ${promote}`);
    expect(outcome(await h.settle(promote))).toEqual({ state: 'success' });
    for (const host of ['br-1', 'br-2', 'br-gray']) expect(online(host)).toContain(sha7('v2'));
    const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
    expect(state.releases.gray).toBeUndefined();
    expect(state.releases.production?.versions).toEqual(['v1', 'v2']);
  });

  it('when a review is started and promoted, then production gets its version without a redeploy', async () => {
    const start = await h.request('alice', 'review start mala-core brazil appstore v3');
    expect((await h.settle(start)).state).toBe('success');
    expect(online('br-rev')).toContain(sha7('v3'));
    const before = online('br-1');
    const promote = await h.request('alice', 'review promote mala-core brazil appstore');
    await h.settle(promote);
    await h.say('bob', `approve ${promote}`);
    expect((await h.settle(promote)).state).toBe('success');
    const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
    expect(state.releases.production?.versions).toEqual(['v1', 'v2', 'v3']);
    expect(state.releases['review-appstore']).toBeUndefined();
    expect(online('br-1')).toBe(before);
  });

  it('when production is rolled back, then the hosts switch to the previous release with no upload', async () => {
    const v1 = online('br-1');
    const id = await h.request('alice', 'rollback mala-core brazil');
    await h.settle(id);
    await h.say('bob', `approve ${id}`);
    const record = await h.settle(id);
    expect(outcome(record)).toEqual({ state: 'success' });
    expect(online('br-1')).not.toBe(v1);
    expect(online('br-1')).toContain(sha7('v1'));
    const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
    expect(state.releases.production?.current?.version).toBe('v1');
  });

  it('when gray is cancelled, then the gray host is back on production\'s release before gray is removed', async () => {
    const production = online('br-1');
    const gray = await h.request('alice', 'gray start mala-core brazil v4');
    await h.settle(await h.request('alice', 'deploy mala-core dev v4'));
    expect((await h.settle(gray)).state).toBe('refused');
    const retryGray = await h.request('alice', 'gray start mala-core brazil v4');
    await h.settle(retryGray);
    await h.say('bob', `approve ${retryGray}`);
    expect((await h.settle(retryGray)).state).toBe('success');
    expect(online('br-gray')).toContain(sha7('v4'));
    const cancel = await h.request('alice', 'gray cancel mala-core brazil');
    expect(outcome(await h.settle(cancel))).toEqual({ state: 'success' });
    expect(online('br-gray')).toBe(production);
    const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
    expect(state.releases.gray).toBeUndefined();
    expect(state.releases.production?.current?.version).toBe('v1');
  });

  it('when a review is cancelled, then its release is removed and production is untouched', async () => {
    const versions = (await h.jobs.rt.releases.read('mala-core', 'brazil')).releases.production?.versions;
    const start = await h.request('alice', 'review start mala-core brazil appstore v4');
    expect((await h.settle(start)).state).toBe('success');
    const cancel = await h.request('alice', 'review cancel mala-core brazil appstore');
    expect(outcome(await h.settle(cancel))).toEqual({ state: 'success' });
    const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
    expect(state.releases['review-appstore']).toBeUndefined();
    expect(state.releases.production?.versions).toEqual(versions);
  });

  it('when two deploys target one location, then they run one after the other', async () => {
    const first = await h.request('alice', 'deploy mala-core dev v3');
    const second = await h.say('alice', 'deploy mala-core dev v4');
    const [a, b] = await Promise.all([h.settle(first), h.settle(second.deployIds[0]!)]);
    expect(a.state).toBe('success');
    expect(b.state).toBe('success');
    expect(Date.parse(b.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt!));
    expect(online('dev-1')).toContain(sha7('v4'));
  });

  it('when a deploy awaiting approval is cancelled, then it ends cancelled and nothing changes', async () => {
    const id = await h.request('alice', 'deploy mala-core brazil v3');
    expect((await h.settle(id)).state).toBe('awaiting-approval');
    const before = online('br-1');
    await h.say('alice', `cancel ${id}`);
    expect((await h.settle(id)).state).toBe('cancelled');
    expect((await h.say('bob', `approve ${id}`)).private[0]).toContain('cancelled');
    expect(online('br-1')).toBe(before);
  });

  it('when a deploy is a dry run, then the plan is answered at once with no id and nothing changes', async () => {
    const before = online('dev-1');
    const historyBefore = await h.jobs.rt.records.history('mala-core', 'dev', 100);
    const answer = await h.say('alice', 'deploy mala-core dev v2 --dry-run');
    expect(answer.deployIds).toEqual([]);
    expect(answer.private[0]).toContain('dry run: deploy mala-core v2 → dev (production); nothing was changed');
    expect(answer.private[0]).toMatch(new RegExp(`release id v2-\\d{14}-${sha7('v2')}`));
    expect(answer.private[0]).toContain(`dev-1: now ${before}`);
    expect(answer.private[0]).toContain('hook afterDeploy (each host)');
    expect(online('dev-1')).toBe(before);
    expect(await h.jobs.rt.records.history('mala-core', 'dev', 100)).toHaveLength(historyBefore.length);
  });

  it('when history is asked, then the deploys show with their outcome', async () => {
    const answer = await h.say('alice', 'history mala-core brazil 20');
    expect(answer.public[0]?.text).toMatch(/deploy v1 \(production\) by alice: success in/);
    expect(answer.public[0]?.text).toMatch(/refused/);
  });
});
