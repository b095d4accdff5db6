// Taking over the lease of a dead execution (docs/operations.md "When a worker dies"), on a
// dedicated Redis (the test restarts it, and the rule depends on how long it has been up):
// a holder whose Redis connection is gone is freed at once, not after its TTL; a holder
// whose connection is open (a slow or stalled worker) is not; right after a Redis restart
// only the TTL frees a lease. Last, a real `deploybot worker` process SIGKILLed mid-deploy
// whose lease would outlive the test: the next worker process takes the deploy over anyway.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { inState, waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { leaseConnectionKey, RedisLease } from '../../src/store/redis-lease.ts';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { startRestartableRedis, type RestartableRedis } from '../fixtures/restartable-redis.ts';
import { waitForNotice } from '../fixtures/wait-for-notice.ts';
import { startWorkerProcess, type WorkerProcess } from '../fixtures/worker-process.ts';

const TTL_MS = 2000;
let redis: RestartableRedis;
let taker: Redis;
const connections: Redis[] = [];
let keys = 0;
const key = () => `lease-takeover-test:${process.pid}:${(keys += 1)}`;

/** A connection named like a runtime's lease connection (job-runtime.ts). */
const connect = (name: string) => {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null, connectionName: name });
  connection.on('error', () => undefined);
  connections.push(connection);
  return connection;
};
const uptimeSeconds = async () => Number(/uptime_in_seconds:(\d+)/.exec(await taker.info('server'))![1]);
const upForATtl = () => waitUntil(async () => (await uptimeSeconds()) * 1000 > TTL_MS, { what: 'redis to be up for a lease TTL', timeoutMs: 10_000, intervalMs: 200 });

beforeAll(async () => {
  redis = await startRestartableRedis();
  taker = connect(`deploybot-lease-taker-${process.pid}`);
  await upForATtl();
});

afterAll(async () => {
  for (const connection of connections) connection.disconnect();
  await redis?.dispose();
});

describe('freeing the lease of an execution whose process is gone', () => {
  it('when the holder’s Redis connection has closed (its process died), then another execution takes the lease at once, while its TTL still runs', async () => {
    const k = key();
    const holder = connect(`deploybot-lease-holder-a-${process.pid}`);
    // a TTL far longer than the test: only the connection check can free it
    expect(await new RedisLease(holder, 600_000).acquire(k, 'd-1/dead')).toBeUndefined();
    holder.disconnect();
    const lease = new RedisLease(taker, TTL_MS);
    await waitUntil(() => lease.freeIfHolderGone(k), { what: 'the dead holder’s lease to be freed', timeoutMs: 5000, intervalMs: 20 });
    expect(await lease.acquire(k, 'd-1/next')).toBeUndefined();
    expect(await lease.holder(k)).toBe('d-1/next');
  });

  it('when the holder’s connection is open (a slow or stalled worker), then its lease is not freed', async () => {
    const k = key();
    const holder = connect(`deploybot-lease-holder-b-${process.pid}`);
    expect(await new RedisLease(holder, 600_000).acquire(k, 'd-2/alive')).toBeUndefined();
    const lease = new RedisLease(taker, TTL_MS);
    expect(await lease.freeIfHolderGone(k)).toBe(false);
    expect(await lease.acquire(k, 'd-2/next')).toBe('d-2/alive');
  });

  it('when a lease names no connection (written without one), then only its TTL frees it', async () => {
    const k = key();
    await taker.set(k, 'd-3/old', 'PX', 600_000);
    const lease = new RedisLease(taker, TTL_MS);
    expect(await lease.freeIfHolderGone(k)).toBe(false);
    expect(await lease.holder(k)).toBe('d-3/old');
  });

  it('when Redis refused the live holder’s connection name (an ACL without CLIENT SETNAME), then its lease names no connection and is not taken from it', async () => {
    await taker.call('ACL', 'SETUSER', 'no-setname', 'on', '>no-setname-password', '~*', '&*', '+@all', '-client|setname');
    const k = key();
    const holder = new Redis(redis.url, { username: 'no-setname', password: 'no-setname-password', connectionName: `deploybot-lease-holder-d-${process.pid}`, maxRetriesPerRequest: null });
    holder.on('error', () => undefined);
    connections.push(holder);
    expect(await new RedisLease(holder, 600_000).acquire(k, 'd-5/unnamed')).toBeUndefined();
    const lease = new RedisLease(taker, TTL_MS);
    expect(await lease.freeIfHolderGone(k)).toBe(false);
    expect(await lease.holder(k)).toBe('d-5/unnamed');
    holder.disconnect();
  });

  it('when Redis restarted less than a TTL ago, then a holder without a connection keeps its lease until Redis has been up for a TTL (live holders are still reconnecting)', async () => {
    const k = key();
    const holder = connect(`deploybot-lease-holder-c-${process.pid}`);
    expect(await new RedisLease(holder, 600_000).acquire(k, 'd-4/reconnecting')).toBeUndefined();
    await redis.crash();
    holder.disconnect();
    await redis.start();
    const lease = new RedisLease(taker, TTL_MS);
    expect(await lease.freeIfHolderGone(k)).toBe(false);
    expect(await lease.holder(k)).toBe('d-4/reconnecting');
    await upForATtl();
    expect(await lease.freeIfHolderGone(k)).toBe(true);
    expect(await lease.holder(k)).toBeUndefined();
  });
});

