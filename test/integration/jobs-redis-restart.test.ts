// Redis restarted while a deploy is distributing. A dedicated Redis with an append-only file
// (fsync on every write). Mostly the worker runs in this process (the runtime, the worker and
// the test each hold their own connections, so every one of them sees the restart) and the
// upload to the second host is held at a gate, so "mid-distribute" is a known point: the
// first host holds the release, the second is about to receive it, the third has not started.
// The last case runs `deploybot worker` as a separate process instead.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { startRestartableRedis, type RestartableRedis } from '../fixtures/restartable-redis.ts';
import { uploadGate, type UploadGate } from '../fixtures/upload-gate.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { startWorkerProcess } from '../fixtures/worker-process.ts';

const HOSTS = ['br-1', 'br-2', 'br-3'];
const OUTAGE_MS = 3200;

let base: string;
let repo: TestRepo;
let config: Config;
let redis: RestartableRedis;
let gate: UploadGate;
let h: JobHarness;

const online = (host: string) => basename(realpathSync(join(base, 'hosts', host, 'data/prod/mala-core')));
const sha7 = (tag: string) => repo.commits[tag]!.slice(0, 7);
const afterDeployLines = (host: string, deployId: string) =>
  readFileSync(join(base, 'hosts', host, 'data/codes/mala-core/after-deploy.log'), 'utf8').split('\n').filter((l) => l.startsWith(`${deployId} `));
const outcome = (r: DeployRecord) => ({ state: r.state, reason: r.reason });

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-redis-restart-'));
  repo = makeGitRepo(join(base, 'repo'));
  config = deployTestConfig({
    dir: base,
    repo: repo.dir,
    hosts: Object.fromEntries(HOSTS.map((h) => [h, { local: join(base, 'hosts', h) }])),
    project: { parallel: 1, hooks: { afterDeploy: 'echo "$DEPLOY_ID $HOST" >> ../after-deploy.log' } },
  });
  redis = await startRestartableRedis();
  gate = uploadGate(config);
  h = await startJobHarness({ config, redisUrl: redis.url, dataDir: join(base, 'var'), transport: gate.factory });
});

afterAll(async () => {
  gate?.releaseAll();
  await h?.close();
  await redis?.dispose();
  rmSync(base, { recursive: true, force: true });
});

/** Requests a deploy and returns once its upload to br-2 waits at the gate (br-1 is done). */
async function deployHeldAtSecondHost(ref: string): Promise<{ id: string; release(): void }> {
  const held = gate.holdNext('br-2');
  const id = await h.request('alice', `deploy mala-core brazil ${ref}`);
  await held.reached;
  const record = await h.jobs.rt.records.require(id);
  expect(record.state).toBe('running');
  return { id, release: held.release };
}

/** The deploy is still findable everywhere a person would look for it. */
async function expectKept(id: string, ref: string): Promise<void> {
  const history = await h.say('carol', 'history mala-core brazil 10');
  expect(history.public[0]?.text).toContain(`${id} deploy ${ref} (production) by console:alice: success`);
  const audit = await h.jobs.rt.audit.recent(100, (e) => e.deployId === id);
  expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['requested', 'state:running', 'state:success']));
  expect(audit.find((e) => e.action === 'requested')).toMatchObject({ user: 'console:alice', detail: `deploy mala-core brazil ${ref}` });
}

