// Workers as separate processes on real sshd hosts: a worker SIGKILLed mid-distribute and
// mid-switch is replaced by another that finishes the deploy; no host runs its afterDeploy
// hook twice and every host ends on the complete release.
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { startWorkerProcess, type WorkerProcess } from '../fixtures/worker-process.ts';
import { startSshHosts, type SshTestHosts } from '../support/ssh-hosts.ts';

let base: string;
let repo: TestRepo;
let ssh: SshTestHosts;
let config: Config;
let h: JobHarness;
const workers: WorkerProcess[] = [];
const prefix = `crash${process.pid}`;

function workerEnv(): NodeJS.ProcessEnv {
  return { REDIS_URL: inject('redisUrl'), DEPLOYBOT_DATA: join(base, 'var'), DEPLOYBOT_REDIS_PREFIX: prefix, DEPLOYBOT_TEST_KEY: ssh.privateKey };
}

async function worker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess(workerEnv(), config.file);
  workers.push(w);
  return w;
}

const afterDeployLines = (host: number, deployId: string) =>
  readFileSync(join(ssh.hosts[host]!.root, 'after-deploy.log'), 'utf8').split('\n').filter((l) => l.startsWith(`${deployId} `));
/** The release the host's symlink names (its target is absolute in the host's own view of /data). */
const online = (host: number) => basename(readlinkSync(join(ssh.hosts[host]!.root, 'prod/mala-core')));

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-crash-'));
  repo = makeGitRepo(join(base, 'repo'), { blobBytes: 8_000_000 });
  ssh = await startSshHosts(4, { prefix: 'br-' });
  config = deployTestConfig({
    dir: base,
    repo: repo.dir,
    privateKey: ssh.privateKey,
    hosts: Object.fromEntries(ssh.hosts.map((x) => [x.name, { address: x.address, port: x.port, user: x.user, hostKey: x.hostKey }])),
    project: {
      parallel: 1,
      hooks: {
        beforeDeploy: 'sleep 0.5',
        afterDeploy: 'echo "$DEPLOY_ID $HOST" >> /data/after-deploy.log',
      },
    },
  });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var-bot'), prefix, workers: false, transport: undefined });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await h?.close();
  await ssh?.stopAll();
  rmSync(base, { recursive: true, force: true });
});

describe('a worker that dies mid-deploy', () => {
  for (const [moment, isMoment] of [
    ['distribute', (n: { type: string; step?: string }) => n.type === 'host.finished' && n.step === 'distribute'],
    ['switch', (n: { type: string; step?: string }) => n.type === 'host.finished' && n.step === 'afterDeploy'],
  ] as const) {
    it(`when the worker is SIGKILLed during ${moment}, then another worker finishes and each host ran afterDeploy once`, async () => {
      const doomed = await worker();
      const ref = moment === 'distribute' ? 'v1' : 'v2';
      const id = await h.request('alice', `deploy mala-core brazil ${ref}`);
      await waitForNotice(h.jobs.rt, id, isMoment as never);
      const killedAt = Date.now();
      await doomed.kill('SIGKILL');
      // the only worker is dead; nothing moves until another one takes over
      const spare = await worker();
      const record = await h.settle(id);
      expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
      const notices = await h.jobs.rt.bus.notices(id);
      const resumedAt = notices.map((n) => Date.parse(n.at)).find((t) => t > killedAt);
      expect(resumedAt! - killedAt).toBeLessThan(15_000);
      for (let host = 0; host < 4; host += 1) {
        expect(afterDeployLines(host, id)).toHaveLength(1);
        expect(online(host)).toContain(repo.commits[ref]!.slice(0, 7));
      }
      await spare.kill('SIGTERM');
    });
  }
});
