// Admin relay (docs/reference/deploy-lifecycle.md): the bot uploads one package to the location's admin host, which
// copies it to its cluster with its own key and known_hosts (strict host-key checking).
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { MemoryCheckpoint } from '../../src/deploy/deploy-checkpoint.ts';
import type { DeployEvent } from '../../src/deploy/deploy-events.ts';
import { runDeploy } from '../../src/deploy/run-deploy.ts';
import { deployPlan, deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { type SshTestHost, type SshTestHosts, startSshHosts, sshHostEntries } from '../support/ssh-hosts.ts';

let base: string;
let repo: TestRepo;
let ssh: SshTestHosts;
let admin: SshTestHost;
let cluster: SshTestHost[];
let config: Config;

const RELAY = { identityFile: '/data/.ssh/relay_ed25519', knownHostsFile: '/data/.ssh/known_hosts', sshConfigFile: '/dev/null' };

/** The admin's own key for its cluster: made now, kept in the admin's /data, authorized on the cluster hosts. */
function giveAdminItsOwnAccess(): void {
  const sshDir = join(admin.root, '.ssh');
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  const keyFile = join(sshDir, 'relay_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'admin-relay', '-f', keyFile]);
  chmodSync(keyFile, 0o600);
  // startSshHosts points every host's AuthorizedKeysFile at <base>/authorized_keys (base = the
  // parent of each host's directory); the admin's key is added there for its cluster.
  const authorizedKeys = join(dirname(dirname(cluster[0]!.root)), 'authorized_keys');
  if (!existsSync(authorizedKeys)) throw new Error(`expected the test hosts' authorized_keys at ${authorizedKeys}`);
  appendFileSync(authorizedKeys, readFileSync(`${keyFile}.pub`, 'utf8'));
  writeKnownHosts(cluster);
}

function writeKnownHosts(hosts: SshTestHost[], override: Record<string, string> = {}): void {
  const lines = hosts.map((h) => `[${h.address}]:${h.port} ${override[h.name] ?? h.hostKey}`);
  writeFileSync(join(admin.root, '.ssh', 'known_hosts'), `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-relay-'));
  repo = makeGitRepo(join(base, 'repo'), { blobBytes: 2_000_000 });
  ssh = await startSshHosts(5, { prefix: 'br-' });
  [admin, ...cluster] = ssh.hosts as [SshTestHost, ...SshTestHost[]];
  giveAdminItsOwnAccess();
  config = deployTestConfig({
    dir: base,
    repo: repo.dir,
    privateKey: ssh.privateKey,
    admin: admin.name,
    hosts: sshHostEntries(ssh.hosts),
    project: { hostTimeout: '20s' },
  });
});

afterAll(async () => {
  await ssh?.stopAll();
  rmSync(base, { recursive: true, force: true });
});

describe('deploy through an admin relay', () => {
  it('when the location has an admin, then the bot uploads one package and every cluster host gets the release', async () => {
    const events: DeployEvent[] = [];
    const hosts = cluster.map((h) => h.name);
    const result = await runDeploy(deployPlan({ ref: 'v1', hosts }), {
      config, dataDir: join(base, 'var'), checkpoint: new MemoryCheckpoint(), relay: RELAY, onEvent: (e) => events.push(e),
    });
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('success');
    expect(result.relayedVia).toBe(admin.name);
    expect(result.package!.bytes).toBeGreaterThan(1_000_000);
    expect(result.bytesUploaded).toBe(result.package!.bytes);
    const uploadsTo = new Set(events.filter((e) => e.type === 'host.bytes').map((e) => (e as { host: string }).host));
    expect([...uploadsTo]).toEqual([admin.name]);
    expect(existsSync(join(admin.root, 'codes/mala-core/packages', result.releaseId!, result.package!.file))).toBe(true);
    for (const h of cluster) {
      expect(readlinkSync(join(h.root, 'prod/mala-core'))).toBe(`/data/codes/mala-core/${result.releaseId}`);
      expect(readFileSync(join(h.root, 'codes/mala-core', result.releaseId!, 'app.txt'), 'utf8')).toBe('app v1\n');
    }
  });

  it('when more releases were relayed than keepReleases, then the admin keeps only the packages of the newest ones, this one included', async () => {
    const hosts = cluster.map((h) => h.name);
    const ids: string[] = [];
    for (const ref of ['v1', 'v2', 'v3', 'v1']) {
      const result = await runDeploy(deployPlan({ ref, hosts }), { config, dataDir: join(base, 'var'), checkpoint: new MemoryCheckpoint(), relay: RELAY });
      expect(result.outcome).toBe('success');
      ids.push(result.releaseId!);
    }
    const kept = readdirSync(join(admin.root, 'codes/mala-core/packages')).sort();
    // keepReleases is 3 in this config; the first test's release and the first two here are gone
    expect(kept).toEqual(ids.slice(1).sort());
  });

  it("when the admin does not know a cluster host's key, then that host is refused by strict checking and nothing switches", async () => {
    writeKnownHosts(cluster, { [cluster[1]!.name]: admin.hostKey });
    try {
      const hosts = cluster.map((h) => h.name);
      const before = cluster.map((h) => readlinkSync(join(h.root, 'prod/mala-core')));
      const result = await runDeploy(deployPlan({ ref: 'v2', hosts }), { config, dataDir: join(base, 'var'), checkpoint: new MemoryCheckpoint(), relay: RELAY });
      expect(result.outcome).toBe('failed');
      const refused = result.hosts.find((h) => h.host === cluster[1]!.name)!;
      expect(refused.error?.code).toBe('relay_failed');
      expect(refused.error?.message).toMatch(/host key/i);
      expect(cluster.map((h) => readlinkSync(join(h.root, 'prod/mala-core')))).toEqual(before);
    } finally {
      writeKnownHosts(cluster);
    }
  });
});

describe('a deploy command to a location with an admin', () => {
  it('when the config names the relay settings, then the job relays through the admin and the bot uploads one package, and sync gives a host that lost the release back through the admin', async () => {
    mkdirSync(join(base, 'relay-config'));
    const relayed = deployTestConfig({
      dir: join(base, 'relay-config'),
      repo: repo.dir,
      privateKey: ssh.privateKey,
      admin: admin.name,
      relay: RELAY,
      hosts: sshHostEntries(ssh.hosts),
      project: { hostTimeout: '20s' },
    });
    const h = await startJobHarness({ config: relayed, redisUrl: inject('redisUrl'), dataDir: join(base, 'var-jobs') });
    try {
      const id = await h.request('alice', 'deploy mala-core brazil v3');
      const record = await h.settle(id);
      expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
      const result = JSON.parse((await h.jobs.rt.redis.get(h.jobs.rt.keys.deployResult(id)))!) as { relayedVia?: string; bytesUploaded: number; package: { bytes: number } };
      expect(result.relayedVia).toBe(admin.name);
      expect(result.bytesUploaded).toBe(result.package.bytes);
      for (const host of cluster) expect(readlinkSync(join(host.root, 'prod/mala-core'))).toContain(repo.commits.v3!.slice(0, 7));

      // sync (docs/operations.md, "Hosts that join or drift"): a host that lost its release gets it back through the admin
      const lost = cluster[2]!;
      const releaseId = (await h.settle(id)).releaseId!;
      rmSync(join(lost.root, 'codes/mala-core', releaseId), { recursive: true });
      const sync = await h.request('alice', 'sync mala-core brazil');
      const synced = await h.settle(sync);
      expect({ state: synced.state, reason: synced.reason }).toEqual({ state: 'success', reason: undefined });
      const syncResult = JSON.parse((await h.jobs.rt.redis.get(h.jobs.rt.keys.deployResult(sync)))!) as { relayedVia?: string; switchedHosts: string[] };
      expect(syncResult.relayedVia).toBe(admin.name);
      expect(syncResult.switchedHosts).toEqual([lost.name]);
      expect(readFileSync(join(lost.root, 'codes/mala-core', releaseId, 'app.txt'), 'utf8')).toBe('app v3\n');
    } finally {
      await h.close();
    }
  });
});
