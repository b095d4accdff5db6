// The periodic gray-test check: an old gray release and gray hosts that drift from the gray
// version are warned about, once each, in the gray deploy's channel.
import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { watchGrayReleases } from '../../src/app/gray-watch.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

let base: string;
let h: JobHarness;
let now = Date.now();

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-graywatch-'));
  const repo = makeGitRepo(join(base, 'repo'));
  const config = marketTestConfig(base, repo.dir, {}, { warnings: { grayMaxAge: '1h' } });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), now: () => new Date(now) });
});

afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

it('when a gray release gets old and a gray host drifts, then each is warned about once', async () => {
  await h.settle(await h.request('alice', 'deploy mala-core dev v1'));
  await h.settle(await h.request('alice', 'deploy mala-core dev v2'));
  const production = await h.request('alice', 'deploy mala-core brazil v1');
  await h.settle(production);
  await h.say('bob', `approve ${production}`);
  expect((await h.settle(production)).state).toBe('success');
  const gray = await h.request('alice', 'gray start mala-core brazil v2');
  await h.settle(gray);
  await h.say('bob', `approve ${gray}`);
  expect((await h.settle(gray)).state).toBe('success');

  expect(await watchGrayReleases(h.jobs.rt)).toEqual([]);

  now += 2 * 3600_000;
  const aged = await watchGrayReleases(h.jobs.rt);
  expect(aged.map((w) => w.kind)).toEqual(['gray_too_old']);
  expect(aged[0]!.message).toContain('gray v2');
  expect(await watchGrayReleases(h.jobs.rt)).toEqual([]);

  // someone switched br-gray by hand to another release directory
  const link = join(base, 'hosts', 'br-gray', 'data/prod/mala-core');
  unlinkSync(link);
  symlinkSync('../codes/mala-core/hand-made', link);
  const drifted = await watchGrayReleases(h.jobs.rt);
  expect(drifted.map((w) => [w.kind, w.details.host])).toEqual([['gray_host_drift', 'br-gray']]);
  const notices = await h.jobs.rt.bus.notices(gray);
  expect(notices.filter((n) => n.type === 'job.warning')).toHaveLength(2);
});
