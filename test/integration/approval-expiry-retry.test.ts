// Approval binds the plan, part two (docs/operations.md "What an approval covers"): a card
// cannot be decided after its expiresAt whatever the timers did, and `retry` inherits the
// plan of the deploy it finishes. Local hosts, real Redis and workers, the embedded store.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { inState, waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { startBotWithChat, type BotWithChat } from '../fixtures/bot-with-chat.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

let base: string;
let repo: TestRepo;
let config: Config;
let bot: BotWithChat;
const h = () => bot.h;
const BRAZIL = ['br-1', 'br-2', 'br-gray'];
const ENDED = inState('success', 'partial', 'failed', 'cancelled', 'refused', 'expired', 'rejected');

const onlineOrNone = (host: string) => {
  const path = join(base, 'hosts', host, 'data/prod/mala-core');
  return existsSync(path) ? basename(realpathSync(path)) : 'none';
};
const outcome = (r: DeployRecord) => ({ state: r.state, reason: r.reason });
const started = async (id: string) => (await h().jobs.rt.bus.notices(id)).filter((n) => n.type === 'deploy.started');

async function parked(ref: string, requester = 'alice'): Promise<DeployRecord> {
  if (!(await h().jobs.rt.history.hasPassed('mala-core', 'dev', repo.commits[ref]!))) {
    expect(outcome(await h().settle(await h().request('alice', `deploy mala-core dev ${ref}`)))).toEqual({ state: 'success', reason: undefined });
  }
  const record = await h().settle(await h().request(requester, `deploy mala-core brazil ${ref}`));
  expect(outcome(record)).toEqual({ state: 'awaiting-approval', reason: undefined });
  return record;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-expiry-retry-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3', 'v4', 'v5'] });
  // a commit whose build fails: a deploy of it ends failed
  writeFileSync(join(repo.dir, 'build.sh'), '#!/bin/sh\necho "build broken" >&2\nexit 1\n', { mode: 0o755 });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: repo.dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: repo.dir } }).toString().trim();
  git('commit', '--quiet', '-am', 'broken build');
  git('tag', 'broken');
  // beforeDeploy fails on a host while a marker file is there: a deploy that fails in its run
  config = marketTestConfig(base, repo.dir, { hooks: { beforeDeploy: 'test ! -e ../../../fail-before-deploy', afterDeploy: 'echo "$DEPLOY_ID $VERSION" >> ../after-deploy.log' } });
  bot = await startBotWithChat({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var') });
});

