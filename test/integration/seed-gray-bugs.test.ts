// The bugs and wishes from the seed's real gray test (docs/reference/release-rules.md, docs/reference/messages.md), each shown impossible
// here, against a real ZooKeeper.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/core/errors.ts';
import { refusalWarning } from '../../src/domain/gray-warnings.ts';
import { checkGrayStart, planGrayCancel } from '../../src/domain/release-rules.ts';
import type { MarketReleases, ReleaseCurrent } from '../../src/domain/release-state.ts';
import { sizeSpanReport } from '../../src/domain/size-span-report.ts';
import { planUpdatePackages } from '../../src/domain/update-package-plan.ts';
import { runPackager } from '../../src/store/run-packager.ts';
import { ZooKeeperClient } from '../../src/store/zookeeper-client.ts';
import type { ZkOp } from '../../src/store/zookeeper-op.ts';
import { ZooKeeperReleaseStore } from '../../src/store/zookeeper-release-store.ts';
import { deployIdOf, input } from './release-store-contract.ts';
import { type SharedZooKeeper, sharedZooKeeper, uniqueRoot } from './release-store-zookeeper-server.ts';

class CountingClient extends ZooKeeperClient {
  multis: ZkOp[][] = [];
  override async commit(ops: readonly ZkOp[], deadline: number): Promise<void> {
    this.multis.push([...ops]);
    return super.commit(ops, deadline);
  }
}

let zk: SharedZooKeeper;
let client: CountingClient;
let store: ZooKeeperReleaseStore;
const tmp: string[] = [];
beforeAll(async () => {
  zk = await sharedZooKeeper();
  client = new CountingClient({ connect: zk.connect, sessionTimeoutMs: 10_000 });
  store = new ZooKeeperReleaseStore({ client, root: uniqueRoot() });
});
afterAll(async () => {
  await store?.close();
  await zk?.release();
  for (const dir of tmp) rmSync(dir, { recursive: true, force: true });
});

const market = 'brazil';
const main = { name: 'main', hosts: ['br-1', 'br-2', 'br-gray'], grayHosts: ['br-gray'] };
let n = 0;
const project = () => `mala-core-${(n += 1)}`;

/** What a client routed to a gray host would be told to run: gray while it exists, else production. */
function targetOf(state: MarketReleases): ReleaseCurrent | undefined {
  return (state.releases.gray ?? state.releases.production)?.current;
}

/** Reads continuously until `work` settles; returns every state seen. */
async function readWhile(p: string, work: Promise<unknown>): Promise<MarketReleases[]> {
  let done = false;
  const finished = work.finally(() => {
    done = true;
  });
  const seen: MarketReleases[] = [];
  while (!done) seen.push(await store.read(p, market));
  await finished;
  seen.push(await store.read(p, market));
  return seen;
}