describe('a worker process SIGKILLed while it holds a deploy’s location lease', () => {
  let base: string;
  let repo: TestRepo;
  let config: Config;
  let h: JobHarness;
  const workers: WorkerProcess[] = [];
  const prefix = `takeover${process.pid}`;
  const worker = async () => {
    const started = await startWorkerProcess({ REDIS_URL: redis.url, DEPLOYBOT_DATA: join(base, 'var'), DEPLOYBOT_REDIS_PREFIX: prefix }, config.file);
    workers.push(started);
    return started;
  };
  const hostDir = (host: string) => join(base, 'hosts', host, 'data');
  const afterDeployLines = (host: string, id: string) => readFileSync(join(hostDir(host), 'codes/mala-core/after-deploy.log'), 'utf8').split('\n').filter((l) => l.startsWith(`${id} `));

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'deploybot-takeover-'));
    repo = makeGitRepo(join(base, 'repo'));
    config = deployTestConfig({
      dir: base,
      repo: repo.dir,
      hosts: { 'br-1': { local: join(base, 'hosts', 'br-1') }, 'br-2': { local: join(base, 'hosts', 'br-2') } },
      // br-1's afterDeploy waits for `go` beside it: the moment the worker dies is known
      project: { parallel: 1, hooks: { afterDeploy: 'echo "$DEPLOY_ID $HOST" >> ../after-deploy.log; if [ "$HOST" = br-1 ]; then while [ ! -e ../go ]; do sleep 0.05; done; fi' } },
    });
    h = await startJobHarness({ config, redisUrl: redis.url, dataDir: join(base, 'var'), prefix, workers: false });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await h?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('when the lease would outlive the test, then the next worker takes the deploy over once the killed worker’s connection is gone, and each host ran afterDeploy once', async () => {
    await upForATtl();
    const doomed = await worker();
    const id = await h.request('alice', 'deploy mala-core brazil v1');
    await waitForNotice(h.jobs.rt, id, (n) => n.type === 'host.started' && n.step === 'afterDeploy' && n.host === 'br-1');
    // stopped, it renews nothing; then its lease is made to last 10 minutes before it dies
    doomed.child.kill('SIGSTOP');
    const lock = h.jobs.rt.keys.locationLock('mala-core', 'brazil', 'main');
    expect(await h.jobs.rt.redis.pexpire(lock, 600_000)).toBe(1);
    expect(await h.jobs.rt.redis.pexpire(leaseConnectionKey(lock), 600_000)).toBe(1);
    const killedAt = Date.now();
    await doomed.kill('SIGKILL');
    writeFileSync(join(hostDir('br-1'), 'codes/mala-core/go'), '');
    await worker();

    // generous: the worker process and the resumed job share two cores with other suites
    const record = await waitForDeploy(h.jobs.rt, id, inState('success', 'partial', 'failed', 'cancelled'), 90_000);
    expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
    const notices = await h.jobs.rt.bus.notices(id);
    const tookOver = notices.find((n) => n.type === 'job.note' && n.text.includes('another worker took it over'));
    expect(tookOver).toBeDefined();
    // BullMQ hands the job out again after its 3 s lock; the 10-minute lease did not hold it
    expect(Date.parse(tookOver!.at) - killedAt).toBeLessThan(60_000);
    for (const host of ['br-1', 'br-2']) expect(afterDeployLines(host, id)).toEqual([`${id} ${host}`]);
  }, 180_000);
});