describe('Redis restarted while a deploy is distributing', () => {
  it('when Redis is killed and started again at once, then the deploy completes on every host and is kept in history and the audit log', async () => {
    const pidBefore = redis.pid();
    const deploy = await deployHeldAtSecondHost('v1');
    await redis.crash();
    await redis.start();
    expect(redis.pid()).not.toBe(pidBefore);
    deploy.release();

    const record = await h.settle(deploy.id);
    expect(outcome(record)).toEqual({ state: 'success', reason: undefined });
    expect(record.switchedHosts).toEqual(HOSTS);
    for (const host of HOSTS) expect(online(host)).toContain(sha7('v1'));
    await expectKept(deploy.id, 'v1');
  });

  it('when Redis stays down longer than the job lock and BullMQ hands the job out again, then the deploy still runs once and completes: one start, one finish, each host switched and ran its afterDeploy hook once', async () => {
    const deploy = await deployHeldAtSecondHost('v2');
    const stalled = new Promise<void>((resolve) => h.jobs.worker!.on('stalled', (jobId) => jobId === `${deploy.id}.run` && resolve()));
    await redis.shutdown();
    // an outage is a length of time, not an event: longer than the worker's BullMQ job lock
    // (3 s), so that lock expires and BullMQ hands the job out again; shorter than the deploy's
    // location lease (LOCATION_LEASE_MS = 5 s, renewed every 0.5 s), which the running
    // execution keeps — with Redis' restart and the clients' reconnect backoff (≤ 0.6 s here)
    // the lease is renewed again about 4.1 s after its last renewal at the latest
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await redis.start();
    // the deploy still has work to do when Redis is back (a big package, many hosts): the
    // upload stays held until BullMQ has seen the job as stalled
    await stalled;
    deploy.release();

    const record = await h.settle(deploy.id);
    expect(outcome(record)).toEqual({ state: 'success', reason: undefined });
    for (const host of HOSTS) expect(online(host)).toContain(sha7('v2'));
    const notices = await h.jobs.rt.bus.notices(deploy.id);
    const started = notices.filter((n) => n.type === 'deploy.started');
    const finished = notices.filter((n) => n.type === 'deploy.finished');
    const links = notices.filter((n) => n.type === 'host.finished' && n.step === 'link');
    expect({ started: started.length, finished: finished.length, links: links.length }).toEqual({ started: 1, finished: 1, links: HOSTS.length });
    for (const host of HOSTS) expect(afterDeployLines(host, deploy.id)).toEqual([`${deploy.id} ${host}`]);
    await expectKept(deploy.id, 'v2');
  });

  it('when Redis is killed while `deploybot worker` (a separate process) distributes, then the worker rides it out and the deploy completes', async () => {
    const dir = join(base, 'separate');
    mkdirSync(dir);
    const bigRepo = makeGitRepo(join(dir, 'repo'), { blobBytes: 16_000_000 });
    const separate = deployTestConfig({
      dir,
      repo: bigRepo.dir,
      hosts: Object.fromEntries(HOSTS.map((h) => [h, { local: join(dir, 'hosts', h) }])),
      project: { parallel: 1 },
    });
    const prefix = `restart${process.pid}`;
    const bot = await startJobHarness({ config: separate, redisUrl: redis.url, dataDir: join(dir, 'var'), prefix, workers: false });
    const worker = await startWorkerProcess({ REDIS_URL: redis.url, DEPLOYBOT_DATA: join(dir, 'var'), DEPLOYBOT_REDIS_PREFIX: prefix }, separate.file);
    try {
      const id = await bot.request('alice', 'deploy mala-core brazil v1');
      await waitForNotice(bot.jobs.rt, id, (n) => n.type === 'host.finished' && n.step === 'distribute' && n.host === 'br-1');
      const crashedAt = Date.now();
      await redis.crash();
      await redis.start();

      const record = await bot.settle(id);
      expect(outcome(record)).toEqual({ state: 'success', reason: undefined });
      expect(worker.child.exitCode).toBeNull();
      for (const host of HOSTS) expect(basename(realpathSync(join(dir, 'hosts', host, 'data/prod/mala-core')))).toContain(bigRepo.commits.v1!.slice(0, 7));
      // the deploy was still distributing when Redis died: later hosts finished after that
      const notices = await bot.jobs.rt.bus.notices(id);
      const distributedAfter = notices.filter((n) => n.type === 'host.finished' && n.step === 'distribute' && Date.parse(n.at) > crashedAt);
      expect(distributedAfter.length).toBeGreaterThan(0);
      expect(notices.filter((n) => n.type === 'deploy.started')).toHaveLength(1);
      const history = await bot.say('carol', 'history mala-core brazil 5');
      expect(history.public[0]?.text).toContain(`${id} deploy v1 (production) by console:alice: success`);
      expect((await bot.jobs.rt.audit.recent(50, (e) => e.deployId === id)).map((e) => e.action)).toContain('requested');
    } finally {
      await worker.kill('SIGTERM');
      await bot.close();
    }
  });
});
