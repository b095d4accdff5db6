// Benchmark (not a CI gate): what the job layer adds around the deploy engine.
//   latency    command → job picked up by a worker → first progress event, p50/p99 over
//              N deploys to a local host, with the worker in this process and with
//              `deploybot worker` as a separate process
//   overhead   a deploy through the job layer (command → finished) against the bare engine
//              (`runDeploy`) on the same plan, alternating, in the same run
//   takeover   a worker SIGKILLed mid-distribute: SIGKILL → first event from the standby
//              worker (started before the deploy and kept stopped with SIGSTOP, so it cannot
//              take the job first; SIGCONT at the kill)
// A dedicated redis-server (no persistence) and local hosts; no root needed.
//
//   node --import tsx bench/job-latency.ts [--deploys 50] [--pairs 20] [--takeovers 5]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/load-config.ts';
import { inState, waitForDeploy } from '../src/app/wait-for-deploy.ts';
import { MemoryCheckpoint } from '../src/deploy/deploy-checkpoint.ts';
import { runDeploy } from '../src/deploy/run-deploy.ts';
import { startLocalRedis } from '../src/services/local-redis.ts';
import { deployPlan } from '../test/fixtures/deploy-test-config.ts';
import { startJobHarness, type JobHarness } from '../test/fixtures/job-harness.ts';
import { makeGitRepo } from '../test/fixtures/make-git-repo.ts';
import { manyLocationsConfig } from '../test/fixtures/many-locations-config.ts';
import { waitForNotice } from '../test/fixtures/wait-for-notice.ts';
import { startWorkerProcess, type WorkerProcess } from '../test/fixtures/worker-process.ts';

const { values } = parseArgs({ options: { deploys: { type: 'string', default: '50' }, pairs: { type: 'string', default: '20' }, takeovers: { type: 'string', default: '5' } } });
const DEPLOYS = Number(values.deploys);
const PAIRS = Number(values.pairs);
const TAKEOVERS = Number(values.takeovers);

const loadStart = loadText();
const base = mkdtempSync(join(tmpdir(), 'deploybot-bench-jobs-'));
const redis = await startLocalRedis();
const workers: WorkerProcess[] = [];
let prefixes = 0;
const prefix = () => `bench${process.pid}x${(prefixes += 1)}`;

try {
  const repo = makeGitRepo(join(base, 'repo'));
  const small = setup('latency', repo.dir);

  console.log(`latency: ${DEPLOYS} deploys, worker in this process …`);
  const inProcess = await measureLatency(small, 'in-process');
  console.log(`latency: ${DEPLOYS} deploys, worker as a separate process …`);
  const separate = await measureLatency(small, 'process');
  console.log(`overhead: ${PAIRS} pairs of job-layer and bare-engine deploys …`);
  const overhead = await measureOverhead(small);
  console.log(`takeover: ${TAKEOVERS} worker kills mid-distribute …`);
  const bigRepo = makeGitRepo(join(base, 'repo-big'), { blobBytes: 20_000_000 });
  const takeover = await measureTakeover(setup('takeover', bigRepo.dir, 4));

  console.log(`\nlatency over ${DEPLOYS} deploys each (p99 of ${DEPLOYS} = the ${Math.ceil(0.99 * DEPLOYS)}th smallest):\n`);
  console.log('worker | command → answer p50 / p99 ms | command → job start p50 / p99 ms | command → first progress event p50 / p99 ms');
  console.log('------ | ----------------------------- | -------------------------------- | -------------------------------------------');
  for (const [name, m] of [['in-process', inProcess], ['separate process', separate]] as const) {
    console.log(`${name} | ${pair(m.answer)} | ${pair(m.jobStart)} | ${pair(m.firstEvent)}`);
  }
  const job = median(overhead.job);
  const bare = median(overhead.bare);
  console.log(`\nper-deploy overhead, medians of ${PAIRS} alternating pairs (min–max):\n`);
  console.log('deploy | ms');
  console.log('------ | --');
  console.log(`bare engine \`runDeploy\` | ${bare.toFixed(0)} [${range(overhead.bare)}]`);
  console.log(`job layer, command → finished | ${job.toFixed(0)} [${range(overhead.job)}]`);
  console.log(`overhead | +${(job - bare).toFixed(0)} ms, **${(job / bare).toFixed(2)}×**`);
  console.log(`\ntakeover after SIGKILL mid-distribute (${TAKEOVERS} runs): ${takeover.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s; median ${(median(takeover) / 1000).toFixed(2)} s, max ${(Math.max(...takeover) / 1000).toFixed(2)} s`);
  console.log(`load average at the start ${loadStart}, at the end ${loadText()}`);
} finally {
  await Promise.all(workers.map((w) => w.kill()));
  await redis.stop();
  rmSync(base, { recursive: true, force: true });
}

interface Setup {
  config: Config;
  dataDir: string;
}

/** A config of one project on `hosts` local hosts in market m01 (its own directory). */
function setup(name: string, repoDir: string, hosts = 1): Setup {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  return { config: manyLocationsConfig(dir, repoDir, 1, { parallel: 1, keepReleases: 2 }, hosts), dataDir: join(dir, 'var') };
}

