// Bounded state (docs/configuration.md `keepBuilds`, `retention`) on the real Redis with real
// git builds and BullMQ workers on local hosts: the data directory keeps the builds and
// packages of the newest `keepBuilds` commits and of every commit an unfinished deploy needs;
// a finished deploy's record and events expire after `retention`, its history entry is swept,
// and an unfinished deploy's record stays.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { sweepRetention } from '../../src/app/sweep-retention.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

let base: string;
let repo: TestRepo;
let config: Config;
let h: JobHarness;

const builtCommits = () => readdirSync(join(base, 'var/builds/mala-core')).filter((d) => !d.includes('.tmp-')).map((d) => d.slice(0, 12)).sort();
const packagedCommits = () => readdirSync(join(base, 'var/packages/mala-core')).map((d) => d.slice(0, 12)).sort();
const sha12 = (tag: string) => repo.commits[tag]!.slice(0, 12);

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-retention-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3'] });
  config = marketTestConfig(base, repo.dir, { keepBuilds: 1 }, { retention: '3s' });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), sweepEveryMs: 3_600_000 });
});

afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('bounded state', () => {
  it('when more commits were built than keepBuilds, then only the newest and those an unfinished deploy needs are kept; finished records expire and leave the history', async () => {
    const rt = h.jobs.rt;
    const first = await h.settle(await h.request('alice', 'deploy mala-core dev v1'));
    expect(first.state).toBe('success');
    // brazil v1 waits for its approval: its build must survive
    const pending = await h.request('alice', 'deploy mala-core brazil v1');
    expect((await h.settle(pending)).state).toBe('awaiting-approval');
    for (const tag of ['v2', 'v3']) expect((await h.settle(await h.request('alice', `deploy mala-core dev ${tag}`))).state).toBe('success');
    expect(builtCommits()).toEqual([sha12('v1'), sha12('v2'), sha12('v3')].sort());

    // a finished deploy's record and events are gone once `retention` (3 s) has passed since it ended
    await waitUntil(async () => (await rt.records.get(first.id)) === undefined, { what: `${first.id} to expire`, timeoutMs: 15_000, intervalMs: 200 });
    expect(await rt.bus.notices(first.id)).toEqual([]);
    expect(await rt.redis.exists(rt.keys.checkpoint(first.id))).toBe(0);
    expect(await rt.redis.pttl(rt.keys.deploy(pending))).toBe(-1);

    await sweepRetention(rt);
    expect(builtCommits()).toEqual([sha12('v1'), sha12('v3')].sort());
    expect(packagedCommits()).toEqual([sha12('v1'), sha12('v3')].sort());
    const devHistory = await rt.redis.zrange(rt.keys.history('mala-core', 'dev'), '0', '-1');
    expect(devHistory).not.toContain(first.id);
    expect(await rt.redis.zrange(rt.keys.history('mala-core', 'brazil'), '0', '-1')).toContain(pending);

    // the pending deploy still runs from its kept build
    expect((await h.say('bob', `approve ${pending}`)).private[0]).toContain('You approved');
    const approved = await h.settle(pending);
    expect(approved.state).toBe('success');
    expect(existsSync(join(base, 'hosts/br-1/data/prod/mala-core'))).toBe(true);
  });
});
