// The engine against four real sshd hosts (each with its own /data) and a real git repo.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { Secret } from '../../src/core/secret.ts';
import { MemoryCheckpoint } from '../../src/deploy/deploy-checkpoint.ts';
import type { DeployEvent } from '../../src/deploy/deploy-events.ts';
import type { DeployPlan } from '../../src/deploy/deploy-plan.ts';
import { runDeploy } from '../../src/deploy/run-deploy.ts';
import { SshTransport } from '../../src/deploy/transports/ssh-transport.ts';
import { transportForHost } from '../../src/deploy/transports/transport-for-host.ts';
import { deployPlan, deployTestConfig, type SshHostEntry } from '../fixtures/deploy-test-config.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { type SshTestHost, type SshTestHosts, startSshHosts } from '../support/ssh-hosts.ts';

let base: string;
let repo: TestRepo;
let ssh: SshTestHosts;
let dataDir: string;
let names: string[];

const entry = (h: SshTestHost): SshHostEntry => ({ address: h.address, port: h.port, user: h.user, hostKey: h.hostKey });
const byName = (name: string) => ssh.hosts.find((h) => h.name === name)!;

function config(project: Record<string, unknown> = {}, hostKeys: Record<string, string> = {}): Config {
  return deployTestConfig({
    dir: base,
    repo: repo.dir,
    privateKey: ssh.privateKey,
    hosts: Object.fromEntries(ssh.hosts.map((h) => [h.name, { ...entry(h), ...(hostKeys[h.name] ? { hostKey: hostKeys[h.name]! } : {}) }])),
    project: {
      keepReleases: 2,
      hostTimeout: '10s',
      hooks: {
        beforeDeploy: 'echo "before {version} $HOST" > before-deploy.txt',
        afterDeploy: 'echo "after {version} $HOST $RELEASE_ID" >> /data/hooks.log',
      },
      ...project,
    },
  });
}

async function deploy(plan: DeployPlan, cfg = config(), checkpoint = new MemoryCheckpoint()) {
  const events: DeployEvent[] = [];
  const result = await runDeploy(plan, { config: cfg, dataDir, checkpoint, onEvent: (e) => events.push(e) });
  return { result, events };
}

const readers = new Map<string, SshTransport>();

