// The prepare phase under its lease (docs/operations.md "When a worker dies"), on the real
// Redis with real git builds: two executions of one deploy's prepare (a stalled job BullMQ
// delivered again) build once and post one approval card; an execution whose lease another
// took over while it was stalled does nothing more.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { LOCATION_LEASE_MS } from '../../src/app/job-runtime.ts';
import { prepareDeploy } from '../../src/app/prepare-deploy.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';

let base: string;
let repo: TestRepo;
let config: Config;
let h: JobHarness;

const builds = async (id: string) => (await h.jobs.rt.bus.notices(id)).filter((n) => n.type === 'step.started' && n.step === 'build').length;
const cards = async (id: string) => (await h.jobs.rt.bus.notices(id)).filter((n) => n.type === 'job.approval-requested').length;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-prepare-lease-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3'] });
  config = marketTestConfig(base, repo.dir);
  // no workers: the test runs the prepare executions itself
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), workers: false });
  for (const tag of ['v1', 'v2', 'v3']) await h.jobs.rt.history.markPassed('mala-core', 'dev', repo.commits[tag]!);
});

afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('the prepare lease', () => {
  it('when two executions prepare one deploy at once, then it is built once and one approval card is posted', async () => {
    const id = await h.request('alice', 'deploy mala-core brazil v1');
    const outcomes = await Promise.all([prepareDeploy(h.jobs.rt, id), prepareDeploy(h.jobs.rt, id)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['done', 'wait']);
    // the waiting one, run again (as BullMQ does after its delay), finds the deploy prepared
    expect(await prepareDeploy(h.jobs.rt, id)).toEqual({ kind: 'done' });
    expect((await h.jobs.rt.records.require(id)).state).toBe('awaiting-approval');
    expect(await builds(id)).toBe(1);
    expect(await cards(id)).toBe(1);
    expect(await h.jobs.rt.prepareLease.holder(id)).toBeUndefined();
  });

  it('when an execution loses its lease while it prepares (its event loop stalled), then it builds and posts nothing, and the one that took over does both once', async () => {
    const id = await h.request('alice', 'deploy mala-core brazil v2');
    const stalled = prepareDeploy(h.jobs.rt, id);
    await waitForNotice(h.jobs.rt, id, (n) => n.type === 'step.started' && n.step === 'resolve');
    // meanwhile its lease lapsed and another execution took it
    await h.jobs.rt.redis.set(h.jobs.rt.keys.prepareLease(id), `${id}/the-other-execution`, 'PX', 60_000);
    // it asks to run again later: then it finds the deploy prepared, or prepares it
    expect(await stalled).toEqual({ kind: 'wait', behind: id });
    expect(await builds(id)).toBe(0);
    expect(await cards(id)).toBe(0);
    expect((await h.jobs.rt.records.require(id)).state).toBe('preparing');

    // the other execution ends (its lease gone); the deploy's next execution prepares it once
    await h.jobs.rt.redis.del(h.jobs.rt.keys.prepareLease(id));
    expect(await prepareDeploy(h.jobs.rt, id)).toEqual({ kind: 'done' });
    expect((await h.jobs.rt.records.require(id)).state).toBe('awaiting-approval');
    expect(await builds(id)).toBe(1);
    expect(await cards(id)).toBe(1);
  });

  it('when the event loop of an execution stalls past its lease, then it acts no more once it wakes, and the deploy is prepared once', async () => {
    const id = await h.request('alice', 'deploy mala-core brazil v3');
    const stalled = prepareDeploy(h.jobs.rt, id);
    await waitForNotice(h.jobs.rt, id, (n) => n.type === 'step.started' && n.step === 'resolve');
    // a real stall: this thread blocks longer than the lease (5 s), which lapses meanwhile
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, LOCATION_LEASE_MS + 1500);
    expect(await stalled).toEqual({ kind: 'wait', behind: id });
    expect(await builds(id)).toBe(0);
    expect(await cards(id)).toBe(0);
    expect(await prepareDeploy(h.jobs.rt, id)).toEqual({ kind: 'done' });
    expect((await h.jobs.rt.records.require(id)).state).toBe('awaiting-approval');
    expect(await builds(id)).toBe(1);
    expect(await cards(id)).toBe(1);
  });
});
