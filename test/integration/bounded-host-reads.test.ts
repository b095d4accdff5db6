// `status`, `--dry-run` and the gray watch read hosts with at most the project's `parallel`
// connections open at once. Measured on the real side: six host entries reach one real sshd
// through a counting TCP proxy, which sees every SSH connection the bot opens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestRedis, testRedis } from '../fakes/test-redis.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { type HoldingTcpProxy, startHoldingTcpProxy } from '../fixtures/holding-tcp-proxy.ts';
import { type JobHarness, startJobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { type SshTestHosts, startSshHosts } from '../support/ssh-hosts.ts';

const HOSTS = ['br-1', 'br-2', 'br-3', 'br-4', 'br-5', 'br-6'];
let base: string;
let ssh: SshTestHosts;
let proxy: HoldingTcpProxy;
let redis: TestRedis;
let h: JobHarness;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-bounded-reads-'));
  const repo = makeGitRepo(join(base, 'repo'));
  ssh = await startSshHosts(1);
  const sshd = ssh.hosts[0]!;
  proxy = await startHoldingTcpProxy({ host: sshd.address, port: sshd.port });
  const config = deployTestConfig({
    dir: base,
    repo: repo.dir,
    hosts: Object.fromEntries(HOSTS.map((name) => [name, { address: '127.0.0.1', port: proxy.port, user: sshd.user, hostKey: sshd.hostKey }])),
    privateKey: ssh.privateKey,
    project: { parallel: 2 },
  });
  redis = await testRedis();
  h = await startJobHarness({ config, redisUrl: redis.url, dataDir: join(base, 'var') });
});

afterAll(async () => {
  await h?.close();
  await proxy?.close();
  await ssh?.stopAll();
  await redis?.stop();
  rmSync(base, { recursive: true, force: true });
});

describe('reads of hosts with parallel: 2', () => {
  it('when status reads six hosts, then every host is read and never more than 2 SSH connections are open at once', async () => {
    proxy.resetCounts();
    const answer = await h.say('alice', 'status mala-core brazil');
    const text = answer.public.map((m) => m.text).join('\n');
    for (const host of HOSTS) expect(text).toContain(host);
    expect(text).not.toMatch(/no answer within|ECONNREFUSED|unreachable/);
    expect(proxy.total()).toBe(HOSTS.length);
    expect(proxy.maxOpen()).toBeLessThanOrEqual(2);
    expect(proxy.maxOpen()).toBe(2);
  });

  it('when a dry run reads six hosts, then never more than 2 SSH connections are open at once', async () => {
    proxy.resetCounts();
    const answer = await h.say('alice', 'deploy mala-core brazil v1 --dry-run');
    const text = [...answer.private, ...answer.public.map((m) => m.text)].join('\n');
    for (const host of HOSTS) expect(text).toContain(host);
    expect(answer.deployIds).toEqual([]);
    expect(proxy.total()).toBe(HOSTS.length);
    expect(proxy.maxOpen()).toBeLessThanOrEqual(2);
  });
});
