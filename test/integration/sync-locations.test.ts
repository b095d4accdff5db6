// `sync` across a market's locations (docs/operations.md, "Hosts that join or drift"), on
// local hosts: production hosts get production's release, the gray host gray's while gray is
// active, the review host its review release — each its own recorded release id.
import { readlinkSync, rmSync, mkdtempSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';


/** Generous: real builds and sshd under a loaded machine. */
const settle = (h: JobHarness, id: string) => waitForDeploy(h.jobs.rt, id, undefined, 150_000);
let base: string;
let h: JobHarness;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-sync-locations-'));
  const repo = makeGitRepo(join(base, 'repo'));
  h = await startJobHarness({ config: marketTestConfig(base, repo.dir), redisUrl: inject('redisUrl'), dataDir: join(base, 'var') });
});

afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

async function approved(text: string): Promise<string> {
  const id = await h.request('alice', text);
  const parked = await settle(h, id);
  if (parked.state === 'awaiting-approval') await h.say('bob', `approve ${id}`);
  const record = await settle(h, id);
  expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
  return record.releaseId!;
}

const link = (host: string) => join(base, 'hosts', host, 'data/prod/mala-core');
const releaseOf = (host: string) => readlinkSync(link(host)).split('/').at(-1);

it('when production, gray and review hosts lose their links, then one sync gives each its own recorded release', async () => {
  await approved('deploy mala-core dev v1');
  await approved('deploy mala-core dev v2');
  const production = await approved('deploy mala-core brazil v1');
  const gray = await approved('gray start mala-core brazil v2');
  const review = await approved('review start mala-core brazil appstore v3');
  for (const host of ['br-2', 'br-gray', 'br-rev']) unlinkSync(link(host));

  const dry = (await h.say('alice', 'sync mala-core brazil --dry-run')).private.join('\n');
  expect(dry).toContain('3 of 4 hosts would change');
  expect(dry).toContain(`br-2: new, gets ${production} (production)`);
  expect(dry).toContain(`br-gray: new, gets ${gray} (gray)`);
  expect(dry).toContain(`br-rev: new, gets ${review} (review-appstore)`);

  const id = await h.request('alice', 'sync mala-core brazil');
  const record = await settle(h, id);
  expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
  expect(['br-1', 'br-2', 'br-gray', 'br-rev'].map(releaseOf)).toEqual([production, production, gray, review]);
  // nothing was recorded: the releases are still the deploys' own
  const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
  expect(state.releases.gray?.current?.releaseId).toBe(gray);
  expect(state.releases['review-appstore']?.current?.releaseId).toBe(review);
}, 400_000);
