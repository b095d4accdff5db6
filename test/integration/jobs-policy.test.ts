// Policy around deploys (docs/reference/command-grammar.md lock, §7 approval and requiresPassIn): `dev` (no approval)
// and `brazil` (alice or bob approve, requiresPassIn dev) on local hosts, workers in this
// process. Where the config must change between two moments, the runtime is stopped and
// started again with the changed config on the same Redis prefix and data directory, as an
// operator's restart after editing deploybot.yaml would.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Config, parseConfig } from '../../config/load-config.ts';
import { inState, waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { uploadGate, type UploadGate } from '../fixtures/upload-gate.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';

let base: string;
let repo: TestRepo;
let baseConfig: Config;
let gate: UploadGate;
let h: JobHarness;
const prefix = `policy${randomUUID().slice(0, 8)}`;

const online = (host: string) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core')));
const onlineOrNone = (host: string) => (existsSync(join(base, 'hosts', host, 'data/prod/mala-core')) ? online(host) : 'none');
const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);
const outcome = (r: DeployRecord) => ({ state: r.state, reason: r.reason });

/** The base config with a change, through the real loader (same directory, so the same hosts). */
function changedConfig(change: (document: any) => void): Config {
  const file = join(base, 'deploybot.yaml');
  marketTestConfig(base, repo.dir);
  const document = JSON.parse(readFileSync(file, 'utf8'));
  change(document);
  const text = JSON.stringify(document, null, 2);
  writeFileSync(file, text);
  const loaded = parseConfig(text, file, {});
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.config;
}

/** Stops the running bot and starts it again with `config` on the same Redis prefix and data. */
async function restartWith(config: Config, options: { workers?: boolean } = {}): Promise<void> {
  await h.close();
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix, transport: gate.factory, ...options });
}

/** A brazil deploy of `ref` (passed in dev first), parked on its approval. */
async function awaitingApproval(ref: string, requester = 'alice'): Promise<string> {
  if (!(await h.jobs.rt.history.hasPassed('mala-core', 'dev', repo.commits[ref]!))) {
    expect(outcome(await h.settle(await h.request('alice', `deploy mala-core dev ${ref}`)))).toEqual({ state: 'success', reason: undefined });
  }
  const id = await h.request(requester, `deploy mala-core brazil ${ref}`);
  expect(outcome(await h.settle(id))).toEqual({ state: 'awaiting-approval', reason: undefined });
  return id;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-policy-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'] });
  baseConfig = marketTestConfig(base, repo.dir);
  gate = uploadGate(baseConfig);
  h = await startJobHarness({ config: baseConfig, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix, transport: gate.factory });
});

