// Progressive rollout (docs/configuration.md, "Health and rollout") on four real sshd hosts:
// waves, `command` and `http` health checks, automatic rollback, pause/resume/abort, a check
// that never answers, and a worker SIGKILLed during a bake.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { MemoryCheckpoint, type DeployCheckpoint } from '../../src/deploy/deploy-checkpoint.ts';
import type { RolloutControl } from '../../src/deploy/deploy-context.ts';
import type { DeployEvent } from '../../src/deploy/deploy-events.ts';
import type { DeployPlan } from '../../src/deploy/deploy-plan.ts';
import type { DeployResult } from '../../src/deploy/deploy-result.ts';
import { FileCheckpoint } from '../../src/deploy/file-checkpoint.ts';
import { runDeploy } from '../../src/deploy/run-deploy.ts';
import type { ChildJob } from '../fixtures/deploy-child.ts';
import { deployPlan, deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { type SshTestHost, type SshTestHosts, sshHostEntries, startSshHosts } from '../support/ssh-hosts.ts';

let base: string;
let repo: TestRepo;
let ssh: SshTestHosts;
let dataDir: string;
let names: string[];
let server: Server;
let port: number;
/** Hosts the HTTP health endpoint reports unhealthy whatever they serve. */
const failing = new Set<string>();

const HEALTH_COMMAND = 'cat app.txt; ! grep -q bad app.txt';
const host = (name: string): SshTestHost => ssh.hosts.find((h) => h.name === name)!;
/** The release directory the host's `path` points at, read on this machine through the host's /data. */
const online = (name: string) => basename(readlinkSync(join(host(name).root, 'prod/mala-core')));
const hookLog = (name: string) => {
  const file = join(host(name).root, 'hooks.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
};

function config(project: Record<string, unknown> = {}): Config {
  return deployTestConfig({
    dir: base,
    repo: repo.dir,
    privateKey: ssh.privateKey,
    hosts: sshHostEntries(ssh.hosts),
    project: {
      hostTimeout: '10s',
      hooks: { afterDeploy: 'echo "after $RELEASE_ID" >> /data/hooks.log' },
      ...project,
    },
  });
}

interface Run {
  result: DeployResult;
  events: DeployEvent[];
  recorded: DeployResult[];
}

async function deploy(plan: DeployPlan, cfg: Config, checkpoint: DeployCheckpoint = new MemoryCheckpoint(), rollout?: RolloutControl): Promise<Run> {
  const events: DeployEvent[] = [];
  const recorded: DeployResult[] = [];
  const result = await runDeploy(plan, {
    config: cfg,
    dataDir,
    checkpoint,
    onEvent: (e) => events.push(e),
    record: async (r) => void recorded.push(r),
    ...(rollout ? { rollout } : {}),
  });
  return { result, events, recorded };
}

const started = (run: Run, step: string) => run.events.flatMap((e) => (e.type === 'host.started' && e.step === step ? [e.host] : []));
const waveStarts = (run: Run) => run.events.flatMap((e) => (e.type === 'wave.started' ? [e.hosts] : []));

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-rollout-'));
  repo = makeGitRepo(join(base, 'repo'), { tags: ['v1', 'v2', 'v3', 'bad'] });
  dataDir = join(base, 'var');
  ssh = await startSshHosts(4, { prefix: 'br-' });
  names = ssh.hosts.map((h) => h.name);
  // one small HTTP server bound to the test hosts' address (127.0.0.1): /<host>/healthz answers
  // from what that host serves now; /hang/… never answers
  server = createServer((req, res) => {
    const [, name, what] = (req.url ?? '').split('/');
    if (name === 'hang') return;
    const app = readFileSync(join(host(name!).root, 'codes/mala-core', online(name!), 'app.txt'), 'utf8').trim();
    const healthy = !failing.has(name!) && !app.includes('bad');
    res.writeHead(what === 'healthz' && healthy ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(healthy ? `ok ${app}\n` : `unhealthy: ${app}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const first = await deploy(deployPlan({ ref: 'v1', hosts: names }), config());
  expect(first.result.outcome).toBe('success');
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await ssh?.stopAll();
  rmSync(base, { recursive: true, force: true });
});

describe('progressive rollout over SSH', () => {
  it('when a release\'s tree makes its health check fail, then only the first wave\'s host switched, it is rolled back with its hooks, nothing is recorded, and the message names the host, the check and its output', async () => {
    const before = online('br-1');
    for (const name of names) expect(online(name)).toBe(before);
    const run = await deploy(deployPlan({ ref: 'bad', hosts: names }), config({ health: [{ command: HEALTH_COMMAND }], rollout: { waves: [1, '50%'], interval: '200ms' } }));
    const bad = run.result.releaseId!;
    expect(run.result.outcome).toBe('rolled-back');
    expect(run.recorded).toEqual([]);
    expect(started(run, 'link')).toEqual(['br-1']);
    for (const name of names) expect(online(name)).toBe(before);
    // br-1 ran afterDeploy for the bad release, then again for the one it went back to; the others never saw it
    expect(hookLog('br-1').slice(-2)).toEqual([`after ${bad}`, `after ${before}`]);
    for (const name of ['br-2', 'br-3', 'br-4']) expect(hookLog(name).join('\n')).not.toContain(bad);
    expect(run.result.rollout).toMatchObject({ wavesDone: 0, rolledBack: ['br-1'], unhealthy: [{ host: 'br-1', check: `command ${HEALTH_COMMAND}` }] });
    expect(run.result.rollout!.unhealthy[0]!.outputTail).toEqual(['app bad', 'exit 1']);
    expect(run.result.rollout!.reason).toMatch(/br-1: command cat app\.txt.*app bad/);
    expect(run.result.switchedHosts).toEqual([]);
    expect(run.result.hosts.find((h) => h.host === 'br-1')).toMatchObject({ health: { healthy: false }, rolledBack: { ok: true, releaseId: before } });
  }, 120_000);

  it('when a release is healthy, then it goes through every wave in order and is recorded once, after the last one', async () => {
    const cfg = config({ health: [{ command: HEALTH_COMMAND }], rollout: { waves: [1, '50%'], interval: '200ms' } });
    const run = await deploy(deployPlan({ ref: 'v2', hosts: names }), cfg);
    expect(run.result.outcome).toBe('success');
    expect(waveStarts(run)).toEqual([['br-1'], ['br-2'], ['br-3', 'br-4']]);
    for (const name of names) expect(online(name)).toBe(run.result.releaseId);
    expect(run.recorded).toHaveLength(1);
    expect(run.recorded[0]!.switchedHosts).toEqual(names);
    // each wave starts only after the hosts switched so far passed
    const order = run.events.filter((e) => e.type === 'wave.started' || e.type === 'health.passed').map((e) => (e.type === 'wave.started' ? `wave ${e.wave}` : `ok ${e.host}`));
    expect(order.slice(0, 5)).toEqual(['wave 1', 'ok br-1', 'wave 2', 'ok br-2', 'wave 3']);
    expect(order.slice(5).sort()).toEqual(['ok br-3', 'ok br-4']);
  }, 120_000);

  it('when an http check fetched by the worker fails on the first host, then the rollout rolls back and names the URL and the answer', async () => {
    const before = online('br-1');
    const url = `http://{address}:${port}/{host}/healthz`;
    const run = await deploy(deployPlan({ ref: 'bad', hosts: names }), config({ health: [{ http: url, timeout: '2s' }], rollout: { waves: [1], interval: '200ms' } }));
    expect(run.result.outcome).toBe('rolled-back');
    for (const name of names) expect(online(name)).toBe(before);
    const [unhealthy] = run.result.rollout!.unhealthy;
    expect(unhealthy).toMatchObject({ host: 'br-1', check: `http ${url}` });
    expect(unhealthy!.outputTail).toEqual([`GET http://127.0.0.1:${port}/br-1/healthz: HTTP 503 (expected 2xx)`, 'unhealthy: app bad']);
  }, 120_000);

  it('when onFailure is pause, then the wave ends paused; Resume accepts the unhealthy host and finishes partial; Roll back of another pause switches every host it switched back', async () => {
    const before = online('br-1');
    const cfg = config({ health: [{ http: `http://{address}:${port}/{host}/healthz` }], rollout: { waves: [1, '50%'], interval: '200ms', onFailure: 'pause' } });
    failing.add('br-1');
    try {
      const plan = deployPlan({ ref: 'v3', hosts: names });
      const checkpoint = new MemoryCheckpoint();
      const paused = await deploy(plan, cfg, checkpoint);
      expect(paused.result.outcome).toBe('paused');
      expect(paused.recorded).toEqual([]);
      expect(online('br-1')).toBe(paused.result.releaseId);
      for (const name of ['br-2', 'br-3', 'br-4']) expect(online(name)).toBe(before);
      expect(paused.events.some((e) => e.type === 'rollout.paused' && e.wave === 1)).toBe(true);

      // run again without a resume (a worker taking over): still paused, nothing changes
      const again = await deploy(plan, cfg, checkpoint, { resumes: 0, requested: () => undefined });
      expect(again.result.outcome).toBe('paused');
      expect(started(again, 'link')).toEqual([]);

      const resumed = await deploy(plan, cfg, checkpoint, { resumes: 1, requested: () => undefined });
      expect(resumed.result.outcome).toBe('partial');
      for (const name of names) expect(online(name)).toBe(paused.result.releaseId);
      expect(resumed.recorded).toHaveLength(1);
      expect(resumed.result.rollout!.unhealthy.map((u) => u.host)).toEqual(['br-1']);
      expect(started(resumed, 'link').sort()).toEqual(['br-2', 'br-3', 'br-4']);

      const v3 = paused.result.releaseId!;
      const second = deployPlan({ ref: 'v2', hosts: names });
      const secondCheckpoint = new MemoryCheckpoint();
      const pausedAgain = await deploy(second, cfg, secondCheckpoint);
      expect(pausedAgain.result.outcome).toBe('paused');
      const aborted = await deploy(second, cfg, secondCheckpoint, { resumes: 0, requested: () => 'abort' });
      expect(aborted.result.outcome).toBe('rolled-back');
      expect(aborted.recorded).toEqual([]);
      for (const name of names) expect(online(name)).toBe(v3);
      expect(aborted.result.rollout!.rolledBack).toEqual(['br-1']);
    } finally {
      failing.clear();
    }
  }, 180_000);

  it('when a check never answers, then the host is unhealthy at healthTimeout and the deploy ends rolled back — no endless state', async () => {
    const before = online('br-1');
    const run = await deploy(
      deployPlan({ ref: 'v1', hosts: names }),
      config({ health: [{ http: `http://{address}:${port}/hang/{host}`, timeout: '1s', failureLimit: 1000 }], rollout: { waves: [1], interval: '200ms', healthTimeout: '3s' } }),
    );
    expect(run.result.outcome).toBe('rolled-back');
    const [unhealthy] = run.result.rollout!.unhealthy;
    expect(unhealthy!.check).toContain('(healthTimeout)');
    expect(unhealthy!.outputTail.join('\n')).toContain('no answer within 1000 ms');
    const switchStep = run.result.steps.find((s) => s.step === 'switch')!;
    expect(switchStep.durationMs).toBeGreaterThanOrEqual(3_000);
    expect(switchStep.durationMs).toBeLessThan(60_000);
    for (const name of names) expect(online(name)).toBe(before);
  }, 120_000);
});

describe('cancel during a rollout', () => {
  it('when cancel arrives during the first wave, then that wave ends, no later wave starts, and what it switched goes back: the deploy ends cancelled and records nothing', async () => {
    const before = online('br-1');
    const controller = new AbortController();
    const events: DeployEvent[] = [];
    const recorded: DeployResult[] = [];
    const result = await runDeploy(deployPlan({ ref: 'v2', hosts: names }), {
      config: config({ health: [{ command: HEALTH_COMMAND }], rollout: { waves: [1], bake: '1s', interval: '200ms' } }),
      dataDir,
      checkpoint: new MemoryCheckpoint(),
      signal: controller.signal,
      record: async (r) => void recorded.push(r),
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'wave.started') controller.abort();
      },
    });
    expect(result.outcome).toBe('cancelled');
    expect(events.filter((e) => e.type === 'wave.started')).toHaveLength(1);
    expect(events.some((e) => e.type === 'wave.finished' && e.wave === 1)).toBe(true);
    expect(result.rollout).toMatchObject({ wavesDone: 1, rolledBack: ['br-1'] });
    expect(result.rollout!.reason).toBe('cancelled after wave 1/2');
    expect(recorded).toEqual([]);
    for (const name of names) expect(online(name)).toBe(before);
  }, 120_000);
});

