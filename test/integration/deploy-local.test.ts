// The engine end to end over the local transport: a real git repo with tags, two
// `{ local: dir }` hosts, real builds and packages.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { MemoryCheckpoint } from '../../src/deploy/deploy-checkpoint.ts';
import type { DeployEvent } from '../../src/deploy/deploy-events.ts';
import type { DeployPlan } from '../../src/deploy/deploy-plan.ts';
import { dryRunDeploy } from '../../src/deploy/dry-run-deploy.ts';
import { formatReleaseId } from '../../src/domain/release-id.ts';
import { runDeploy } from '../../src/deploy/run-deploy.ts';
import { deployPlan, deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';

let base: string;
let repo: TestRepo;
let config: Config;
let dataDir: string;
const hostRoot = (host: string) => join(base, 'hosts', host);
const releasesOn = (host: string) => readdirSync(join(hostRoot(host), 'data/codes/mala-core')).filter((n) => /-\d{14}-[0-9a-f]{7}$/.test(n)).sort();
const currentOn = (host: string) => realpathSync(join(hostRoot(host), 'data/prod/mala-core'));

/** Every path under dir with its size and mtime: equal snapshots mean nothing changed. */
function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const stat = lstatSync(path);
      out.push(`${path} ${stat.size} ${stat.mtimeMs} ${stat.isSymbolicLink() ? readlinkSync(path) : ''}`);
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out.sort();
}

