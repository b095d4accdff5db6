// The first answer to a command that cannot run: a ref that names nothing is refused before a
// deploy id is given, with the nearest tags and branches (newest first); "nothing to promote"
// or "nothing to cancel" is the user's answer alone, while a real release-rule refusal is also
// a gray-test warning for the market. Real Redis, a real git repository, local hosts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { input } from './release-store-contract.ts';

let base: string;
let h: JobHarness;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-accept-refusals-'));
  const repo = makeGitRepo(join(base, 'repo'), { tags: ['v1.3', 'v1.4.0', 'v1.4.1', 'v2'] });
  h = await startJobHarness({ config: marketTestConfig(base, repo.dir), redisUrl: inject('redisUrl'), dataDir: join(base, 'var') });
});

afterAll(async () => {
  await h?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('accepting a command', () => {
  it('(before anything ran) status of a never-deployed market shows its empty hosts without drift', async () => {
    const text = (await h.say('bob', 'status mala-core brazil')).public.map((m) => m.text).join('\n');
    expect(text).toContain('hosts serve (never deployed here):');
    expect(text).toContain('◻️ br-1 (main): no release');
    expect(text).not.toMatch(/drifted|⚠️/);
  }, 30_000);

  it('when the ref does not exist, then it is refused before any deploy id, naming the nearest tags and branches newest first', async () => {
    const answer = await h.say('alice', 'deploy mala-core dev v1.41');
    expect(answer.deployIds).toEqual([]);
    expect(answer.public).toEqual([]);
    expect(answer.private).toEqual(['Refused: mala-core has no tag, branch or commit "v1.41"; nearest tags (newest first): v1.4.1, v1.4.0, v1.3; branches: main, feature/x. Nothing was queued.']);
    expect(await h.jobs.rt.records.history('mala-core', 'dev', 10)).toEqual([]);

    const gray = await h.say('alice', 'gray start mala-core brazil nope');
    expect(gray.deployIds).toEqual([]);
    expect(gray.private[0]).toMatch(/^Refused: mala-core has no tag, branch or commit "nope"; /);
  }, 30_000);

  it('when the ref exists, then the deploy is accepted as before', async () => {
    const id = await h.request('alice', 'deploy mala-core dev v1.4.1');
    expect((await h.settle(id)).state).toBe('success');
  }, 60_000);

  it('when there is nothing to promote or cancel, then only the user is answered: no gray-test warning', async () => {
    for (const text of ['gray promote mala-core brazil', 'gray cancel mala-core brazil', 'review promote mala-core brazil appstore', 'review cancel mala-core brazil appstore']) {
      const answer = await h.say('alice', text);
      expect({ text, public: answer.public, ids: answer.deployIds }).toEqual({ text, public: [], ids: [] });
      expect(answer.private[0]).toMatch(/^Refused: mala-core brazil: (there is )?no .*(gray|review-appstore) release/);
    }
  }, 30_000);

  it('when a release rule refuses (a second gray while one is active), then it is also posted as a gray-test warning', async () => {
    await h.jobs.rt.releases.recordRelease(input('mala-core', 'brazil', 'gray', 'v1.3'));
    const answer = await h.say('alice', 'gray start mala-core brazil v2');
    expect(answer.deployIds).toEqual([]);
    expect({ private: answer.private, public: answer.public.map((m) => m.text) }).toEqual({ private: [expect.stringMatching(/^Refused: /)], public: [expect.stringMatching(/gray-test warning: refused \(one-gray\)/)] });
    expect(answer.private[0]).toMatch(/^Refused: /);
  }, 30_000);
});

describe('status', () => {
  it('when a deploy waits for approval, then status lists it under pending', async () => {
    // brazil requires a pass in dev first
    expect((await h.settle(await h.request('alice', 'deploy mala-core dev v1.4.1'))).state).toBe('success');
    const id = await h.request('alice', 'deploy mala-core brazil v1.4.1');
    expect((await h.settle(id)).state).toBe('awaiting-approval');
    const text = (await h.say('bob', 'status mala-core brazil')).public.map((m) => m.text).join('\n');
    expect(text).toContain(`pending:\n  ${id} deploy v1.4.1 (production) by alice: awaiting-approval`);
  }, 60_000);
});
