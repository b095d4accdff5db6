// The reconciler with real processes (docs/operations.md "Stuck deploys"): a `deploybot worker`
// SIGKILLed inside a hook, and its job then lost to BullMQ (removed once its lock lapsed, so no
// worker is handed it again). A second worker process, with a 2 s grace
// (DEPLOYBOT_RECONCILE_GRACE_SECONDS), finds the deploy without job and lease and resumes it
// from its checkpoint: it ends success, and no host ran a hook twice.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { inState, waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { startWorkerProcess, type WorkerProcess } from '../fixtures/worker-process.ts';

const HOSTS = ['br-1', 'br-2'];
let base: string;
let repo: TestRepo;
let config: Config;
let h: JobHarness;
const workers: WorkerProcess[] = [];
const prefix = `reconcileproc${process.pid}`;

const worker = async (env: NodeJS.ProcessEnv = {}) => {
  const started = await startWorkerProcess({ REDIS_URL: inject('redisUrl'), DEPLOYBOT_DATA: join(base, 'var'), DEPLOYBOT_REDIS_PREFIX: prefix, ...env }, config.file);
  workers.push(started);
  return started;
};
const hostDir = (host: string) => join(base, 'hosts', host, 'data');
const afterDeployLines = (host: string, id: string) => readFileSync(join(hostDir(host), 'codes/mala-core/after-deploy.log'), 'utf8').split('\n').filter((l) => l.startsWith(`${id} `));
const online = (host: string) => basename(realpathSync(join(hostDir(host), 'prod/mala-core')));

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-reconcile-proc-'));
  repo = makeGitRepo(join(base, 'repo'));
  config = deployTestConfig({
    dir: base,
    repo: repo.dir,
    hosts: Object.fromEntries(HOSTS.map((host) => [host, { local: join(base, 'hosts', host) }])),
    // br-1's afterDeploy waits for `go` beside it: the worker is killed inside it
    project: { parallel: 1, hooks: { afterDeploy: 'echo "$DEPLOY_ID $HOST" >> ../after-deploy.log; if [ "$HOST" = br-1 ]; then while [ ! -e ../go ]; do sleep 0.05; done; fi' } },
  });
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'var'), prefix, workers: false });
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('a deploy whose worker process was SIGKILLed and whose job is gone', () => {
  it('when another worker process runs with a 2 s reconcile grace, then its reconciler resumes the deploy, which ends success with each host’s afterDeploy run once', async () => {
    const doomed = await worker();
    const id = await h.request('alice', 'deploy mala-core brazil v1');
    await waitForNotice(h.jobs.rt, id, (n) => n.type === 'host.started' && n.step === 'afterDeploy' && n.host === 'br-1');
    await doomed.kill('SIGKILL');
    // the job is lost: removed as soon as its lock has lapsed (before that BullMQ refuses)
    const job = `${id}.run`;
    await waitUntil(async () => (await h.jobs.rt.queue.remove(job).catch(() => 0)) === 1, { what: `BullMQ to let ${job} be removed`, timeoutMs: 20_000, intervalMs: 100 });
    expect(await h.jobs.rt.queue.getJob(job)).toBeUndefined();
    expect((await h.jobs.rt.records.require(id)).state).toBe('running');
    writeFileSync(join(hostDir('br-1'), 'codes/mala-core/go'), '');

    await worker({ DEPLOYBOT_RECONCILE_GRACE_SECONDS: '2' });
    const readyAt = Date.now();
    // generous: the worker process and the resumed job share two cores with other suites
    const record = await waitForDeploy(h.jobs.rt, id, inState('success', 'partial', 'failed', 'cancelled'), 90_000);
    expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
    const resumed = (await h.jobs.rt.bus.notices(id)).find((n) => n.type === 'job.note' && n.text === 'no worker had this deploy for 2 s; it is resumed where it stopped');
    expect(resumed).toBeDefined();
    // the 2 s grace, the 5 s lease of the dead execution and a few passes — not the default 60 s
    expect(Date.parse(resumed!.at) - readyAt).toBeLessThan(30_000);
    expect(record.reconcilerResumes).toBe(1);
    for (const host of HOSTS) {
      expect(afterDeployLines(host, id)).toEqual([`${id} ${host}`]);
      expect(online(host)).toContain(repo.commits.v1!.slice(0, 7));
    }
  }, 180_000);
});
