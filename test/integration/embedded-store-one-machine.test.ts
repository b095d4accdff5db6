// The embedded release store lives on one machine (docs/operations.md, "One machine or
// several"): a second `deploybot worker` of the same bot (one Redis and prefix) whose embedded
// store is another data directory — another machine, as far as the store can tell — refuses
// to start, naming ZooKeeper; the first keeps working. Two real worker processes, real Redis.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { startJobHarness } from '../fixtures/job-harness.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { startWorkerProcess, type WorkerProcess } from '../fixtures/worker-process.ts';

let base: string;
let repo: TestRepo;
let first: WorkerProcess | undefined;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'deploybot-one-machine-')));
  repo = makeGitRepo(join(base, 'repo'));
});

afterAll(async () => {
  await first?.kill('SIGTERM');
  rmSync(base, { recursive: true, force: true });
});

it('when a second worker of one bot has its embedded store in another data directory, then it refuses to start naming ZooKeeper, and the first keeps running deploys', async () => {
  const config = deployTestConfig({ dir: base, repo: repo.dir, hosts: { 'br-1': { local: join(base, 'hosts', 'br-1') } } });
  mkdirSync(join(base, 'machine-a'));
  const prefix = `one-machine-${randomBytes(4).toString('hex')}`;
  const env = (dataDir: string) => ({ REDIS_URL: inject('redisUrl'), DEPLOYBOT_DATA: dataDir, DEPLOYBOT_REDIS_PREFIX: prefix });

  first = await startWorkerProcess(env(join(base, 'machine-a')), config.file);
  const refusal = await startWorkerProcess(env(join(base, 'machine-b')), config.file).then(
    (second) => second.kill().then(() => 'the second worker started'),
    (error: Error) => error.message,
  );
  expect(refusal).toContain('worker exited with 1 before it was ready');
  expect(refusal).toContain(`markets brazil use the embedded store, which lives in ${join(base, 'machine-a')} on ${hostname()}`);
  expect(refusal).toContain('several machines need ZooKeeper: set markets.brazil.zookeeper');

  // the first worker is untouched: a deploy queued by a bot on its machine and data directory runs there
  expect(first.child.exitCode).toBeNull();
  const bot = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir: join(base, 'machine-a'), prefix, workers: false });
  try {
    const id = await bot.request('alice', 'deploy mala-core brazil v1');
    expect((await bot.settle(id)).state).toBe('success');
    expect(basename(realpathSync(join(base, 'hosts', 'br-1', 'data/prod/mala-core')))).toContain(repo.commits.v1!.slice(0, 7));
    expect((await bot.jobs.rt.releases.read('mala-core', 'brazil')).releases.production?.current).toMatchObject({ deployId: id });
  } finally {
    await bot.close();
  }
  expect(first.child.exitCode).toBeNull();
});
