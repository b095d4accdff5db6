// Guarantees of the engine checked over the local transport: the switch is never
// observable half-done, packages are reproducible, the approved checksum is enforced,
// worker hooks get a minimal environment, hook timeouts, and the record step.
import { appendFileSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { MemoryCheckpoint } from '../../src/deploy/deploy-checkpoint.ts';
import type { DeployEvent } from '../../src/deploy/deploy-events.ts';
import type { DeployResult } from '../../src/deploy/deploy-result.ts';
import { runDeploy } from '../../src/deploy/run-deploy.ts';
import type { HostTransport } from '../../src/deploy/transports/host-transport.ts';
import type { LocalTransport } from '../../src/deploy/transports/local-transport.ts';
import { transportForHost } from '../../src/deploy/transports/transport-for-host.ts';
import { deployPlan, deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';

let base: string;
let repo: TestRepo;
const hosts = ['br-1', 'br-2'];

function configWith(project: Record<string, unknown>, name = 'cfg'): Config {
  return deployTestConfig({
    dir: join(base, name),
    repo: repo.dir,
    hosts: { 'br-1': { local: '../hosts/br-1' }, 'br-2': { local: '../hosts/br-2' } },
    project,
  });
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-guarantees-'));
  repo = makeGitRepo(join(base, 'repo'), { blobBytes: 200_000 });
  for (const name of ['cfg', 'env', 'timeout']) (await import('node:fs')).mkdirSync(join(base, name), { recursive: true });
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('engine guarantees (local transport)', () => {
  it('when switching, then `path` always resolves to a complete release, even read in a tight loop', async () => {
    const config = configWith({});
    const dataDir = join(base, 'var');
    expect((await runDeploy(deployPlan({ ref: 'v1', hosts }), { config, dataDir, checkpoint: new MemoryCheckpoint() })).outcome).toBe('success');
    const path = join(base, 'hosts/br-1/data/prod/mala-core');
    let reads = 0;
    let broken = 0;
    let running = true;
    const reader = (async () => {
      while (running) {
        reads += 1;
        if (!existsSync(join(path, 'filecache/release_indicator.json')) || !existsSync(join(path, 'app.txt'))) broken += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (const ref of ['v2', 'v3', 'v1', 'v2']) {
      const result = await runDeploy(deployPlan({ ref, hosts }), { config, dataDir, checkpoint: new MemoryCheckpoint() });
      expect(result.outcome).toBe('success');
    }
    running = false;
    await reader;
    expect(reads).toBeGreaterThan(20);
    expect(broken).toBe(0);
  });

  it('when the same commit is packaged on two workers, then the package sha256 is the same', async () => {
    // a deterministic build (the shared fixture's adds random bytes)
    const plain = makeGitRepo(join(base, 'repo-plain'));
    const config = deployTestConfig({ dir: join(base, 'cfg'), repo: plain.dir, hosts: { 'br-1': { local: '../hosts/br-1' }, 'br-2': { local: '../hosts/br-2' } } });
    const a = await runDeploy(deployPlan({ ref: 'v2', hosts: ['br-1'] }), { config, dataDir: join(base, 'worker-a'), checkpoint: new MemoryCheckpoint() });
    const b = await runDeploy(deployPlan({ ref: 'v2', hosts: ['br-1'] }), { config, dataDir: join(base, 'worker-b'), checkpoint: new MemoryCheckpoint() });
    expect(a.buildCacheHit).toBe(false);
    expect(b.buildCacheHit).toBe(false);
    expect(b.package!.sha256).toBe(a.package!.sha256);
  });

  it('when the package differs from the approved checksum, then nothing is uploaded or switched', async () => {
    const config = configWith({});
    const before = realpathSync(join(base, 'hosts/br-1/data/prod/mala-core'));
    const result = await runDeploy(deployPlan({ ref: 'v3', hosts, expectedPackageSha256: 'f'.repeat(64) }), { config, dataDir: join(base, 'var'), checkpoint: new MemoryCheckpoint() });
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('package_changed');
    expect(result.bytesUploaded).toBe(0);
    expect(realpathSync(join(base, 'hosts/br-1/data/prod/mala-core'))).toBe(before);
  });

  it('when a package arrives corrupted on a host, then its checksum fails there and it is neither unpacked nor switched', async () => {
    const config = configWith({ maxFailedHosts: 1 });
    const result = await runDeploy(deployPlan({ ref: 'v1', hosts }), {
      config,
      dataDir: join(base, 'var'),
      checkpoint: new MemoryCheckpoint(),
      transport: (host) => {
        const real = transportForHost(config, host);
        if (host !== 'br-2') return real;
        return Object.assign(Object.create(real) as HostTransport, {
          upload: async (local: string, remote: string) => {
            await real.upload(local, remote);
            appendFileSync((real as LocalTransport).map(remote), 'tampered');
          },
        });
      },
    });
    expect(result.outcome).toBe('partial');
    const br2 = result.hosts.find((h) => h.host === 'br-2')!;
    expect(br2.error?.code).toBe('checksum_mismatch');
    expect(existsSync(join(base, 'hosts/br-2/data/codes/mala-core', result.releaseId!))).toBe(false);
    expect(result.switchedHosts).toEqual(['br-1']);
  });

  it("when worker hooks run, then they see the deploy variables and a minimal environment, never the bot's", async () => {
    process.env.DEPLOYBOT_FAKE_SECRET = 'must-not-leak';
    try {
      const config = configWith({ hooks: { afterDownload: 'env | sort' } }, 'env');
      const events: DeployEvent[] = [];
      const result = await runDeploy(deployPlan({ ref: 'v1', hosts: ['br-1'] }), { config, dataDir: join(base, 'var'), checkpoint: new MemoryCheckpoint(), onEvent: (e) => events.push(e) });
      expect(result.outcome).toBe('success');
      const hook = events.find((e) => e.type === 'hook.finished' && e.hook === 'afterDownload') as Extract<DeployEvent, { type: 'hook.finished' }>;
      const names = hook.outputTail.map((line) => line.split('=')[0]);
      for (const name of ['PATH', 'HOME', 'LANG', 'DEPLOY_ID', 'RELEASE_ID', 'VERSION', 'COMMIT', 'PROJECT', 'MARKET', 'RELEASE']) expect(names).toContain(name);
      expect(hook.outputTail).toContain('VERSION=v1');
      expect(hook.outputTail).toContain('RELEASE=production');
      expect(hook.outputTail.join('\n')).not.toContain('must-not-leak');
    } finally {
      delete process.env.DEPLOYBOT_FAKE_SECRET;
    }
  });

  it('when a host hook outlives hookTimeout, then it is killed and the host is reported with its output', async () => {
    const config = configWith({ hookTimeout: '1s', hooks: { afterDeploy: 'echo starting; exec sleep 30' } }, 'timeout');
    const started = Date.now();
    const result = await runDeploy(deployPlan({ ref: 'v1', hosts: ['br-2'] }), { config, dataDir: join(base, 'var'), checkpoint: new MemoryCheckpoint() });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.outcome).toBe('partial');
    const host = result.hosts[0]!;
    expect(host.failedStep).toBe('afterDeploy');
    expect(host.error?.code).toBe('hook_timeout');
    expect(host.outputTail?.[0]).toBe('starting');
  });

  it('when cancelled between hosts of distribute, then the rest are not started, nothing switches, and the deploy is cancelled', async () => {
    const config = configWith({ parallel: 1 });
    const before = hosts.map((h) => realpathSync(join(base, `hosts/${h}/data/prod/mala-core`)));
    const controller = new AbortController();
    const result = await runDeploy(deployPlan({ ref: 'v2', hosts }), {
      config, dataDir: join(base, 'var'), checkpoint: new MemoryCheckpoint(), signal: controller.signal,
      onEvent: (e) => { if (e.type === 'host.finished' && e.step === 'distribute') controller.abort(); },
    });
    expect(result.outcome).toBe('cancelled');
    expect(result.hosts.map((h) => [h.host, h.steps.distribute?.status, h.outcome])).toEqual([['br-1', 'done', 'not-switched'], ['br-2', 'skipped', 'not-switched']]);
    expect(hosts.map((h) => realpathSync(join(base, `hosts/${h}/data/prod/mala-core`)))).toEqual(before);
  });

  it('when a cancel arrives once switching has begun, then the switch completes on every host and says the cancel was ignored', async () => {
    const config = configWith({ parallel: 1 });
    const controller = new AbortController();
    const result = await runDeploy(deployPlan({ ref: 'v3', hosts }), {
      config, dataDir: join(base, 'var'), checkpoint: new MemoryCheckpoint(), signal: controller.signal,
      onEvent: (e) => { if (e.type === 'host.started' && e.step === 'link') controller.abort(); },
    });
    expect(result.outcome).toBe('success');
    expect(result.switchedHosts).toEqual(hosts);
    expect(result.cancelIgnored).toBe(true);
    expect(result.steps.at(-1)).toMatchObject({ step: 'prune', status: 'skipped' });
  });

  it('when hosts switch, then record runs once, between switch and prune, with the switched hosts', async () => {
    const config = configWith({});
    const recorded: DeployResult[] = [];
    const order: string[] = [];
    const checkpoint = new MemoryCheckpoint();
    const plan = deployPlan({ ref: 'v3', hosts });
    const deps = {
      config, dataDir: join(base, 'var'), checkpoint,
      record: async (r: DeployResult) => { recorded.push(r); },
      onEvent: (e: DeployEvent) => { if (e.type === 'step.finished') order.push(e.step); },
    };
    const result = await runDeploy(plan, deps);
    expect(result.outcome).toBe('success');
    expect(order).toEqual(['resolve', 'build', 'distribute', 'switch', 'record', 'prune']);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.switchedHosts).toEqual(hosts);
    expect(recorded[0]!.commit).toBe(repo.commits.v3);
    await runDeploy(plan, deps);
    expect(recorded).toHaveLength(1);
  });
});
