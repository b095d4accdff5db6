// `cancel` (docs/reference/command-grammar.md, docs/reference/deploy-lifecycle.md) on real sshd hosts, workers in this process: a deploy cancelled
// while it distributes a large package one host at a time (parallel 1) stops before any
// host switches, and every host keeps serving the previous complete release; a deploy
// cancelled while it waits in the queue ends at once and never touches a host.
import { readFileSync, readlinkSync, rmSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { uploadGate, type UploadGate } from '../fixtures/upload-gate.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { startSshHosts, type SshTestHost, type SshTestHosts, sshHostEntries } from '../support/ssh-hosts.ts';

let base: string;
let repo: TestRepo;
let ssh: SshTestHosts;
let config: Config;
let gate: UploadGate;
let h: JobHarness;

const host = (name: string): SshTestHost => ssh.hosts.find((x) => x.name === name)!;
/** The release directory name the host's `path` points at (as the host sees it under /data). */
const online = (name: string) => basename(readlinkSync(join(host(name).root, 'prod/mala-core')));
const afterDeployLines = (name: string, deployId: string) => {
  const log = join(host(name).root, 'after-deploy.log');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith(`${deployId} `)) : [];
};
const outcome = (r: DeployRecord) => ({ state: r.state, reason: r.reason });
const hostsTouched = async (id: string, step: string) =>
  (await h.jobs.rt.bus.notices(id)).flatMap((n) => (n.type === 'host.started' && n.step === step ? [n.host] : []));

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-cancel-'));
  // ~12 MB of incompressible bytes per build: each host takes a noticeable while to receive it
  repo = makeGitRepo(join(base, 'repo'), { blobBytes: 12_000_000 });
  ssh = await startSshHosts(4, { prefix: 'br-' });
  config = deployTestConfig({
    dir: base,
    repo: repo.dir,
    privateKey: ssh.privateKey,
    hosts: sshHostEntries(ssh.hosts),
    project: {
      parallel: 1,
      hostTimeout: '15s',
      hooks: { afterDeploy: 'echo "$DEPLOY_ID $HOST" >> /data/after-deploy.log' },
    },
  });
  gate = uploadGate(config);
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), transport: gate.factory });
});

afterAll(async () => {
  gate?.releaseAll();
  for (const x of ssh?.hosts ?? []) x.resume();
  await h?.close();
  await ssh?.stopAll();
  rmSync(base, { recursive: true, force: true });
});

describe('cancel', () => {
  it('when a deploy is cancelled while it distributes, then it ends cancelled, no host switched, and every host still serves the previous complete release', async () => {
    const previous = await h.settle(await h.request('alice', 'deploy mala-core brazil v1'));
    expect(outcome(previous)).toEqual({ state: 'success', reason: undefined });
    const hosts = previous.hosts;
    for (const name of hosts) expect(online(name)).toBe(previous.releaseId);

    // br-3 is slow: its sshd is stopped (SIGSTOP), so a transfer to it hangs until it resumes
    // or the host times out. Distribution, one host at a time, cannot get past it before the
    // cancel is seen.
    host('br-3').pause();
    try {
      const id = await h.request('alice', 'deploy mala-core brazil v2');
      await waitForNotice(h.jobs.rt, id, (n) => n.type === 'host.finished' && n.step === 'distribute' && n.host === 'br-1');
      const answer = await h.say('alice', `cancel ${id}`);
      expect(answer.private[0]).toContain(`${id} will stop at the next safe point`);

      const record = await h.settle(id);
      expect(outcome(record)).toEqual({ state: 'cancelled', reason: 'cancelled by console:alice' });
      expect(record.switchedHosts).toEqual([]);
      expect(await hostsTouched(id, 'link')).toEqual([]);
      // br-1 (at least) received v2 before the cancel; br-4 never started
      expect(await hostsTouched(id, 'distribute')).toContain('br-1');
      expect(await hostsTouched(id, 'distribute')).not.toContain('br-4');
    } finally {
      host('br-3').resume();
    }
    for (const name of hosts) {
      expect(online(name)).toBe(previous.releaseId);
      const release = join(host(name).root, 'codes/mala-core', previous.releaseId!);
      expect(readFileSync(join(release, 'app.txt'), 'utf8')).toBe('app v1\n');
      expect(JSON.parse(readFileSync(join(release, 'filecache/release_indicator.json'), 'utf8'))).toEqual({ name: 'production' });
      expect(afterDeployLines(name, previous.id)).toHaveLength(1);
    }
    const history = await h.say('carol', 'history mala-core brazil 5');
    expect(history.public[0]?.text).toMatch(/deploy v2 \(production\) by console:alice: cancelled in [\d.]+ m?s — cancelled by console:alice/);
  });

  it('when a deploy waiting in the queue is cancelled, then it ends cancelled at once without touching a host, and the deploy ahead of it completes', async () => {
    const held = gate.holdNext('br-2');
    const ahead = await h.request('alice', 'deploy mala-core brazil v2');
    await held.reached;
    const answer = await h.say('alice', 'deploy mala-core brazil v3');
    const queued = answer.deployIds[0]!;
    expect(answer.private[0]).toContain(`queued behind ${ahead}`);
    await waitForNotice(h.jobs.rt, queued, (n) => n.type === 'job.queued-behind');
    expect((await h.jobs.rt.records.require(queued)).state).toBe('queued');

    const cancel = await h.say('bob', `cancel ${queued}`);
    expect(cancel.private[0]).toBe(`${queued} is cancelled; nothing was changed on any host.`);
    expect(outcome(await h.jobs.rt.records.require(queued))).toEqual({ state: 'cancelled', reason: 'cancelled by console:bob' });

    held.release();
    const first = await h.settle(ahead);
    expect(outcome(first)).toEqual({ state: 'success', reason: undefined });
    for (const name of first.hosts) {
      expect(online(name)).toBe(first.releaseId);
      expect(afterDeployLines(name, queued)).toEqual([]);
    }
    const notices = await h.jobs.rt.bus.notices(queued);
    expect(notices.filter((n) => n.type === 'deploy.started' || n.type === 'host.started')).toEqual([]);
    expect((await h.jobs.rt.records.require(queued)).state).toBe('cancelled');
    const audit = await h.jobs.rt.audit.recent(50, (e) => e.deployId === queued);
    expect(audit.map((e) => `${e.user} ${e.action}`)).toEqual(expect.arrayContaining(['console:alice requested', 'console:bob cancel', 'console:bob state:cancelled']));
  });
});
