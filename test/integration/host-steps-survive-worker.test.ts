// Workers as separate processes, SIGKILLed while hooks run on the hosts (real sshd hosts, and
// `{ local: dir }` hosts whose hooks run in the sandbox): the hooks run detached on the host,
// so the next worker adopts what finished, awaits what still runs, and the deploy ends
// `success` with every hook run exactly once per host (docs/operations.md, "Host steps
// outlive their worker"). Only a step the host lost without a trace is run again
// (beforeDeploy) or reported `hook_interrupted` (afterDeploy).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import type { DeployNotice } from '../../src/deploy/deploy-notice.ts';
import { listDescendants } from '../../src/services/process-tree.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { startWorkerProcess, type WorkerProcess } from '../fixtures/worker-process.ts';
import { startSshHosts, type SshTestHosts, sshHostEntries } from '../support/ssh-hosts.ts';

// both hooks append to <releasesDir>/hooks.log (`..` of the release and of `path`'s target);
// beforeDeploy sleeps as long as <releasesDir>/before-sleep says, afterDeploy waits while <releasesDir>/hold exists
const HOOKS = {
  beforeDeploy: 'echo "$DEPLOY_ID before" >> ../hooks.log; sleep "$(cat ../before-sleep 2>/dev/null || echo 0)"',
  afterDeploy: 'echo "$DEPLOY_ID after" >> ../hooks.log; while [ -e ../hold ]; do sleep 0.05; done',
};
const NAMES = ['br-1', 'br-2', 'br-3'];