describe('seed gray-test bugs', () => {
  it('bug 2: update packages grew far too large while a gray version existed (25 MB → 50 MB) — no span touches gray, sizes are reported and anomalies flagged', async () => {
    const p = project();
    for (const v of ['v1', 'v2', 'v3']) await store.recordRelease(input(p, market, 'production', v));
    await store.recordRelease(input(p, market, 'gray', 'v4'));
    const state = await store.read(p, market);

    // A production hotfix while gray v4 is active: spans come from production history and review versions only.
    const pairs = planUpdatePackages({ release: 'production', version: 'v3.1' }, { productionVersions: state.releases.production!.versions, reviewVersions: ['r2'] });
    expect(pairs.flatMap((pair) => [pair.from, pair.to])).not.toContain('v4');

    // A packager whose output is 25 MB for a normal span and 50 MB when a span starts at the gray build (what the seed saw).
    const dir = mkdtempSync(join(tmpdir(), 'deploybot-seed-bug2-'));
    tmp.push(dir);
    mkdirSync(join(dir, 'scripts'));
    writeFileSync(join(dir, 'scripts', 'make-patch'), '#!/bin/sh\n[ "$1" = v4 ] && exec truncate -s 50000000 "$3"\nexec truncate -s 25000000 "$3"\n');
    chmodSync(join(dir, 'scripts', 'make-patch'), 0o755);
    const run = await runPackager({ project: p, template: 'scripts/make-patch {from} {to} {out}', pairs, cwd: dir, outDir: join(dir, 'out') });
    const gray = { version: state.releases.gray!.current!.version, deployId: state.releases.gray!.current!.deployId };
    const report = sizeSpanReport({ project: p, market, spans: run.spans, recentSizes: [25_000_000, 24_000_000, 26_000_000], grayActive: gray });
    expect(report.rows.map((r) => r.line)).toEqual(['v1 → v3.1 : 25.0 MB', 'v2 → v3.1 : 25.0 MB', 'v3 → v3.1 : 25.0 MB', 'r2 → v3.1 : 25.0 MB']);
    expect(report.anomalies).toBe(0);
    expect(report.notes[0]).toContain(`gray v4 (${deployIdOf('gray', 'v4')}) was active while these packages were built`);

    // Had a span been built from the gray version, its size would be flagged.
    const seedLike = await runPackager({ project: p, template: 'scripts/make-patch {from} {to} {out}', pairs: [{ from: 'v4', to: 'v3.1' }], cwd: dir, outDir: join(dir, 'out') });
    const flagged = sizeSpanReport({ project: p, market, spans: seedLike.spans, recentSizes: [25_000_000], grayActive: gray });
    expect(flagged.rows[0]).toMatchObject({ flags: ['above_usual'], line: 'v4 → v3.1 : 50.0 MB  ⚠ 2.0× the usual 25.0 MB' });
  });

  it('bug 5: cancelling gray while a client was prompted to switch left it without a target — every reader always finds a valid target', async () => {
    const p = project();
    await store.recordRelease(input(p, market, 'production', 'v1'));
    await store.recordRelease(input(p, market, 'gray', 'v2', { servers: ['10.1.0.13'] }));

    const plan = planGrayCancel({ project: p, market, state: await store.read(p, market) });
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    // Step 1 (deploy engine): gray hosts switch to production's current release — it exists before gray goes.
    expect(plan.value.target).toMatchObject({ version: 'v1', deployId: deployIdOf('production', 'v1') });
    // Step 2: gray is removed in one multi, while clients keep asking for their target.
    const seen = await readWhile(p, store.removeRelease({ project: p, market, release: 'gray', expectDeployId: deployIdOf('gray', 'v2') }));
    for (const state of seen) {
      expect(targetOf(state)).toBeDefined();
      const gray = state.releases.gray;
      if (gray) expect(gray).toMatchObject({ versions: ['v2'], servers: ['10.1.0.13'], current: { version: 'v2' } });
    }
    expect(seen.at(-1)!.releases.gray).toBeUndefined();
    expect(targetOf(seen.at(-1)!)).toMatchObject({ version: 'v1' });

    // And with no production release to go back to, cancel is refused rather than leaving gray hosts without a target.
    const q = project();
    await store.recordRelease(input(q, market, 'gray', 'v2'));
    expect(planGrayCancel({ project: q, market, state: await store.read(q, market) })).toMatchObject({ ok: false, refusal: { code: 'gray_cancel_no_production' } });
  });

  it('bug 6: a second gray version published while one existed made return to production impossible — it is refused naming the active one, and cancel still returns to production', async () => {
    const p = project();
    await store.recordRelease(input(p, market, 'production', 'v1'));
    await store.recordRelease(input(p, market, 'gray', 'v2', { deployId: 'd-20261121-0002' }));
    const state = await store.read(p, market);

    const check = checkGrayStart({ project: p, market, state, location: main, version: 'v3' });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.refusal.message).toMatch(/gray v2 \(deploy d-20261121-0002, by U01ALICE\) is already active/);

    // Even if two gray starts get past validation at once, the store lets only one through.
    const racing = await Promise.allSettled(['v3', 'v4'].map((v, i) => store.recordRelease(input(p, market, 'gray', v, { deployId: `d-2026112${i}-0009` }))));
    expect(racing.every((r) => r.status === 'rejected' && r.reason instanceof RefusedError && r.reason.code === 'gray_already_active')).toBe(true);
    expect((await store.read(p, market)).releases.gray!.current!.version).toBe('v2');

    const cancel = planGrayCancel({ project: p, market, state: await store.read(p, market) });
    expect(cancel.ok && cancel.value.target.version).toBe('v1');
    await store.removeRelease({ project: p, market, release: 'gray' });
    const after = await store.read(p, market);
    expect(Object.keys(after.releases)).toEqual(['production']);
    expect(after.releases.production!.versions).toEqual(['v1']);
  });

  it('suggestion 1: the gray workflow should refuse a target that is not a gray cluster', () => {
    const state: MarketReleases = { project: 'mala-core', market, releases: {} };
    const notGray = checkGrayStart({ project: 'mala-core', market, state, location: main, version: 'v2', hosts: ['br-1'] });
    expect(notGray).toMatchObject({ ok: false, refusal: { rule: 'gray-hosts-only', code: 'gray_not_gray_host' } });
    const noCluster = checkGrayStart({ project: 'mala-core', market, state, location: { ...main, grayHosts: [] }, version: 'v2' });
    expect(noCluster).toMatchObject({ ok: false, refusal: { code: 'gray_no_gray_hosts' } });
    if (!notGray.ok) expect(refusalWarning(notGray.refusal)).toMatchObject({ kind: 'rule_refused', message: expect.stringContaining('br-1 is not a gray host of main') });
  });

  it('suggestion 2: moving gray to production was complicated and error-prone — gray promote is one step, one multi, never seen half-done', async () => {
    const p = project();
    await store.recordRelease(input(p, market, 'production', 'v1'));
    await store.recordRelease(input(p, market, 'gray', 'v2', { servers: ['10.1.0.13'] }));
    const grayCommit = (await store.read(p, market)).releases.gray!.current!.commit;
    client.multis = [];

    const promote = store.promote({ project: p, market, release: 'gray', deployId: 'd-20261122-0003', by: 'U01BOB', expectDeployId: deployIdOf('gray', 'v2'), deployed: { servers: ['10.1.0.11', '10.1.0.12', '10.1.0.13'] } });
    const seen = await readWhile(p, promote);
    for (const state of seen) {
      const grayThere = state.releases.gray !== undefined;
      const inProduction = state.releases.production!.versions.includes('v2');
      expect(grayThere).toBe(!inProduction);
      expect(targetOf(state)).toBeDefined();
    }
    expect(client.multis).toHaveLength(1);
    const final = seen.at(-1)!;
    expect(final.releases.production).toMatchObject({ versions: ['v1', 'v2'], servers: ['10.1.0.11', '10.1.0.12', '10.1.0.13'], current: { version: 'v2', commit: grayCommit, deployId: 'd-20261122-0003', by: 'U01BOB' } });
    expect(final.releases.gray).toBeUndefined();
  });
});