describe('a worker SIGKILLed mid-rollout', () => {
  /** Runs the deploy in a child process and SIGKILLs it at the first event of `type`. */
  async function deployAndKillAt(cfg: Config, plan: DeployPlan, checkpointFile: string, type: string): Promise<DeployEvent[]> {
    const jobFile = join(base, `${plan.deployId}-${type}.job.json`);
    const job: ChildJob = { configText: readFileSync(cfg.file, 'utf8'), configPath: cfg.file, plan, dataDir, checkpointFile };
    writeFileSync(jobFile, JSON.stringify(job));
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../fixtures/deploy-child.ts'), jobFile], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DEPLOYBOT_TEST_KEY: ssh.privateKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const seen: DeployEvent[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      const event = JSON.parse(line) as DeployEvent;
      seen.push(event);
      if (event.type === type) {
        child.kill('SIGKILL');
        break;
      }
      if ((event.type as string) === 'test.result') throw new Error(`the child finished before ${type}`);
    }
    expect(await exited).toBe('SIGKILL');
    return seen;
  }

  it('when killed during a bake, then a new run resumes in the same wave with the bake time already spent counted, and a failure found then is rolled back once', async () => {
    const before = online('br-1');
    const logged = hookLog('br-1').length;
    const cfg = config({ health: [{ http: `http://{address}:${port}/{host}/healthz` }], rollout: { waves: [1], bake: '4s', interval: '200ms' } });
    const plan = deployPlan({ ref: 'v3', hosts: names });
    const checkpointFile = join(base, `${plan.deployId}.checkpoint.json`);
    const first = await deployAndKillAt(cfg, plan, checkpointFile, 'wave.baking');
    expect(first.filter((e) => e.type === 'host.started' && e.step === 'link').map((e) => (e as { host: string }).host)).toEqual(['br-1']);
    const bakeStartedAt = (JSON.parse(readFileSync(checkpointFile, 'utf8')) as Record<string, { startedAt: number }>)['rollout:bake:1']!.startedAt;

    // resumed: the bake goes on from where it was, and ends no earlier than 4 s after it began
    const resumedAt = Date.now();
    failing.add('br-1');
    try {
      const second = await deployAndKillAt(cfg, plan, checkpointFile, 'rollout.failed');
      // the same wave again (its start is shown again), no host switched a second time
      expect(second.flatMap((e) => (e.type === 'wave.started' ? [e.wave] : []))).toEqual([1]);
      expect(second.filter((e) => e.type === 'host.started' && e.step === 'link')).toEqual([]);
      const baking = second.find((e) => e.type === 'wave.baking');
      if (baking && baking.type === 'wave.baking') expect(baking.remainingMs).toBeLessThanOrEqual(4_000 - (resumedAt - bakeStartedAt) + 500);

      // killed as the rollback was decided; the next run finishes it, once
      const third = await deploy(plan, cfg, new FileCheckpoint(checkpointFile));
      expect(third.result.outcome).toBe('rolled-back');
      expect(third.recorded).toEqual([]);
      for (const name of names) expect(online(name)).toBe(before);
      // one afterDeploy for the switch, one for the switch back: nothing ran twice
      expect(hookLog('br-1').slice(logged)).toEqual([`after ${third.result.releaseId}`, `after ${before}`]);
    } finally {
      failing.clear();
    }
  }, 120_000);

  it('when killed during a bake of a healthy release, then the resumed run finishes the bake no earlier than it was due and records once', async () => {
    const cfg = config({ health: [{ http: `http://{address}:${port}/{host}/healthz` }], rollout: { waves: [1], bake: '3s', interval: '200ms' } });
    const plan = deployPlan({ ref: 'v2', hosts: names });
    const checkpointFile = join(base, `${plan.deployId}.checkpoint.json`);
    await deployAndKillAt(cfg, plan, checkpointFile, 'wave.baking');
    const bakeStartedAt = (JSON.parse(readFileSync(checkpointFile, 'utf8')) as Record<string, { startedAt: number }>)['rollout:bake:1']!.startedAt;
    const run = await deploy(plan, cfg, new FileCheckpoint(checkpointFile));
    expect(run.result.outcome).toBe('success');
    const finished = run.events.find((e) => e.type === 'wave.finished' && e.wave === 1)!;
    expect(Date.parse(finished.at) - bakeStartedAt).toBeGreaterThanOrEqual(3_000 - 5);
    // not a fresh 3 s bake from the resume: the time already spent counted
    const resumedBaking = run.events.find((e) => e.type === 'wave.baking');
    if (resumedBaking?.type === 'wave.baking') expect(resumedBaking.remainingMs).toBeLessThan(3_000);
    expect(run.recorded).toHaveLength(1);
    for (const name of names) expect(online(name)).toBe(run.result.releaseId);
  }, 120_000);
});