async function harness(s: Setup, mode: 'in-process' | 'process'): Promise<{ h: JobHarness; p: string }> {
  const p = prefix();
  const h = await startJobHarness({ config: s.config, redisUrl: redis.url, dataDir: s.dataDir, prefix: p, ...(mode === 'process' ? { workers: false } : {}) });
  return { h, p };
}

async function worker(s: Setup, p: string): Promise<WorkerProcess> {
  const w = await startWorkerProcess({ REDIS_URL: redis.url, DEPLOYBOT_DATA: s.dataDir, DEPLOYBOT_REDIS_PREFIX: p }, s.config.file);
  workers.push(w);
  return w;
}

async function measureLatency(s: Setup, mode: 'in-process' | 'process'): Promise<{ answer: number[]; jobStart: number[]; firstEvent: number[] }> {
  const { h, p } = await harness(s, mode);
  const w = mode === 'process' ? await worker(s, p) : undefined;
  const result = { answer: [] as number[], jobStart: [] as number[], firstEvent: [] as number[] };
  try {
    for (let i = -3; i < DEPLOYS; i += 1) {
      const ref = ['v1', 'v2', 'v3'][(i + 3) % 3]!;
      const sent = Date.now();
      const answer = await h.say('alice', `deploy mala-core m01 ${ref}`);
      const answered = Date.now();
      const id = answer.deployIds[0];
      if (!id) throw new Error(`not accepted: ${answer.private.join(' | ')}`);
      const record = await h.settle(id);
      if (record.state !== 'success') throw new Error(`${id} ended ${record.state}: ${record.reason}`);
      if (i < 0) continue; // warm-up: mirror, builds, connections
      const job = await h.jobs.rt.queue.getJob(`${id}.prepare`);
      const notices = await h.jobs.rt.bus.notices(id);
      const first = notices.find((n) => !n.type.startsWith('job.'));
      result.answer.push(answered - sent);
      result.jobStart.push(job!.processedOn! - sent);
      result.firstEvent.push(Date.parse(first!.at) - sent);
    }
  } finally {
    await w?.kill('SIGTERM');
    await h.close();
  }
  return result;
}

async function measureOverhead(s: Setup): Promise<{ job: number[]; bare: number[] }> {
  const { h } = await harness(s, 'in-process');
  const job: number[] = [];
  const bare: number[] = [];
  try {
    for (let i = -2; i < PAIRS; i += 1) {
      const ref = i % 2 === 0 ? 'v1' : 'v2';
      const sent = Date.now();
      const record = await h.settle(await h.request('alice', `deploy mala-core m01 ${ref}`));
      if (record.state !== 'success') throw new Error(`${record.id} ended ${record.state}: ${record.reason}`);
      const jobMs = Date.parse(record.finishedAt!) - sent;

      // the same plan for the bare engine: project, market, location, host, ref (its own release time)
      const plan = deployPlan({ ref, hosts: record.hosts, market: 'm01', createdAt: new Date(Date.UTC(2031, 0, 1, 0, 0, i + 10)).toISOString() });
      const started = performance.now();
      const result = await runDeploy(plan, { config: s.config, dataDir: s.dataDir, checkpoint: new MemoryCheckpoint() });
      const bareMs = performance.now() - started;
      if (result.outcome !== 'success') throw new Error(`bare deploy ${result.outcome}: ${result.error?.message}`);
      if (i < 0) continue;
      job.push(jobMs);
      bare.push(bareMs);
    }
  } finally {
    await h.close();
  }
  return { job, bare };
}

async function measureTakeover(s: Setup): Promise<number[]> {
  const { h, p } = await harness(s, 'process');
  const times: number[] = [];
  try {
    // warm the build and the hosts once
    const warm = await worker(s, p);
    await h.settle(await h.request('alice', 'deploy mala-core m01 v1'));
    await warm.kill('SIGTERM');
    for (let run = 0; run < TAKEOVERS; run += 1) {
      const standby = await worker(s, p);
      standby.child.kill('SIGSTOP');
      const doomed = await worker(s, p);
      const id = await h.request('alice', `deploy mala-core m01 ${run % 2 === 0 ? 'v2' : 'v1'}`);
      await waitForNotice(h.jobs.rt, id, (n) => n.type === 'host.finished' && n.step === 'distribute');
      const killedAt = Date.now();
      await doomed.kill('SIGKILL');
      standby.child.kill('SIGCONT');
      const record = await waitForDeploy(h.jobs.rt, id, inState('success', 'partial', 'failed', 'cancelled'), 60_000);
      if (record.state !== 'success') throw new Error(`${id} ended ${record.state}: ${record.reason}`);
      const resumed = (await h.jobs.rt.bus.notices(id)).map((n) => Date.parse(n.at)).find((t) => t > killedAt);
      times.push(resumed! - killedAt);
      await standby.kill('SIGTERM');
    }
  } finally {
    await h.close();
  }
  return times;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
function median(values: readonly number[]): number {
  return percentile(values, 50);
}
function range(values: readonly number[]): string {
  return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
}
function loadText(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}
function pair(values: readonly number[]): string {
  return `${percentile(values, 50).toFixed(0)} / ${percentile(values, 99).toFixed(0)}`;
}
