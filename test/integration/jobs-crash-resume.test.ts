// Workers as separate processes on real sshd hosts: a worker SIGKILLed mid-distribute or
// mid-switch is replaced by another that finishes the deploy; no host runs a hook twice and
// every host ends on the complete release. A kill inside a hook is awaited on the host, not re-run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import type { DeployNotice } from '../../src/deploy/deploy-notice.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { startWorkerProcess, type WorkerProcess } from '../fixtures/worker-process.ts';
import { startSshHosts, type SshTestHosts, sshHostEntries } from '../support/ssh-hosts.ts';

let base: string;
let repo: TestRepo;
let ssh: SshTestHosts;
let config: Config;
let h: JobHarness;
const workers: WorkerProcess[] = [];
const prefix = `crash${process.pid}`;

async function worker(): Promise<WorkerProcess> {
  const env = { REDIS_URL: inject('redisUrl'), DEPLOYBOT_DATA: join(base, 'var'), DEPLOYBOT_REDIS_PREFIX: prefix, DEPLOYBOT_TEST_KEY: ssh.privateKey };
  const started = await startWorkerProcess(env, config.file);
  workers.push(started);
  return started;
}

const hookLines = (host: number, deployId: string) =>
  (existsSync(join(ssh.hosts[host]!.root, 'after-deploy.log')) ? readFileSync(join(ssh.hosts[host]!.root, 'after-deploy.log'), 'utf8') : '').split('\n').filter((l) => l.startsWith(`${deployId} `));
/** The release the host's symlink names (its target is absolute in the host's own view of /data). */
const online = (host: number) => basename(readlinkSync(join(ssh.hosts[host]!.root, 'prod/mala-core')));
const finished = (step: string, host: string) => (n: DeployNotice) => n.type === 'host.finished' && n.step === step && n.host === host;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-crash-'));
  repo = makeGitRepo(join(base, 'repo'), { blobBytes: 8_000_000, tags: ['v1', 'v2', 'v3'] });
  ssh = await startSshHosts(4, { prefix: 'br-' });
  config = deployTestConfig({
    dir: base,
    repo: repo.dir,
    privateKey: ssh.privateKey,
    hosts: sshHostEntries(ssh.hosts),
    project: {
      parallel: 1,
      hooks: {
        // br-4's hook waits for /data/go when /data/hold exists: a hook a test can kill a worker inside
        afterDeploy: 'echo "$DEPLOY_ID $HOST" >> /data/after-deploy.log; while [ -e /data/hold ] && [ ! -e /data/go ]; do sleep 0.05; done',
      },
    },
  });
  // the bot and its workers share the data directory, as they must for the embedded release store
  // (a retry is checked against the release state when it is accepted)
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix, workers: false });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await h?.close();
  await ssh?.stopAll();
  rmSync(base, { recursive: true, force: true });
});

describe('a worker that dies mid-deploy', () => {
  it('when the worker is SIGKILLed during distribute, then another worker finishes and each host ran afterDeploy once', async () => {
    const doomed = await worker();
    const id = await h.request('alice', 'deploy mala-core brazil v1');
    await waitForNotice(h.jobs.rt, id, finished('distribute', 'br-1'));
    const killedAt = Date.now();
    await doomed.kill('SIGKILL');
    const spare = await worker();
    const record = await h.settle(id);
    expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
    const resumedAt = (await h.jobs.rt.bus.notices(id)).map((n) => Date.parse(n.at)).find((t) => t > killedAt);
    expect(resumedAt! - killedAt).toBeLessThan(15_000);
    for (let host = 0; host < 4; host += 1) {
      expect(hookLines(host, id)).toHaveLength(1);
      expect(online(host)).toContain(repo.commits.v1!.slice(0, 7));
    }
    await spare.kill('SIGTERM');
  });

  it('when the worker is SIGKILLed during switch (between hosts), then another worker finishes and each host ran afterDeploy once', async () => {
    const doomed = await worker();
    const id = await h.request('alice', 'deploy mala-core brazil v2');
    // br-3 stops answering once br-1 has switched, so the worker is caught between hosts
    await waitForNotice(h.jobs.rt, id, finished('afterDeploy', 'br-1'));
    ssh.hosts[2]!.pause();
    await waitForNotice(h.jobs.rt, id, finished('afterDeploy', 'br-2'));
    await doomed.kill('SIGKILL');
    ssh.hosts[2]!.resume();
    const spare = await worker();
    const record = await h.settle(id);
    expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
    for (let host = 0; host < 4; host += 1) {
      expect(hookLines(host, id)).toHaveLength(1);
      expect(online(host)).toContain(repo.commits.v2!.slice(0, 7));
    }
    await spare.kill('SIGTERM');
  });

  it('when the worker is SIGKILLed inside a hook, then the next worker awaits that hook on the host and the deploy ends success with nothing run twice', async () => {
    writeFileSync(join(ssh.hosts[3]!.root, 'hold'), '');
    const doomed = await worker();
    const id = await h.request('alice', 'deploy mala-core brazil v3');
    await waitForNotice(h.jobs.rt, id, (n) => n.type === 'host.started' && n.step === 'afterDeploy' && n.host === 'br-4');
    await doomed.kill('SIGKILL');
    writeFileSync(join(ssh.hosts[3]!.root, 'go'), '');
    const spare = await worker();
    const record = await h.settle(id);
    expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
    for (let host = 0; host < 4; host += 1) {
      expect(hookLines(host, id)).toHaveLength(1);
      expect(online(host)).toContain(repo.commits.v3!.slice(0, 7));
    }
    rmSync(join(ssh.hosts[3]!.root, 'hold'));
    await spare.kill('SIGTERM');
  });

  it('when deploys have run, then no key material is anywhere in Redis or under the data directories (docs/reference/messages.md)', async () => {
    const body = ssh.privateKey.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
    expect(body.length).toBeGreaterThan(0);
    const redis = h.jobs.rt.redis;
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(10);
    let dump = '';
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') dump += await redis.get(key);
      else if (type === 'hash') dump += JSON.stringify(await redis.hgetall(key));
      else if (type === 'list') dump += (await redis.lrange(key, 0, -1)).join('\n');
      else if (type === 'set') dump += (await redis.smembers(key)).join('\n');
      else if (type === 'zset') dump += (await redis.zrange(key, '0', '-1')).join('\n');
      else if (type === 'stream') dump += JSON.stringify(await redis.xrange(key, '-', '+'));
    }
    // grep exits 1 when no file matches
    const dirs = [join(base, 'var'), join(base, 'var-bot')].filter((dir) => existsSync(dir));
    expect(dirs.length).toBeGreaterThan(0);
    const grep = spawnSync('grep', ['-rIl', '--', body[0]!, ...dirs], { encoding: 'utf8' });
    expect(grep.status).toBe(1);
    const files = grep.stdout;
    for (const line of body) expect(dump).not.toContain(line);
    expect(files).toBe('');
  });
});
