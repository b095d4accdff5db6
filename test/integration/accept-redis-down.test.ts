// A dead dependency never runs a stale command: when Redis does not answer within 5 s while
// a command is being accepted, the user is told at once that the state store is unreachable
// and nothing was queued — and after Redis comes back, no record, job or deploy appears and
// nothing reaches the hosts. Two ways Redis stops answering, both real:
// - the Redis server is stopped (a dedicated one, started again later);
// - the connection hangs mid-accept: a TCP proxy in front of Redis holds the bytes of the
//   accept's job (BullMQ add) until after the answer, then lets them through — the job lands
//   late, exactly what a frozen Redis or a partition does.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { within } from '../fakes/deferred.ts';
import { type TestRedis, testRedis } from '../fakes/test-redis.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { type HoldingTcpProxy, startHoldingTcpProxy } from '../fixtures/holding-tcp-proxy.ts';
import { type JobHarness, startJobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { type RestartableRedis, startRestartableRedis } from '../fixtures/restartable-redis.ts';

const UNREACHABLE = 'The state store (Redis) did not answer within 5 s, so nothing was queued and this command will not run later.';

let base: string;
let repo: TestRepo;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-accept-down-'));
  repo = makeGitRepo(join(base, 'repo'));
});
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

function configIn(name: string): { config: Config; dir: string } {
  const dir = join(base, name);
  mkdirSync(dir);
  const config = deployTestConfig({
    dir,
    repo: repo.dir,
    hosts: { 'br-1': { local: join(dir, 'hosts', 'br-1') } },
    project: { hooks: { afterDeploy: 'echo "$DEPLOY_ID" >> ../after-deploy.log' } },
  });
  return { config, dir };
}

/** What reached the host: deploy ids whose afterDeploy ran, and the release online. */
function onHost(dir: string): { afterDeploy: string[]; online: string | undefined } {
  const log = join(dir, 'hosts', 'br-1', 'data/codes/mala-core/after-deploy.log');
  const link = join(dir, 'hosts', 'br-1', 'data/prod/mala-core');
  return {
    afterDeploy: existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [],
    online: existsSync(link) ? basename(realpathSync(link)) : undefined,
  };
}

/** Every BullMQ job of the harness' queue, by id. */
async function jobIds(h: JobHarness): Promise<string[]> {
  const jobs = await h.jobs.rt.queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized']);
  return jobs.map((job) => job.id ?? '').filter((id) => id.startsWith('d-')).sort();
}

describe('when Redis is stopped while a command is accepted', () => {
  let redis: RestartableRedis;
  let h: JobHarness;
  let dir: string;

  beforeAll(async () => {
    const made = configIn('stopped');
    dir = made.dir;
    redis = await startRestartableRedis();
    h = await startJobHarness({ config: made.config, redisUrl: redis.url, dataDir: join(dir, 'var') });
  });
  afterAll(async () => {
    await redis?.start();
    await h?.close();
    await redis?.dispose();
  });

  it('then the user is told within ~5 s that the state store is unreachable, and after Redis is back the command never runs: no record, no job, nothing on the host', async () => {
    await redis.shutdown();
    const started = Date.now();
    const answering = h.say('alice', 'deploy mala-core brazil v1');
    let answer;
    try {
      answer = await within(answering, 8000, 'the answer while Redis is down');
    } finally {
      await redis.start();
    }
    const elapsed = Date.now() - started;
    expect(answer.private).toEqual([expect.stringContaining(UNREACHABLE)]);
    expect(answer.public).toEqual([]);
    expect(answer.deployIds).toEqual([]);
    expect(elapsed).toBeLessThan(7000);

    // Redis is back: the next command is accepted and runs; the first one never does
    const id = await h.request('alice', 'deploy mala-core brazil v2');
    expect((await h.settle(id)).state).toBe('success');
    expect((await h.jobs.rt.records.history('mala-core', 'brazil', 10)).map((r) => r.id)).toEqual([id]);
    expect(await jobIds(h)).toEqual([`${id}.prepare`, `${id}.run`]);
    expect(onHost(dir)).toEqual({ afterDeploy: [id], online: expect.stringContaining(repo.commits.v2!.slice(0, 7)) });
    expect(await h.jobs.rt.redis.keys(`${h.jobs.rt.keys.prefix}:accepting:*`)).toEqual([]);
    expect((await h.jobs.rt.audit.recent(50)).filter((e) => e.action === 'requested').map((e) => e.detail)).toEqual(['deploy mala-core brazil v2']);
  });
});

describe('when the connection to Redis hangs after the record is written and the job is added late', () => {
  let shared: TestRedis;
  let proxy: HoldingTcpProxy;
  let h: JobHarness;
  let dir: string;

  beforeAll(async () => {
    const made = configIn('hung');
    dir = made.dir;
    shared = await testRedis();
    const port = Number(new URL(shared.url).port);
    proxy = await startHoldingTcpProxy({ host: '127.0.0.1', port });
    h = await startJobHarness({ config: made.config, redisUrl: `redis://127.0.0.1:${proxy.port}`, dataDir: join(dir, 'var') });
  });
  afterAll(async () => {
    proxy?.release();
    await h?.close();
    await proxy?.close();
    await shared?.stop();
  });

  it('then the user is told the state store is unreachable, and the job that lands afterwards starts nothing: the record is dropped, nothing is announced, nothing reaches the host', async () => {
    // the accept's BullMQ add carries the job data {"deployId": …}: hold it in the proxy
    const held = proxy.holdWhen((chunk) => chunk.includes('"deployId":"d-'));
    const started = Date.now();
    const answering = h.say('alice', 'deploy mala-core brazil v1');
    await within(held, 5000, 'the job add to reach the proxy');
    let answer;
    try {
      answer = await within(answering, 8000, 'the answer while the add hangs');
    } catch (error) {
      proxy.release();
      throw error;
    }
    expect(answer.private).toEqual([expect.stringContaining(UNREACHABLE)]);
    expect(answer.deployIds).toEqual([]);
    expect(Date.now() - started).toBeLessThan(7000);

    // the record was written (pending) before the hang; nobody was told about it
    const [pending] = await h.jobs.rt.records.history('mala-core', 'brazil', 10);
    expect(pending?.command).toBe('deploy mala-core brazil v1');
    const id = pending!.id;
    expect(await h.jobs.rt.bus.notices(id)).toEqual([]);

    // now the held add reaches Redis, after the deadline; a worker takes the job
    const handled = new Promise<void>((resolve) => {
      const done = (job: { id?: string } | undefined) => job?.id === `${id}.prepare` && resolve();
      h.jobs.worker!.on('completed', done);
      h.jobs.worker!.on('failed', done);
    });
    proxy.release();
    await within(handled, 15_000, 'the late job to be handled');

    expect(await h.jobs.rt.records.get(id)).toBeUndefined();
    expect(await h.jobs.rt.records.history('mala-core', 'brazil', 10)).toEqual([]);
    expect(await h.jobs.rt.bus.notices(id)).toEqual([]);
    expect(await h.jobs.rt.redis.keys(`${h.jobs.rt.keys.prefix}:accepting:*`)).toEqual([]);
    expect(onHost(dir)).toEqual({ afterDeploy: [], online: undefined });
    expect((await h.jobs.rt.audit.recent(50)).filter((e) => e.action === 'requested')).toEqual([]);

    // and the bot goes on: the next command is accepted and deploys
    const next = await h.request('alice', 'deploy mala-core brazil v2');
    expect((await h.settle(next)).state).toBe('success');
    expect(onHost(dir).afterDeploy).toEqual([next]);
  });
});