/** Reads back over SSH, as an operator would (one connection per host, reopened after a restart). */
async function remote(host: string, argv: string[]): Promise<string> {
  const h = byName(host);
  let transport = readers.get(host);
  if (!transport) {
    transport = new SshTransport({ host, address: h.address, port: h.port, user: h.user, hostKey: h.hostKey, privateKey: new Secret(ssh.privateKey, 'test') });
    readers.set(host, transport);
  }
  const result = await transport.run(argv);
  if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} on ${host}: ${result.stderr}`);
  return result.stdout.trim();
}

const releasesOn = (host: string) => readdirSync(join(byName(host).root, 'codes/mala-core')).filter((n) => /-\d{14}-[0-9a-f]{7}$/.test(n)).sort();

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-ssh-engine-'));
  repo = makeGitRepo(join(base, 'repo'));
  dataDir = join(base, 'var');
  ssh = await startSshHosts(4, { prefix: 'br-' });
  names = ssh.hosts.map((h) => h.name);
});

afterAll(async () => {
  await Promise.all([...readers.values()].map((t) => t.close()));
  await ssh?.stopAll();
  rmSync(base, { recursive: true, force: true });
});

describe('deploy over SSH to four hosts', () => {
  let v1: string;
  let v2: string;

  it('when v1 then v2 are deployed, then each host has the docs/reference/deploy-lifecycle.md layout, read back with readlink', async () => {
    const first = await deploy(deployPlan({ ref: 'v1', hosts: names }));
    expect(first.result.error).toBeUndefined();
    expect(first.result.outcome).toBe('success');
    v1 = first.result.releaseId!;
    const second = await deploy(deployPlan({ ref: 'v2', hosts: names }));
    expect(second.result.outcome).toBe('success');
    v2 = second.result.releaseId!;
    expect(second.result.bytesUploaded).toBe(4 * second.result.package!.bytes);
    for (const host of names) {
      expect(await remote(host, ['readlink', '/data/prod/mala-core'])).toBe(`/data/codes/mala-core/${v2}`);
      // the rest through the host's /data as seen from this machine
      const data = byName(host).root;
      const current = join(data, 'codes/mala-core', v2);
      expect(readFileSync(join(current, 'app.txt'), 'utf8')).toBe('app v2\n');
      expect(readFileSync(join(current, 'filecache/release_indicator.json'), 'utf8')).toBe('{"name":"production"}');
      expect(readFileSync(join(current, 'before-deploy.txt'), 'utf8')).toBe(`before v2 ${host}\n`);
      expect(readdirSync(join(data, 'codes/mala-core')).sort()).toEqual(['.incoming', 'shared', v1, v2].sort());
      expect(readdirSync(join(data, 'codes/mala-core/.incoming'))).toEqual([]);
      expect(readFileSync(join(data, 'hooks.log'), 'utf8')).toBe(`after v1 ${host} ${v1}\nafter v2 ${host} ${v2}\n`);
    }
  });

  it('when v3 follows, then prune keeps keepReleases: the current and the previous', async () => {
    const { result } = await deploy(deployPlan({ ref: 'v3', hosts: names }));
    expect(result.outcome).toBe('success');
    for (const host of names) expect(releasesOn(host)).toEqual([v2, result.releaseId]);
  });

  it('when rolled back, then every host flips to the previous release with no upload', async () => {
    const { result, events } = await deploy(deployPlan({ kind: 'rollback', ref: 'rollback', version: 'v2', hosts: names }));
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('success');
    expect(result.releaseId).toBe(v2);
    expect(result.bytesUploaded).toBe(0);
    expect(events.some((e) => e.type === 'host.bytes')).toBe(false);
    for (const host of names) expect(await remote(host, ['readlink', '/data/prod/mala-core'])).toBe(`/data/codes/mala-core/${v2}`);
  });

  it('when a host is stopped and maxFailedHosts is 0, then nothing switches and the host is named; a retry after it returns completes', async () => {
    const down = byName('br-3');
    await down.stop();
    const before = await Promise.all(names.filter((n) => n !== 'br-3').map((h) => remote(h, ['readlink', '/data/prod/mala-core'])));
    const failed = await deploy(deployPlan({ ref: 'v1', hosts: names }));
    expect(failed.result.outcome).toBe('failed');
    expect(failed.result.error?.code).toBe('not_switched');
    expect(failed.result.error?.message).toContain('br-3');
    expect(failed.result.failedHosts).toEqual(['br-3']);
    expect(failed.result.hosts.find((h) => h.host === 'br-3')?.error?.message).toMatch(/br-3 .*connection refused/);
    expect(await Promise.all(names.filter((n) => n !== 'br-3').map((h) => remote(h, ['readlink', '/data/prod/mala-core'])))).toEqual(before);

    await down.start();
    const retry = await deploy(deployPlan({ kind: 'retry', ref: 'v1', hosts: names, previous: failed.result }));
    expect(retry.result.error).toBeUndefined();
    expect(retry.result.outcome).toBe('success');
    expect(retry.result.releaseId).toBe(failed.result.releaseId);
    // only br-3 needed the package; the others already held it
    expect(retry.result.bytesUploaded).toBe(retry.result.package!.bytes);
    for (const host of names) expect(await remote(host, ['readlink', '/data/prod/mala-core'])).toBe(`/data/codes/mala-core/${failed.result.releaseId}`);
  });

  it('when a host is stopped and maxFailedHosts is 1, then the others switch and the deploy is partial', async () => {
    const down = byName('br-2');
    await down.stop();
    try {
      const { result } = await deploy(deployPlan({ ref: 'v2', hosts: names }), config({ maxFailedHosts: 1 }));
      expect(result.outcome).toBe('partial');
      expect(result.failedHosts).toEqual(['br-2']);
      expect(result.switchedHosts).toEqual(['br-1', 'br-3', 'br-4']);
      for (const host of result.switchedHosts) expect(await remote(host, ['readlink', '/data/prod/mala-core'])).toBe(`/data/codes/mala-core/${result.releaseId}`);
    } finally {
      await down.start();
    }
  });

  it('when a host is down during a rollback, then with maxFailedHosts 0 nothing switches, and with 1 the others roll back', async () => {
    const down = byName('br-2');
    const live = names.filter((n) => n !== 'br-2');
    const before = await Promise.all(live.map((h) => remote(h, ['readlink', '/data/prod/mala-core'])));
    const target = releasesOn('br-1').find((id) => `/data/codes/mala-core/${id}` !== before[0])!;
    await down.stop();
    try {
      const refused = await deploy(deployPlan({ kind: 'rollback', ref: 'rollback', version: 'v1', hosts: names, rollbackTo: target }));
      expect(refused.result.outcome).toBe('failed');
      expect(refused.result.error?.message).toMatch(/cannot check br-2/);
      expect(await Promise.all(live.map((h) => remote(h, ['readlink', '/data/prod/mala-core'])))).toEqual(before);

      const { result } = await deploy(deployPlan({ kind: 'rollback', ref: 'rollback', version: 'v1', hosts: names, rollbackTo: target }), config({ maxFailedHosts: 1 }));
      expect(result.outcome).toBe('partial');
      expect(result.failedHosts).toEqual(['br-2']);
      expect(result.bytesUploaded).toBe(0);
      for (const host of live) expect(await remote(host, ['readlink', '/data/prod/mala-core'])).toBe(`/data/codes/mala-core/${target}`);
    } finally {
      await down.start();
    }
  });

  it('when a host hangs past hostTimeout, then the others are not delayed beyond it', async () => {
    const hung = byName('br-4');
    hung.pause();
    try {
      const started = Date.now();
      const { result, events } = await deploy(deployPlan({ ref: 'v3', hosts: names }), config({ maxFailedHosts: 1, hostTimeout: '5s' }));
      const elapsed = Date.now() - started;
      expect(result.outcome, JSON.stringify(result.hosts.map((h) => [h.host, h.error]))).toBe('partial');
      expect(result.failedHosts).toEqual(['br-4']);
      expect(result.hosts.find((h) => h.host === 'br-4')?.error?.message).toMatch(/timed out|handshake/);
      const finishedAt = (host: string, step: string) => events.find((e) => e.type === 'host.finished' && e.host === host && e.step === step)!;
      const distributeStart = Date.parse(events.find((e) => e.type === 'step.started' && e.step === 'distribute')!.at);
      const hungFailedAt = Date.parse(events.find((e) => e.type === 'host.failed' && e.host === 'br-4')!.at);
      expect(hungFailedAt - distributeStart).toBeGreaterThanOrEqual(5000);
      expect(hungFailedAt - distributeStart).toBeLessThan(5000 + 1000);
      for (const host of ['br-1', 'br-2', 'br-3']) expect(Date.parse(finishedAt(host, 'distribute').at)).toBeLessThan(hungFailedAt);
      // nothing waits on the hung host beyond its timeout: the switch of the others starts right
      // after it is given up (a second wait would show as another hostTimeout here), and the
      // whole deploy is that timeout plus the work on three healthy hosts
      const switchStart = Date.parse(events.find((e) => e.type === 'step.started' && e.step === 'switch')!.at);
      expect(switchStart).toBeGreaterThanOrEqual(hungFailedAt);
      expect(switchStart - hungFailedAt).toBeLessThan(2000);
      expect(elapsed).toBeLessThan(2 * 5000 + 5000);
    } finally {
      hung.resume();
    }
  });

  it('when a pinned host key does not match, then the host is refused with a clear error and nothing switches', async () => {
    const before = await remote('br-1', ['readlink', '/data/prod/mala-core']);
    const wrong = config({}, { 'br-1': byName('br-2').hostKey });
    const { result } = await deploy(deployPlan({ ref: 'v1', hosts: names }), wrong);
    expect(result.outcome).toBe('failed');
    const br1 = result.hosts.find((h) => h.host === 'br-1')!;
    expect(br1.error?.code).toBe('host_key_mismatch');
    expect(br1.error?.message).toMatch(/br-1 \(127\.0\.0\.1:\d+\) presented host key SHA256:\S+ \(ssh-ed25519\), but hosts\.br-1\.hostKey pins SHA256:/);
    expect(await remote('br-1', ['readlink', '/data/prod/mala-core'])).toBe(before);
  });

  it('when the stream to a host is corrupted on the way, then that host refuses it before the switch and keeps nothing half-unpacked', async () => {
    const cfg = config({ maxFailedHosts: 2 });
    const before = Object.fromEntries(await Promise.all(names.map(async (h) => [h, await remote(h, ['readlink', '/data/prod/mala-core'])] as const)));
    // br-2 receives the package with one byte flipped in the middle, br-3 only its first half
    const spoiled: Record<string, (bytes: Buffer) => Buffer> = {
      'br-2': (bytes) => {
        const copy = Buffer.from(bytes);
        const middle = copy.length >> 1;
        copy[middle] = copy[middle]! ^ 0xff;
        return copy;
      },
      'br-3': (bytes) => bytes.subarray(0, bytes.length >> 1),
    };
    const result = await runDeploy(deployPlan({ ref: 'v2', hosts: names }), {
      config: cfg,
      dataDir,
      checkpoint: new MemoryCheckpoint(),
      transport: (host) => {
        const real = transportForHost(cfg, host);
        const spoil = spoiled[host];
        if (!spoil) return real;
        return new Proxy(real, {
          get(target, name) {
            if (name === 'receivePackage') {
              return (local: string, intoDir: string, sha256: string) => {
                const file = join(base, `spoiled-${host}.tar.gz`);
                writeFileSync(file, spoil(readFileSync(local)));
                return target.receivePackage(file, intoDir, sha256);
              };
            }
            const value = Reflect.get(target, name) as unknown;
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      },
    });
    expect(result.outcome).toBe('partial');
    expect(result.switchedHosts).toEqual(['br-1', 'br-4']);
    for (const host of ['br-2', 'br-3']) {
      const failed = result.hosts.find((h) => h.host === host)!;
      expect(failed.error?.code).toBe('checksum_mismatch');
      expect(failed.steps.link).toBeUndefined();
      // still serving what it served, no directory under the release's name, nothing left aside
      expect(await remote(host, ['readlink', '/data/prod/mala-core'])).toBe(before[host]);
      expect(releasesOn(host)).not.toContain(result.releaseId);
      expect(readdirSync(join(byName(host).root, 'codes/mala-core/.incoming'))).toEqual([]);
    }
    for (const host of result.switchedHosts) {
      expect(await remote(host, ['readlink', '/data/prod/mala-core'])).toBe(`/data/codes/mala-core/${result.releaseId}`);
      expect(await remote(host, ['cat', `/data/codes/mala-core/${result.releaseId}/filecache/release_indicator.json`])).toContain('production');
    }
  });

  it('when a ref or version carries shell syntax, then no shell on any host runs it', async () => {
    const refused = await deploy(deployPlan({ ref: 'v1;touch /data/pwned-ref', hosts: names }));
    expect(refused.result.error?.code).toBe('invalid_ref');
    // a version with shell syntax (e.g. from history) reaches hooks only as quoted words and env values
    const version = 'v1$(touch /data/pwned-version);touch /data/pwned-semicolon';
    const { result } = await deploy(deployPlan({ ref: 'v1', version, hosts: names }));
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('success');
    expect(result.releaseId).toMatch(/^v1__touch__data_pwned-version__touch__data_pwned-semicolon-\d{14}-[0-9a-f]{7}$/);
    for (const h of ssh.hosts) {
      for (const marker of ['pwned-ref', 'pwned-version', 'pwned-semicolon']) expect(existsSync(join(h.root, marker))).toBe(false);
      expect(readFileSync(join(h.root, 'codes/mala-core', result.releaseId!, 'before-deploy.txt'), 'utf8')).toBe(`before ${version} ${h.name}\n`);
    }
  });

  it('when a hook prints the private key, then neither output, events nor the result contain key material', async () => {
    for (const h of ssh.hosts) writeFileSync(join(h.root, 'leak.txt'), `oops:\n${ssh.privateKey}`);
    const { result, events } = await deploy(deployPlan({ ref: 'v2', hosts: names }), config({ hooks: { afterDeploy: 'cat /data/leak.txt; exit 3' } }));
    expect(result.outcome).toBe('partial');
    const everything = JSON.stringify({ result, events });
    expect(everything).toContain('[redacted]');
    const bodyLines = ssh.privateKey.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('-----'));
    expect(bodyLines.length).toBeGreaterThan(2);
    for (const line of bodyLines) expect(everything).not.toContain(line);
    expect(result.hosts[0]!.outputTail).toContain('oops:');
    expect(result.hosts[0]!.failedStep).toBe('afterDeploy');
  });
});