async function deploy(plan: DeployPlan, extra: { checkpoint?: MemoryCheckpoint; signal?: AbortSignal } = {}) {
  const events: DeployEvent[] = [];
  const result = await runDeploy(plan, { config, dataDir, checkpoint: extra.checkpoint ?? new MemoryCheckpoint(), onEvent: (e) => events.push(e), signal: extra.signal });
  return { result, events };
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-local-'));
  repo = makeGitRepo(join(base, 'repo'));
  dataDir = join(base, 'var');
  config = deployTestConfig({
    dir: base,
    repo: repo.dir,
    hosts: { 'br-1': { local: 'hosts/br-1' }, 'br-2': { local: 'hosts/br-2' } },
    project: {
      keepReleases: 2,
      hooks: {
        afterDownload: 'test -f build.sh',
        beforeDeploy: 'echo "before $RELEASE_ID" > before-deploy.txt',
        afterDeploy: { template: 'log-restart' },
      },
    },
    hookTemplates: { 'log-restart': 'echo "restart {project} {version} $HOST $DEPLOY_ID" >> ../hooks.log' },
  });
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('deploy over the local transport', () => {
  const hosts = ['br-1', 'br-2'];

  it('when v1 is deployed, then each host has the release layout of docs/reference/deploy-lifecycle.md and a relative symlink', async () => {
    const { result, events } = await deploy(deployPlan({ ref: 'v1', hosts }));
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('success');
    expect(result.commit).toBe(repo.commits.v1);
    expect(result.releaseId).toMatch(new RegExp(`^v1-\\d{14}-${repo.commits.v1!.slice(0, 7)}$`));
    expect(result.package?.file).toBe(`mala-core-v1-${repo.commits.v1!.slice(0, 7)}.tar.gz`);
    expect(result.package?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.buildCacheHit).toBe(false);
    expect(result.bytesUploaded).toBe(2 * result.package!.bytes);
    for (const host of hosts) {
      const link = join(hostRoot(host), 'data/prod/mala-core');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe(`../codes/mala-core/${result.releaseId}`);
      const release = join(hostRoot(host), 'data/codes/mala-core', result.releaseId!);
      expect(currentOn(host)).toBe(release);
      expect(readFileSync(join(release, 'app.txt'), 'utf8')).toBe('app v1\n');
      expect(JSON.parse(readFileSync(join(release, 'filecache/release_indicator.json'), 'utf8'))).toEqual({ name: 'production' });
      expect(JSON.parse(readFileSync(join(release, 'filecache/production.config.zoo'), 'utf8'))).toHaveProperty('global_url');
      expect(readFileSync(join(release, 'before-deploy.txt'), 'utf8')).toBe(`before ${result.releaseId}\n`);
      expect(existsSync(join(hostRoot(host), 'data/codes/mala-core/shared'))).toBe(true);
      expect(readdirSync(join(hostRoot(host), 'data/codes/mala-core/.incoming'))).toEqual([]);
    }
    expect(readFileSync(join(hostRoot('br-1'), 'data/codes/mala-core/hooks.log'), 'utf8')).toBe(`restart mala-core v1 br-1 ${result.deployId}\n`);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('deploy.started');
    expect(types.at(-1)).toBe('deploy.finished');
    expect(events.filter((e) => e.type === 'step.finished').map((e) => (e as { step: string }).step)).toEqual(['resolve', 'build', 'distribute', 'switch', 'prune']);
    expect(events.some((e) => e.type === 'hook.finished' && e.hook === 'afterDownload')).toBe(true);
  });

  it('when v2 and v3 follow, then prune keeps keepReleases (current + previous)', async () => {
    const v2 = await deploy(deployPlan({ ref: 'v2', hosts }));
    expect(v2.result.outcome).toBe('success');
    expect(releasesOn('br-1')).toHaveLength(2);
    const v3 = await deploy(deployPlan({ ref: 'v3', hosts }));
    expect(v3.result.outcome).toBe('success');
    for (const host of hosts) {
      expect(releasesOn(host)).toEqual([v2.result.releaseId, v3.result.releaseId]);
      expect(v3.result.hosts.find((h) => h.host === host)?.steps.prune?.removed).toHaveLength(1);
    }
  });

  it('when the same commit is deployed again, then the build is reused', async () => {
    const { result } = await deploy(deployPlan({ ref: 'v3', hosts }));
    expect(result.outcome).toBe('success');
    expect(result.buildCacheHit).toBe(true);
  });

  it('when rolled back, then every host points at the previous release and nothing is uploaded', async () => {
    const before = releasesOn('br-1');
    const current = currentOn('br-1');
    const { result } = await deploy(deployPlan({ kind: 'rollback', ref: 'rollback', version: 'v3', hosts }));
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('success');
    expect(result.bytesUploaded).toBe(0);
    expect(result.steps.map((s) => s.step)).toEqual(['preflight', 'switch']);
    const expected = before.filter((id) => join(hostRoot('br-1'), 'data/codes/mala-core', id) !== current).at(-1)!;
    expect(result.releaseId).toBe(expected);
    for (const host of hosts) expect(currentOn(host)).toBe(join(hostRoot(host), 'data/codes/mala-core', expected));
  });

  it('when a rollback names a release a host does not have, then that host is named and nothing switches', async () => {
    const before = hosts.map(currentOn);
    const { result } = await deploy(deployPlan({ kind: 'rollback', ref: 'rollback', version: 'v0', rollbackTo: 'v0-20200101000000-abcdef0', hosts }));
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('rollback_target_missing');
    expect(result.error?.message).toContain('br-1, br-2');
    expect(hosts.map(currentOn)).toEqual(before);
  });

  it('when the ref is unknown, then the deploy fails naming the nearest tags and branches, newest first', async () => {
    const { result } = await deploy(deployPlan({ ref: 'v4', hosts }));
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('unknown_ref');
    expect(result.error?.message).toContain('has no tag, branch or commit "v4"; nearest tags (newest first): v3, v2, v1; branches: main');
  });

  it('when the ref carries shell syntax, then it is refused before git or any shell sees it', async () => {
    const marker = join(base, 'pwned');
    const { result } = await deploy(deployPlan({ ref: `v1;touch ${marker}`, hosts }));
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('invalid_ref');
    expect(existsSync(marker)).toBe(false);
  });

  it('when a branch with a slash is deployed, then its release id is filesystem-safe', async () => {
    const { result } = await deploy(deployPlan({ ref: 'feature/x', hosts: ['br-1'] }));
    expect(result.outcome).toBe('success');
    expect(result.commit).toBe(repo.featureCommit);
    expect(result.releaseId).toMatch(/^feature_x-\d{14}-[0-9a-f]{7}$/);
    expect(readFileSync(join(currentOn('br-1'), 'app.txt'), 'utf8')).toBe('app feature\n');
  });

  it('when the same plan runs again with its checkpoint, then nothing is redone and no hook runs twice', async () => {
    const log = join(hostRoot('br-2'), 'data/codes/mala-core/hooks.log');
    const checkpoint = new MemoryCheckpoint();
    const plan = deployPlan({ ref: 'v2', hosts });
    const first = await deploy(plan, { checkpoint });
    expect(first.result.outcome).toBe('success');
    const lines = readFileSync(log, 'utf8').split('\n').length;
    const again = await deploy(plan, { checkpoint });
    expect(again.result.outcome).toBe('success');
    expect(again.result.releaseId).toBe(first.result.releaseId);
    expect(again.result.bytesUploaded).toBe(0);
    expect(readFileSync(log, 'utf8').split('\n').length).toBe(lines);
    expect(again.events.filter((e) => e.type === 'host.started')).toEqual([]);
  });

  it('when cancelled before distribute, then no host changes and the deploy reports cancelled', async () => {
    const before = hosts.map(currentOn);
    const controller = new AbortController();
    const events: DeployEvent[] = [];
    const result = await runDeploy(deployPlan({ ref: 'v1', hosts }), {
      config,
      dataDir,
      checkpoint: new MemoryCheckpoint(),
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'step.finished' && event.step === 'build') controller.abort();
      },
    });
    expect(result.outcome).toBe('cancelled');
    expect(result.steps.at(-1)).toMatchObject({ step: 'distribute', status: 'cancelled' });
    expect(hosts.map(currentOn)).toEqual(before);
  });

  it('when dry-run, then it reports hosts, release id, prune, hooks and free disk, and changes nothing anywhere', async () => {
    const snapshot = () => listTree(base);
    const before = snapshot();
    const plan = deployPlan({ ref: 'v1', hosts });
    const report = await dryRunDeploy(plan, { config, dataDir });
    expect(report.error).toBeUndefined();
    expect(report.commit).toBe(repo.commits.v1);
    expect(report.releaseId).toBe(formatReleaseId('v1', new Date(plan.createdAt), repo.commits.v1!));
    expect(report.buildCached).toBe(true);
    expect(report.hooks.map((h) => [h.point, h.runsOn])).toEqual([['afterDownload', 'worker'], ['beforeDeploy', 'each host'], ['afterDeploy', 'each host']]);
    expect(report.hooks[2]!.command).toBe('echo "restart mala-core v1 $HOST $DEPLOY_ID" >> ../hooks.log');
    for (const host of report.hosts) {
      expect(host.reachable).toBe(true);
      expect(host.freeBytes).toBeGreaterThan(0);
      expect(host.currentReleaseId).toBe(currentOn(host.host).split('/').at(-1));
      // keepReleases 2: the new release and the current one stay, everything older goes
      const existing = releasesOn(host.host);
      expect(host.pruneWouldRemove).toEqual(existing.filter((id) => id !== host.currentReleaseId));
    }
    expect(snapshot()).toEqual(before);

    const onBoth = releasesOn('br-1').find((id) => releasesOn('br-2').includes(id))!;
    const rollback = await dryRunDeploy(deployPlan({ kind: 'rollback', ref: 'rollback', version: 'v2', rollbackTo: onBoth, hosts }), { config, dataDir });
    expect(rollback.error).toBeUndefined();
    expect(rollback.releaseId).toBe(onBoth);
    expect(rollback.hosts.map((h) => h.hasTarget)).toEqual([true, true]);
    const missing = await dryRunDeploy(deployPlan({ kind: 'rollback', ref: 'rollback', version: 'v0', rollbackTo: 'v0-20200101000000-abcdef0', hosts }), { config, dataDir });
    expect(missing.error?.code).toBe('rollback_target_missing');
    const unknown = await dryRunDeploy(deployPlan({ ref: 'v9', hosts }), { config, dataDir });
    expect(unknown.error?.message).toContain('nearest tags (newest first): v3, v2, v1; branches: main');
    expect(snapshot()).toEqual(before);
  });

  it('when a host already holds the release id with another release indicator, then that host fails and is not switched', async () => {
    const plan = deployPlan({ ref: 'v1', hosts, project: 'mala-core' });
    const probe = await deploy({ ...plan, hosts: ['br-1'], deployId: `${plan.deployId}-probe` });
    const releaseId = probe.result.releaseId!;
    // br-2 gets a directory under the same id that claims to be a gray release
    const fake = join(hostRoot('br-2'), 'data/codes/mala-core', releaseId);
    mkdirSync(join(fake, 'filecache'), { recursive: true });
    writeFileSync(join(fake, 'filecache/release_indicator.json'), '{"name":"gray"}');
    const before = currentOn('br-2');
    const { result } = await deploy(plan);
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('not_switched');
    const br2 = result.hosts.find((h) => h.host === 'br-2')!;
    expect(br2.outcome).toBe('failed');
    expect(br2.error?.code).toBe('release_mismatch');
    expect(currentOn('br-2')).toBe(before);
    rmSync(fake, { recursive: true });
  });
});
