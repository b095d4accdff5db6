// Approval binds the plan (docs/operations.md "What an approval covers"): the attacks on the
// approval of review/gray promotes and of deploys approved out of order, and rollback's
// target chosen when the command is accepted. Local hosts, real Redis and workers, the
// embedded release store, a real notifier rendering what the channel shows.
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { startBotWithChat, type BotWithChat } from '../fixtures/bot-with-chat.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { uploadGate, type UploadGate } from '../fixtures/upload-gate.ts';

let base: string;
let repo: TestRepo;
let gate: UploadGate;
let bot: BotWithChat;
const h = () => bot.h;
const BRAZIL = ['br-1', 'br-2', 'br-gray'];

const onlineOrNone = (host: string) => {
  const path = join(base, 'hosts', host, 'data/prod/mala-core');
  return existsSync(path) ? basename(realpathSync(path)) : 'none';
};
const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);
const outcome = (r: DeployRecord) => ({ state: r.state, reason: r.reason });
const brazil = () => h().jobs.rt.releases.read('mala-core', 'brazil');

/** Passes dev first when needed, then parks a brazil `command` on its card. */
async function parked(command: string, ref?: string, requester = 'alice'): Promise<string> {
  if (ref && !(await h().jobs.rt.history.hasPassed('mala-core', 'dev', repo.commits[ref]!))) {
    expect(outcome(await h().settle(await h().request('alice', `deploy mala-core dev ${ref}`)))).toEqual({ state: 'success', reason: undefined });
  }
  const id = await h().request(requester, command);
  expect(outcome(await h().settle(id))).toEqual({ state: 'awaiting-approval', reason: undefined });
  return id;
}

async function approved(id: string): Promise<DeployRecord> {
  expect((await h().say('bob', `approve ${id}`)).private[0]).toBe(`You approved ${id}; it is queued to run.`);
  return h().settle(id);
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-binds-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'] });
  const config = marketTestConfig(base, repo.dir);
  gate = uploadGate(config);
  bot = await startBotWithChat({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), transport: gate.factory });
});

