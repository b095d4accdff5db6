// One deploy at a time per (project, location), and many at once across locations (docs/reference/deploy-lifecycle.md):
// one project in twenty markets, each market's location on its own local host, the worker in
// this process (default concurrency 25). Uploads are held at a gate, so "while the first is
// still running" and "all twenty running at the same moment" are observed, not hoped for.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { manyLocationsConfig, marketName } from '../fixtures/many-locations-config.ts';
import { uploadGate, type UploadGate } from '../fixtures/upload-gate.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';

const LOCATIONS = 20;

let base: string;
let repo: TestRepo;
let config: Config;
let gate: UploadGate;
let h: JobHarness;

const online = (host: string) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core')));
const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);
const outcome = (r: DeployRecord) => ({ state: r.state, reason: r.reason });
const noticeTime = async (id: string, type: string) => (await h.jobs.rt.bus.notices(id)).filter((n) => n.type === type).map((n) => Date.parse(n.at));

/** Resolves with `promise`, or fails after `ms` saying what did not happen. */
async function within<T>(ms: number, promise: Promise<T>, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what()} within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function describeStates(ids: readonly string[]): Promise<string[]> {
  const records = await Promise.all(ids.map((id) => h.jobs.rt.records.require(id)));
  return records.map((r) => `${r.id} ${r.state}${r.reason ? ` (${r.reason})` : ''}`);
}

/** The most deploys running at one instant, from their [startedAt, finishedAt] intervals. */
function maxConcurrent(records: readonly DeployRecord[]): number {
  const edges = records.flatMap((r) => [
    { at: Date.parse(r.startedAt!), delta: 1 },
    { at: Date.parse(r.finishedAt!), delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || b.delta - a.delta);
  let running = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (running += edge.delta));
  return most;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-concurrency-'));
  repo = makeGitRepo(join(base, 'repo'));
  config = manyLocationsConfig(base, repo.dir, LOCATIONS);
  gate = uploadGate(config);
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), transport: gate.factory });
});

afterAll(async () => {
  gate?.releaseAll();
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('deploys side by side', () => {
  it('when a second deploy targets a location whose deploy is still running, then it is told "queued behind <id>" and runs only after the first finished', async () => {
    const held = gate.holdNext('m01-1');
    const first = await h.request('alice', 'deploy mala-core m01 v1');
    await held.reached;
    expect((await h.jobs.rt.records.require(first)).state).toBe('running');

    const answer = await h.say('bob', 'deploy mala-core m01 v2');
    const second = answer.deployIds[0]!;
    expect(answer.private[0]).toMatch(new RegExp(`^${second} accepted: deploy mala-core v2 → m01 .*; queued behind ${first}$`));
    // its run job found the location taken, and waits (prepare is done: it is built and queued)
    expect(await waitForNotice(h.jobs.rt, second, (n) => n.type === 'job.queued-behind')).toMatchObject({ behind: first });
    const waiting = await h.jobs.rt.records.require(second);
    expect({ state: waiting.state, queuedBehind: waiting.queuedBehind }).toEqual({ state: 'queued', queuedBehind: first });
    expect(await noticeTime(second, 'deploy.started')).toEqual([]);

    held.release();
    const [a, b] = await Promise.all([h.settle(first), h.settle(second)]);
    expect([outcome(a), outcome(b)]).toEqual([{ state: 'success', reason: undefined }, { state: 'success', reason: undefined }]);
    expect(Date.parse(b.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt!));
    const [firstFinished] = await noticeTime(first, 'deploy.finished');
    const [secondStarted] = await noticeTime(second, 'deploy.started');
    expect(secondStarted!).toBeGreaterThanOrEqual(firstFinished!);
    expect(online('m01-1')).toContain(sha7('v2'));
  });

  it(`when ${LOCATIONS} deploys target ${LOCATIONS} different locations, then all ${LOCATIONS} run at the same time`, async () => {
    const markets = Array.from({ length: LOCATIONS }, (_, i) => marketName(i));
    // v3 has not been built yet: the twenty prepare phases build it cold, at the same time,
    // and share one build
    // every upload waits until all of them have arrived: only deploys running side by side
    // can all get there (one at a time, the first would wait forever)
    const holds = markets.map((m) => gate.holdNext(`${m}-1`));
    let arrived = 0;
    const ids: string[] = [];
    for (const market of markets) ids.push(await h.request('alice', `deploy mala-core ${market} v3`));
    try {
      await within(45_000, Promise.all(holds.map((hold) => hold.reached.then(() => (arrived += 1)))), () => `only ${arrived} of ${LOCATIONS} deploys reached distribute at the same time`);
    } catch (error) {
      throw new Error(`${(error as Error).message}:\n${(await describeStates(ids)).join('\n')}`);
    }

    const meanwhile = await Promise.all(ids.map((id) => h.jobs.rt.records.require(id)));
    expect(meanwhile.filter((r) => r.state === 'running')).toHaveLength(LOCATIONS);

    for (const hold of holds) hold.release();
    const records = await Promise.all(ids.map((id) => h.settle(id)));
    expect(records.map(outcome)).toEqual(records.map(() => ({ state: 'success', reason: undefined })));
    for (const market of markets) expect(online(`${market}-1`)).toContain(sha7('v3'));
    // every interval overlaps every other one, so at one instant all of them were running
    expect(maxConcurrent(records)).toBe(LOCATIONS);
    const latestStart = Math.max(...records.map((r) => Date.parse(r.startedAt!)));
    const earliestFinish = Math.min(...records.map((r) => Date.parse(r.finishedAt!)));
    expect(latestStart).toBeLessThanOrEqual(earliestFinish);
  });
});
