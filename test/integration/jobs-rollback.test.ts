// Rollback (docs/reference/command-grammar.md): "previous" is the release that was current before the current one;
// a second rollback goes one further back; a named deploy's release can be brought back.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

let base: string;
let repo: TestRepo;
let h: JobHarness;
const online = () => basename(realpathSync(join(base, 'hosts', 'dev-1', 'data/prod/mala-core')));

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-rollback-'));
  repo = makeGitRepo(join(base, 'repo'));
  h = await startJobHarness({ config: marketTestConfig(base, repo.dir, { keepReleases: 5 }), redisUrl: inject('redisUrl'), dataDir: join(base, 'var') });
});

afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

it('when production is rolled back twice, then it goes one release further back each time, and a named deploy brings its release back', async () => {
  const ids: Record<string, string> = {};
  for (const tag of ['v1', 'v2', 'v3']) {
    ids[tag] = await h.request('alice', `deploy mala-core dev ${tag}`);
    expect((await h.settle(ids[tag]!)).state).toBe('success');
  }
  const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);
  expect(online()).toContain(sha7('v3'));

  const first = await h.request('alice', 'rollback mala-core dev');
  expect((await h.settle(first)).state).toBe('success');
  expect(online()).toContain(sha7('v2'));

  const second = await h.request('alice', 'rollback mala-core dev');
  expect((await h.settle(second)).state).toBe('success');
  expect(online()).toContain(sha7('v1'));
  expect((await h.jobs.rt.releases.read('mala-core', 'dev')).releases.production?.current).toMatchObject({ version: 'v1', commit: repo.commits.v1, deployId: second });

  const named = await h.request('alice', `rollback mala-core dev ${ids.v3}`);
  expect((await h.settle(named)).state).toBe('success');
  expect(online()).toContain(sha7('v3'));
  const result = JSON.parse((await h.jobs.rt.redis.get(h.jobs.rt.keys.deployResult(named)))!) as { bytesUploaded: number };
  expect(result.bytesUploaded).toBe(0);
});