afterAll(async () => {
  gate?.releaseAll();
  await bot?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('rollback', () => {
  it('when no earlier production release can be resolved, then rollback is refused at once and nothing is queued', async () => {
    const answer = await h().say('alice', 'rollback mala-core brazil');
    expect(answer.deployIds).toEqual([]);
    expect(answer.private[0]).toBe('Refused: mala-core brazil has no earlier production release deploybot knows of to roll back to; name one with `rollback mala-core brazil <deploy-id>` from `history mala-core brazil`. Nothing was queued.');
    expect(await h().jobs.rt.records.history('mala-core', 'brazil', 10)).toEqual([]);
  });
});

describe('deploy cards approved out of order', () => {
  it('when v4 is approved before the older v3 card, then the v3 approval is void and production stays on v4', async () => {
    expect(outcome(await approved(await parked('deploy mala-core brazil v1', 'v1')))).toEqual({ state: 'success', reason: undefined });
    const older = await parked('deploy mala-core brazil v3', 'v3');
    const newer = await parked('deploy mala-core brazil v4', 'v4');
    expect(outcome(await approved(newer))).toEqual({ state: 'success', reason: undefined });
    const onV4 = BRAZIL.map(onlineOrNone);
    for (const host of onV4) expect(host).toContain(sha7('v4'));

    const record = await approved(older);
    expect(outcome(record)).toEqual({
      state: 'failed',
      reason: `the approval is void: production changed since the plan was made: it is now v4 from ${newer} (the plan started from production of ${record.plan!.startsFrom!.production}). Nothing was changed; request the deploy again.`,
    });
    expect(BRAZIL.map(onlineOrNone)).toEqual(onV4);
    expect((await brazil()).releases.production?.current).toMatchObject({ version: 'v4', deployId: newer });
    expect((await h().jobs.rt.bus.notices(older)).filter((n) => n.type === 'deploy.started')).toEqual([]);
    expect((await bot.chat(older)).join('\n')).toContain(`production changed since the plan was made: it is now v4 from ${newer}`);
  });
});

describe('review promote', () => {
  it('when `review start` of a newer version is tried while the promote card waits, then it is refused naming the promote, and approving appends exactly the card\'s version', async () => {
    expect(outcome(await h().settle(await h().request('carol', 'review start mala-core brazil appstore v5')))).toEqual({ state: 'success', reason: undefined });
    const promote = await parked('review promote mala-core brazil appstore');
    expect((await bot.chat(promote)).join('\n')).toContain('versions: v5');

    const swap = await h().say('carol', 'review start mala-core brazil appstore v6');
    expect(swap.deployIds).toEqual([]);
    expect(swap.private[0]).toBe(`Refused: review promote ${promote} of review-appstore is awaiting-approval; a review start now would change what it promotes. Wait for it, or \`review cancel mala-core brazil appstore\` (which voids it). Nothing was queued.`);
    expect((await brazil()).releases['review-appstore']?.versions).toEqual(['v5']);
    expect(onlineOrNone('br-rev')).toContain(sha7('v5'));

    expect(outcome(await approved(promote))).toEqual({ state: 'success', reason: undefined });
    const state = await brazil();
    expect(state.releases.production?.versions).toEqual(['v1', 'v4', 'v5']);
    expect(state.releases['review-appstore']).toBeUndefined();
  });

  it('when the review release changed after the card was made (a start that was already running), then approving it changes nothing and says what differed', async () => {
    expect(outcome(await h().settle(await h().request('carol', 'review start mala-core brazil appstore v6')))).toEqual({ state: 'success', reason: undefined });
    const v6 = (await brazil()).releases['review-appstore']!.current!.deployId;
    const held = gate.holdNext('br-rev');
    const newer = await h().request('carol', 'review start mala-core brazil appstore v7');
    await held.reached;
    // the card is made while v7 is still uploading: it shows v6
    const promote = await parked('review promote mala-core brazil appstore');
    expect((await h().jobs.rt.records.require(promote)).plan?.versions).toEqual(['v6']);
    held.release();
    expect(outcome(await h().settle(newer))).toEqual({ state: 'success', reason: undefined });

    const versions = (await brazil()).releases.production?.versions;
    const record = await approved(promote);
    expect(outcome(record)).toEqual({
      state: 'failed',
      reason: `the approval is void: the versions to promote are now v7 (approved: v6); review-appstore changed since the plan was made: it is now v7 from ${newer} (the plan started from review-appstore of ${v6}). Nothing was changed; request the deploy again.`,
    });
    const state = await brazil();
    expect(state.releases.production?.versions).toEqual(versions);
    expect(state.releases['review-appstore']?.versions).toEqual(['v7']);
    expect((await bot.chat(promote)).join('\n')).toContain('review-appstore changed since the plan was made: it is now v7');
    // cleaned up for the next test
    expect(outcome(await h().settle(await h().request('carol', 'review cancel mala-core brazil appstore')))).toEqual({ state: 'success', reason: undefined });
  });

  it('when the review is cancelled while its promote card waits, then the promote is void, its card says so, and a late approval changes nothing', async () => {
    expect(outcome(await h().settle(await h().request('carol', 'review start mala-core brazil appstore v7')))).toEqual({ state: 'success', reason: undefined });
    const promote = await parked('review promote mala-core brazil appstore');
    const cancel = await h().say('carol', 'review cancel mala-core brazil appstore');
    const cancelId = cancel.deployIds[0]!;
    expect(cancel.private[0]).toContain(`it voids the pending ${promote}`);
    expect(outcome(await h().settle(cancelId))).toEqual({ state: 'success', reason: undefined });
    expect(outcome(await h().jobs.rt.records.require(promote))).toEqual({ state: 'cancelled', reason: `voided by ${cancelId} (review cancel by carol): the release it would promote is being removed` });
    const card = (await bot.chat(promote)).find((text) => text.includes('cancelled'));
    expect(card).toContain(`cancelled by carol`);
    expect(card).toContain(`voided by ${cancelId}`);
    expect((await h().say('bob', `approve ${promote}`)).private[0]).toBe(`${promote} is cancelled, not awaiting approval.`);
    expect((await brazil()).releases.production?.versions).not.toContain('v7');
  });
});

describe('gray promote', () => {
  it('when gray is cancelled and started again while the promote card waits, then the old promote is void and production never gets the new gray', async () => {
    const production = BRAZIL.filter((h) => h !== 'br-gray').map(onlineOrNone);
    const gray = await parked('gray start mala-core brazil v6', 'v6');
    expect(outcome(await approved(gray))).toEqual({ state: 'success', reason: undefined });
    const promote = await parked('gray promote mala-core brazil');
    expect((await h().jobs.rt.records.require(promote)).plan?.promoted).toMatchObject({ release: 'gray', deployId: gray, version: 'v6', commit: repo.commits.v6 });

    const second = await h().say('carol', 'gray start mala-core brazil v7');
    expect(second.deployIds).toEqual([]);
    expect(second.private[0]).toContain(`gray promote ${promote} of gray is awaiting-approval`);

    const cancel = await h().request('carol', 'gray cancel mala-core brazil');
    expect(outcome(await h().settle(cancel))).toEqual({ state: 'success', reason: undefined });
    expect((await h().jobs.rt.records.require(promote)).state).toBe('cancelled');
    expect((await bot.chat(promote)).join('\n')).toContain(`voided by ${cancel}`);
    const newGray = await parked('gray start mala-core brazil v7', 'v7');
    expect(outcome(await approved(newGray))).toEqual({ state: 'success', reason: undefined });

    expect((await h().say('bob', `approve ${promote}`)).private[0]).toBe(`${promote} is cancelled, not awaiting approval.`);
    const state = await brazil();
    expect(state.releases.gray?.current).toMatchObject({ version: 'v7', deployId: newGray });
    expect(state.releases.production?.versions).not.toContain('v7');
    expect(state.releases.production?.current?.version).toBe('v4');
    expect(BRAZIL.filter((h) => h !== 'br-gray').map(onlineOrNone)).toEqual(production);
    expect(onlineOrNone('br-gray')).toContain(sha7('v7'));
  });

  it('when production was deployed while the gray promote card waited, then the promote approval is void and the hosts keep the newer production', async () => {
    const promote = await parked('gray promote mala-core brazil');
    const deploy = await parked('deploy mala-core brazil v5', 'v5');
    expect(outcome(await approved(deploy))).toEqual({ state: 'success', reason: undefined });
    const hosts = BRAZIL.map(onlineOrNone);
    const record = await approved(promote);
    expect(record.state).toBe('failed');
    expect(record.reason).toContain(`production changed since the plan was made: it is now v5 from ${deploy}`);
    expect(BRAZIL.map(onlineOrNone)).toEqual(hosts);
    const state = await brazil();
    expect(state.releases.production?.current).toMatchObject({ version: 'v5', deployId: deploy });
    expect(state.releases.gray?.current?.version).toBe('v7');
  });
});