afterAll(async () => {
  gate?.releaseAll();
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('lock', () => {
  it('when the location is locked while a deploy waits in the queue, then that deploy ends refused naming the lock, and the running one completes', async () => {
    const held = gate.holdNext('dev-1');
    const running = await h.request('alice', 'deploy mala-core dev v1');
    await held.reached;
    const waiting = await h.request('bob', 'deploy mala-core dev v2');
    await waitForNotice(h.jobs.rt, waiting, (n) => n.type === 'job.queued-behind');
    expect((await h.jobs.rt.records.require(waiting)).state).toBe('queued');

    const locked = await h.say('carol', 'lock mala-core dev payment provider migration');
    expect(locked.public[0]?.text).toContain('locked by carol: payment provider migration');
    held.release();

    expect(outcome(await h.settle(running))).toEqual({ state: 'success', reason: undefined });
    expect(outcome(await h.settle(waiting))).toEqual({
      state: 'refused',
      reason: 'mala-core dev was locked by carol while this waited: payment provider migration',
    });
    expect(online('dev-1')).toContain(sha7('v1'));

    // and while it stays locked, a new deploy is refused at once with the reason and the author
    const refused = await h.say('alice', 'deploy mala-core dev v2');
    expect(refused.deployIds).toEqual([]);
    expect(refused.private[0]).toMatch(/locked by carol since .*: payment provider migration\. Nothing was queued/);
    await h.say('carol', 'unlock mala-core dev');
  });
});

describe('requiresPassIn', () => {
  it('when a commit has not deployed successfully on dev, then brazil refuses it; once dev succeeded, the same commit is accepted (even named by its SHA)', async () => {
    const before = onlineOrNone('br-1');
    const first = await h.request('alice', 'deploy mala-core brazil v3');
    expect(outcome(await h.settle(first))).toEqual({
      state: 'refused',
      reason: `commit ${sha7('v3')} (v3) has not deployed successfully on dev yet (requiresPassIn: dev); deploy it there first`,
    });
    expect(onlineOrNone('br-1')).toBe(before);

    expect(outcome(await h.settle(await h.request('alice', 'deploy mala-core dev v3')))).toEqual({ state: 'success', reason: undefined });

    const again = await h.request('alice', `deploy mala-core brazil ${repo.commits.v3}`);
    const parked = await h.settle(again);
    expect(outcome(parked)).toEqual({ state: 'awaiting-approval', reason: undefined });
    expect(parked.plan?.commit).toBe(repo.commits.v3);
    await h.say('bob', `approve ${again}`);
    expect(outcome(await h.settle(again))).toEqual({ state: 'success', reason: undefined });
    for (const host of ['br-1', 'br-2', 'br-gray']) expect(online(host)).toContain(sha7('v3'));
  });
});

describe('approval', () => {
  it('when a second approver clicks after the first decided, then they are told who decided and nothing changes', async () => {
    const id = await awaitingApproval('v4', 'carol');
    expect((await h.say('bob', `approve ${id}`)).private[0]).toBe(`You approved ${id}; it is queued to run.`);
    const late = await h.say('alice', `approve ${id}`);
    expect(late.private[0]).toMatch(new RegExp(`^${id} was already approved by bob at \\d{4}-\\d\\d-\\d\\dT`));
    const lateReject = await h.say('alice', `reject ${id} too risky`);
    expect(lateReject.private[0]).toMatch(new RegExp(`^${id} was already approved by bob at `));
    const record = await h.settle(id);
    expect(outcome(record)).toEqual({ state: 'success', reason: undefined });
    expect(record.approval?.decision).toMatchObject({ decision: 'approved', by: 'console:bob' });
    const audit = await h.jobs.rt.audit.recent(50, (e) => e.deployId === id && e.user === 'console:alice');
    expect(audit.map((e) => e.detail)).toEqual(expect.arrayContaining([expect.stringContaining('refused: ')]));
  });

  for (const [what, change, expected] of [
    ['a hook script', (d: any) => void (d.projects['mala-core'].hooks.afterDeploy = 'echo changed >> ../after-deploy.log'), 'the afterDeploy hook changed'],
    ['the hosts', (d: any) => void (d.markets.brazil.locations.main.hosts = ['br-1', 'br-gray']), 'hosts are now br-1, br-gray (approved: br-1, br-2, br-gray)'],
    ['the build command', (d: any) => void (d.projects['mala-core'].build.command = 'sh build.sh && echo extra > dist/extra.txt'), 'the build command is now "sh build.sh && echo extra > dist/extra.txt" (approved: "sh build.sh")'],
    ['the online path', (d: any) => void (d.projects['mala-core'].path = '/data/prod/elsewhere'), 'path is now "/data/prod/elsewhere" (approved: "/data/prod/mala-core")'],
  ] as const) {
    it(`when ${what} changed in the config between the approval and the run, then the approval is void and the run fails changing nothing`, async () => {
      const id = await awaitingApproval('v5');
      const before = ['br-1', 'br-2', 'br-gray'].map(onlineOrNone);
      // approved while no worker runs, so the run starts only after the config changed
      await restartWith(baseConfig, { workers: false });
      await h.say('bob', `approve ${id}`);
      expect((await h.jobs.rt.records.require(id)).state).toBe('queued');
      await restartWith(changedConfig(change));
      try {
        const record = await waitForDeploy(h.jobs.rt, id, inState('success', 'partial', 'failed', 'cancelled', 'refused'), 30_000);
        expect(outcome(record)).toEqual({
          state: 'failed',
          reason: `the approval is void: ${expected}. Nothing was changed; request the deploy again.`,
        });
        expect(['br-1', 'br-2', 'br-gray'].map(onlineOrNone)).toEqual(before);
        expect((await h.jobs.rt.bus.notices(id)).filter((n) => n.type === 'deploy.started')).toEqual([]);
      } finally {
        await restartWith(baseConfig);
      }
    });
  }

  it('when nobody decides before the approval expires, then the deploy ends expired and a late approval changes nothing', async () => {
    await restartWith(changedConfig((d) => void (d.markets.brazil.approval.expiresAfter = '1s')));
    try {
      expect(outcome(await h.settle(await h.request('alice', 'deploy mala-core dev v6')))).toEqual({ state: 'success', reason: undefined });
      const id = await h.request('alice', 'deploy mala-core brazil v6');
      // the card went out; nobody presses it
      const card = await waitForNotice(h.jobs.rt, id, (n) => n.type === 'job.approval-requested');
      const expiresAt = card.type === 'job.approval-requested' ? card.record.approval!.expiresAt : '';
      const record = await waitForDeploy(h.jobs.rt, id, inState('expired', 'queued', 'running', 'success', 'failed'), 30_000);
      expect(outcome(record)).toEqual({ state: 'expired', reason: `no decision by ${expiresAt}; the deploy is cancelled` });
      expect(Date.parse(expiresAt) - Date.parse(record.createdAt)).toBeLessThan(10_000);
      const late = await h.say('bob', `approve ${id}`);
      expect(late.private[0]).toBe(`${id} expired at ${expiresAt} without a decision; request it again.`);
      expect((await h.jobs.rt.records.require(id)).state).toBe('expired');
      expect((await h.jobs.rt.bus.notices(id)).filter((n) => n.type === 'deploy.started')).toEqual([]);
    } finally {
      await restartWith(baseConfig);
    }
  });
});