function suite(kind: 'ssh' | 'local'): void {
  let base: string;
  let repo: TestRepo;
  let ssh: SshTestHosts | undefined;
  let config: Config;
  let h: JobHarness;
  let releases: (host: string) => string;
  let stepState: (host: string, release: string, id: string, step: string) => string;
  let link: (host: string) => string;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];
  const prefix = `steps-${kind}${process.pid}`;

  async function worker(): Promise<WorkerProcess> {
    const started = await startWorkerProcess({ REDIS_URL: inject('redisUrl'), DEPLOYBOT_DATA: join(base, 'var'), DEPLOYBOT_REDIS_PREFIX: prefix, ...env }, config.file);
    workers.push(started);
    return started;
  }

  const hookLog = (host: string, deployId: string) =>
    (existsSync(join(releases(host), 'hooks.log')) ? readFileSync(join(releases(host), 'hooks.log'), 'utf8') : '').split('\n').filter((l) => l.startsWith(`${deployId} `));
  const online = (host: string) => basename(readlinkSync(link(host)));
  const finished = (step: string, host: string) => (n: DeployNotice) => n.type === 'host.finished' && n.step === step && n.host === host;
  const started = (step: string, host: string) => (n: DeployNotice) => n.type === 'host.started' && n.step === step && n.host === host;

  /** What a host reboot does to a step: its processes die and its state is gone. */
  function reboot(dir: string): void {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    for (const p of [pid, ...listDescendants(pid)]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    // a restarted host keeps its files: the step's directory and pid stay, no exit status is ever written
    expect(existsSync(join(dir, 'exit'))).toBe(false);
  }

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), `deploybot-steps-${kind}-`));
    repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3'] });
    let hosts: Record<string, { local: string } | { address: string; port: number; user: string; hostKey: string }>;
    if (kind === 'ssh') {
      ssh = await startSshHosts(3, { prefix: 'br-' });
      hosts = sshHostEntries(ssh.hosts);
      const root = (host: string) => ssh!.hosts.find((x) => x.name === host)!.root;
      releases = (host) => join(root(host), 'codes/mala-core');
      stepState = (host, release, id, step) => join(releases(host), release, '.deploybot', id, step);
      link = (host) => join(root(host), 'prod/mala-core');
      env = { DEPLOYBOT_TEST_KEY: ssh.privateKey };
    } else {
      hosts = Object.fromEntries(NAMES.map((name) => [name, { local: join(base, 'hosts', name) }]));
      releases = (host) => join(base, 'hosts', host, 'data/codes/mala-core');
      // a local host's hook state lives beside its directory, out of the sandbox's reach
      stepState = (host, release, id, step) => join(base, 'hosts', `${host}.steps`, 'data/codes/mala-core', release, '.deploybot', id, step);
      link = (host) => join(base, 'hosts', host, 'data/prod/mala-core');
      env = {};
    }
    for (const host of NAMES) mkdirSync(releases(host), { recursive: true });
    config = deployTestConfig({
      dir: base,
      repo: repo.dir,
      ...(ssh ? { privateKey: ssh.privateKey } : {}),
      hosts,
      project: { parallel: 3, hookTimeout: '60s', hooks: HOOKS },
    });
    h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix, workers: false });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await h?.close();
    await ssh?.stopAll();
    rmSync(base, { recursive: true, force: true });
  });

  it(`when the worker is SIGKILLed while two ${kind} hosts are inside beforeDeploy and one has finished afterDeploy, then the next worker ends the deploy success with every hook run once`, async () => {
    writeFileSync(join(releases('br-1'), 'before-sleep'), '0');
    writeFileSync(join(releases('br-2'), 'before-sleep'), '4');
    writeFileSync(join(releases('br-3'), 'before-sleep'), '8');
    const doomed = await worker();
    const id = await h.request('alice', 'deploy mala-core brazil v1');
    await waitForNotice(h.jobs.rt, id, finished('afterDeploy', 'br-1'));
    const killedAt = Date.now();
    await doomed.kill('SIGKILL');
    // br-2 and br-3 are still inside beforeDeploy: started, not finished
    for (const host of ['br-2', 'br-3']) expect(hookLog(host, id)).toEqual([`${id} before`]);
    const notices = await h.jobs.rt.bus.notices(id);
    expect(notices.filter((n) => n.type === 'host.finished' && n.step === 'beforeDeploy').map((n) => (n as { host: string }).host)).toEqual(['br-1']);

    const spare = await worker();
    const record = await h.settle(id);
    expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
    const after = await h.jobs.rt.bus.notices(id);
    const resumedAt = after.map((n) => Date.parse(n.at)).find((t) => t > killedAt);
    expect(resumedAt! - killedAt).toBeLessThan(15_000);
    // the messages of an undisturbed deploy, plus one line saying it moved
    expect(after.filter((n) => n.type === 'job.note').map((n) => (n as { text: string }).text)).toEqual(['the worker running this deploy stopped; another worker took it over and continues where it stopped']);
    expect(after.filter((n) => n.type === 'host.failed')).toEqual([]);
    for (const step of ['beforeDeploy', 'link', 'afterDeploy']) {
      expect(after.filter((n) => n.type === 'host.finished' && n.step === step).map((n) => (n as { host: string }).host).sort()).toEqual(NAMES);
    }
    const state = await h.jobs.rt.releases.read('mala-core', 'brazil');
    expect(state.releases.production?.current?.deployId).toBe(id);
    for (const host of NAMES) {
      expect(hookLog(host, id)).toEqual([`${id} before`, `${id} after`]);
      expect(online(host)).toContain(repo.commits.v1!.slice(0, 7));
      expect(online(host)).toContain(state.releases.production!.current!.commit.slice(0, 7));
      expect(existsSync(join(releases(host), online(host), 'app.txt'))).toBe(true);
    }
    await spare.kill('SIGTERM');
  });

  it(`when a ${kind} host loses its steps without a trace while the worker is dead, then beforeDeploy runs again and afterDeploy is reported hook_interrupted`, async () => {
    writeFileSync(join(releases('br-1'), 'hold'), '');
    writeFileSync(join(releases('br-2'), 'before-sleep'), '30');
    writeFileSync(join(releases('br-3'), 'before-sleep'), '0');
    const doomed = await worker();
    const id = await h.request('alice', 'deploy mala-core brazil v2');
    await waitForNotice(h.jobs.rt, id, started('afterDeploy', 'br-1'));
    await waitUntil(() => hookLog('br-1', id).includes(`${id} after`) && hookLog('br-2', id).includes(`${id} before`), { timeoutMs: 30_000, what: 'br-1 inside afterDeploy, br-2 inside beforeDeploy' });
    await doomed.kill('SIGKILL');
    // both hosts "reboot": the hooks' processes die, leaving their state without an exit status
    const release = listReleases(releases('br-2')).find((n) => n.includes(repo.commits.v2!.slice(0, 7)))!;
    reboot(stepState('br-1', release, id, 'afterDeploy'));
    reboot(stepState('br-2', release, id, 'beforeDeploy'));
    rmSync(join(releases('br-1'), 'hold'));
    writeFileSync(join(releases('br-2'), 'before-sleep'), '0');

    const spare = await worker();
    const record = await h.settle(id);
    expect(record.state).toBe('partial');
    expect(record.failedHosts).toEqual(['br-1']);
    const br1 = (await h.jobs.rt.bus.notices(id)).find((n) => n.type === 'host.failed' && n.host === 'br-1') as { error: { code: string } } | undefined;
    expect(br1?.error.code).toBe('hook_interrupted');
    expect(hookLog('br-2', id)).toEqual([`${id} before`, `${id} before`, `${id} after`]);
    expect(hookLog('br-3', id)).toEqual([`${id} before`, `${id} after`]);
    for (const host of NAMES) expect(online(host)).toBe(release);
    await spare.kill('SIGTERM');
  });
}

function listReleases(dir: string): string[] {
  return (existsSync(dir) ? readdirSync(dir) : []).filter((n) => /^v\d/.test(n)).sort();
}

describe('host steps outlive their worker, on SSH hosts', () => suite('ssh'));
describe('host steps outlive their worker, on local hosts', () => suite('local'));
