// What the approval card warns about and how many there are: a commit older than
// production's gets a downgrade warning, and a second request for the same change while the
// first waits gets no second card — it is refused naming the one waiting. The real job layer
// on the real Redis, workers in this process, local hosts, a real git repository.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { reduceNotices } from '../../src/notify/deploy-view.ts';
import { renderApprovalCard } from '../../src/notify/render-approval-card.ts';
import { renderSlackMessage } from '../../src/adapters/slack/render-slack-message.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { blockKitProblems, blockText } from '../support/block-kit-limits.ts';

let base: string;
let repo: TestRepo;
let h: JobHarness;
const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-cards-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2'] });
  const config = marketTestConfig(base, repo.dir);
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix: `cards${randomUUID().slice(0, 8)}` });
});

afterAll(async () => {
  await h?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

async function cardOf(deployId: string) {
  const view = reduceNotices(await h.jobs.rt.bus.notices(deployId), h.jobs.rt.config.people);
  return renderApprovalCard({ ...view, approval: view.approval! });
}

describe('approval cards', () => {
  it('when brazil runs v2 and v1 is requested, then the card warns of a downgrade; a second request for the same change is refused naming the first', async () => {
    for (const ref of ['v1', 'v2']) expect((await h.settle(await h.request('alice', `deploy mala-core dev ${ref}`))).state).toBe('success');
    const up = await h.request('alice', 'deploy mala-core brazil v2');
    expect((await h.settle(up)).state).toBe('awaiting-approval');
    expect((await cardOf(up)).lines?.join('\n')).not.toContain('downgrade');
    await h.say('bob', `approve ${up}`);
    expect((await h.settle(up)).state).toBe('success');

    const down = await h.request('alice', 'deploy mala-core brazil v1');
    expect((await h.settle(down)).state).toBe('awaiting-approval');
    const card = await cardOf(down);
    const warning = `⚠️ downgrade: ${sha7('v1')} is older than production's ${sha7('v2')} (v2); approving goes back in history`;
    expect(card.lines?.[0]).toBe(warning);
    const payload = renderSlackMessage(card);
    expect(payload.blocks[2]).toMatchObject({ type: 'section', text: { text: warning } });
    expect(blockKitProblems(payload)).toEqual([]);

    const again = await h.request('bob', 'deploy mala-core brazil v1');
    const refused = await h.settle(again);
    expect(refused.state).toBe('refused');
    expect(refused.reason).toBe(`${down} with the same plan is already waiting for approval; approve or reject that one (nothing else was asked)`);
    expect((await h.jobs.rt.bus.notices(again)).some((n) => n.type === 'job.approval-requested')).toBe(false);
    expect(blockText(renderSlackMessage(await cardOf(down)))).toContain('Waiting for');

    await h.say('bob', `reject ${down} not now`);
    expect((await h.settle(down)).state).toBe('rejected');
    // once the first is decided, the same change may be asked again
    const third = await h.request('bob', 'deploy mala-core brazil v1');
    expect((await h.settle(third)).state).toBe('awaiting-approval');
    await h.say('alice', `reject ${third} cleanup`);
  });
});