afterAll(async () => {
  await bot?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('expired cards', () => {
  it('when the approve comes after expiresAt while no worker ran the expiry, then it is answered expired, the deploy ends expired and never runs', async () => {
    const card = await parked('v1');
    const expiresAt = card.approval!.expiresAt;
    const hosts = BRAZIL.map(onlineOrNone);
    await bot.restart({ workers: false, now: () => new Date(Date.parse(expiresAt) + 1000) });
    const late = await h().say('bob', `approve ${card.id}`);
    expect(late.private).toEqual([`${card.id} expired at ${expiresAt} without a decision; request it again.`]);
    expect(outcome(await h().jobs.rt.records.require(card.id))).toEqual({ state: 'expired', reason: `no decision by ${expiresAt}; the deploy is cancelled` });

    await bot.restart();
    expect(outcome(await waitForDeploy(h().jobs.rt, card.id, ENDED, 10_000))).toEqual({ state: 'expired', reason: `no decision by ${expiresAt}; the deploy is cancelled` });
    expect((await bot.chat(card.id)).join('\n')).toContain('approval expired');
    expect(BRAZIL.map(onlineOrNone)).toEqual(hosts);
    expect(await started(card.id)).toEqual([]);
  });

  it('when a queued run carries an approval decided after expiresAt, then it ends expired and changes nothing', async () => {
    const card = await parked('v2');
    const hosts = BRAZIL.map(onlineOrNone);
    await bot.restart({ workers: false });
    // what a bot without the expiry rule wrote: the click landed a minute after expiresAt
    const lateAt = new Date(Date.parse(card.approval!.expiresAt) + 60_000).toISOString();
    await h().jobs.rt.records.update(card.id, (r) => ({ ...r, state: 'queued', approval: { ...r.approval!, approvedBy: ['bob'], decision: { decision: 'approved', by: 'bob', at: lateAt } } }));
    await h().jobs.rt.enqueue('run', card.id);
    await bot.restart();
    expect(outcome(await waitForDeploy(h().jobs.rt, card.id, ENDED, 30_000))).toEqual({
      state: 'expired',
      reason: `approved at ${lateAt}, after the card expired at ${card.approval!.expiresAt}; nothing was changed, request it again`,
    });
    expect(BRAZIL.map(onlineOrNone)).toEqual(hosts);
    expect(await started(card.id)).toEqual([]);
  });
});

describe('retry', () => {
  it('when an approved deploy stopped on a changed package checksum, then a non-approver may not retry it and an approver\'s retry stops before shipping the unapproved build', async () => {
    // a build that differs every time it really runs (a random file in its output)
    const nondeterministic = marketTestConfig(base, repo.dir, { hooks: config.projects['mala-core']!.hooks, build: { command: 'sh build.sh && head -c 16 /dev/urandom | od -An -tx1 > dist/nonce.txt', output: 'dist' } });
    await bot.restart({ config: nondeterministic });
    try {
      const card = await parked('v3');
      const approvedSha = card.plan!.packageSha256!;
      const hosts = BRAZIL.map(onlineOrNone);
      for (const cache of ['builds', 'packages']) rmSync(join(base, 'var', cache, 'mala-core'), { recursive: true, force: true });
      await h().say('bob', `approve ${card.id}`);
      const stopped = await h().settle(card.id);
      expect(stopped.state).toBe('failed');
      expect(stopped.reason).toContain(`not the approved ${approvedSha.slice(0, 12)}`);

      const stranger = await h().say('mallory', `retry ${card.id}`);
      expect(stranger.deployIds).toEqual([]);
      expect(stranger.private[0]).toBe(`Only the requester (alice) or an approver of brazil (alice, bob) may retry ${card.id}; nothing was queued.`);

      const retry = await h().request('bob', `retry ${card.id}`);
      const record = await h().settle(retry);
      expect(record.state).toBe('failed');
      expect(record.reason).toContain(`not the approved ${approvedSha.slice(0, 12)}`);
      expect(BRAZIL.map(onlineOrNone)).toEqual(hosts);
      const result = JSON.parse((await h().jobs.rt.redis.get(h().jobs.rt.keys.deployResult(retry)))!) as { bytesUploaded: number };
      expect(result.bytesUploaded).toBe(0);
      expect((await bot.chat(retry)).join('\n')).toContain('the approval does not cover this build');
    } finally {
      await bot.restart({ config });
    }
  });

  it('when another deploy changed the location after a failed deploy ended, then its retry is refused at once naming that deploy', async () => {
    const marker = join(base, 'hosts', 'dev-1', 'data', 'fail-before-deploy');
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, '');
    const old = await h().request('alice', 'deploy mala-core dev v4');
    expect((await h().settle(old)).state).toBe('failed');
    rmSync(marker);
    const newer = await h().request('alice', 'deploy mala-core dev v5');
    expect(outcome(await h().settle(newer))).toEqual({ state: 'success', reason: undefined });
    const online = onlineOrNone('dev-1');

    const answer = await h().say('alice', `retry ${old}`);
    expect(answer.deployIds).toEqual([]);
    expect(answer.private[0]).toBe(`Refused: ${old} cannot be retried: production changed since ${old} ended: it is now v5 from ${newer} (the plan started from production of ${(await h().jobs.rt.records.require(old)).endState!.production}). Nothing was queued; request a new deploy instead.`);
    expect(onlineOrNone('dev-1')).toBe(online);
    expect((await h().jobs.rt.records.history('mala-core', 'dev', 1))[0]!.id).toBe(newer);
  });

  it('when a deploy failed before it ran (its build failed), then a retry is refused at once: there is nothing to finish', async () => {
    const broken = await h().request('alice', 'deploy mala-core dev broken');
    const failed = await h().settle(broken);
    expect(failed.state).toBe('failed');
    const answer = await h().say('alice', `retry ${broken}`);
    expect(answer.deployIds).toEqual([]);
    expect(answer.private[0]).toBe(`${broken} failed before it ran (${failed.reason}); there is nothing to finish, request it again.`);
  });
});
