// A worker SIGKILLed mid-deploy: every host's `path` still resolves to a complete release,
// and a new run of the same plan with the same checkpoint finishes the deploy without
// running any host's hooks twice.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { MemoryCheckpoint } from '../../src/deploy/deploy-checkpoint.ts';
import type { DeployPlan } from '../../src/deploy/deploy-plan.ts';
import { FileCheckpoint } from '../../src/deploy/file-checkpoint.ts';
import { runDeploy } from '../../src/deploy/run-deploy.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import type { ChildJob } from '../fixtures/deploy-child.ts';
import { deployPlan, deployTestConfig } from '../fixtures/deploy-test-config.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { type SshTestHosts, startSshHosts, sshHostEntries } from '../support/ssh-hosts.ts';

let base: string;
let repo: TestRepo;
let ssh: SshTestHosts;
let config: Config;
let dataDir: string;
let names: string[];

const HOOKS = {
  beforeDeploy: 'echo "before $RELEASE_ID" >> /data/hook-runs.log',
  afterDeploy: 'echo "after $RELEASE_ID" >> /data/hook-runs.log',
};

/** Where each host's `path` points, and whether that is a complete release (indicator and app present). */
function pathState(): { host: string; releaseId: string; complete: boolean }[] {
  return ssh.hosts.map((h) => {
    const target = readlinkSync(join(h.root, 'prod/mala-core'));
    const releaseId = target.replace('/data/codes/mala-core/', '');
    const dir = join(h.root, 'codes/mala-core', releaseId);
    const complete = existsSync(join(dir, 'app.txt')) && readFileSync(join(dir, 'filecache/release_indicator.json'), 'utf8') === '{"name":"production"}';
    return { host: h.name, releaseId, complete };
  });
}

const hookRuns = (host: string, releaseId: string) =>
  readFileSync(join(ssh.hosts.find((h) => h.name === host)!.root, 'hook-runs.log'), 'utf8').split('\n').filter((line) => line.endsWith(releaseId));

/** Starts the deploy in a child process and SIGKILLs it when it reports the stall point. */
async function deployAndKill(plan: DeployPlan, checkpointFile: string, stall: NonNullable<ChildJob['stall']>): Promise<string[]> {
  const jobFile = join(base, `${plan.deployId}.job.json`);
  const job: ChildJob = { configText: readFileSync(config.file, 'utf8'), configPath: config.file, plan, dataDir, checkpointFile, stall };
  writeFileSync(jobFile, JSON.stringify(job));
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../fixtures/deploy-child.ts'), jobFile], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DEPLOYBOT_TEST_KEY: ssh.privateKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const seen: string[] = [];
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as { type: string; step?: string; host?: string };
    seen.push(`${event.type}${event.step ? ` ${event.step}` : ''}${event.host ? ` ${event.host}` : ''}`);
    if (event.type === 'test.stalled') {
      child.kill('SIGKILL');
      break;
    }
    if (event.type === 'test.result') throw new Error(`the child finished without stalling: ${seen.join(', ')}`);
  }
  const signal = await exited;
  if (signal !== 'SIGKILL') throw new Error(`child exited without being killed (${signal}): ${stderr.join('')}\n${seen.join('\n')}`);
  return seen;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-kill-'));
  repo = makeGitRepo(join(base, 'repo'), { blobBytes: 1_000_000 });
  dataDir = join(base, 'var');
  ssh = await startSshHosts(4, { prefix: 'br-' });
  names = ssh.hosts.map((h) => h.name);
  config = deployTestConfig({
    dir: base,
    repo: repo.dir,
    privateKey: ssh.privateKey,
    hosts: sshHostEntries(ssh.hosts),
    project: { parallel: 1, keepReleases: 5, hooks: HOOKS },
  });
  const first = await runDeploy(deployPlan({ ref: 'v1', hosts: names }), { config, dataDir, checkpoint: new MemoryCheckpoint() });
  if (first.outcome !== 'success') throw new Error(`first deploy failed: ${JSON.stringify(first.error ?? first.hosts)}`);
});

afterAll(async () => {
  await ssh?.stopAll();
  rmSync(base, { recursive: true, force: true });
});

describe('a deploying process killed with SIGKILL', () => {
  it('when killed during distribute, then every path resolves to a complete release, and a resumed run completes', async () => {
    const before = pathState();
    expect(before.every((s) => s.complete)).toBe(true);
    const plan = deployPlan({ ref: 'v2', hosts: names });
    const checkpointFile = join(base, 'distribute.checkpoint.json');
    const seen = await deployAndKill(plan, checkpointFile, { at: 'upload', host: 'br-3' });
    expect(seen).toContain('host.finished distribute br-2');
    expect(seen.some((s) => s.startsWith('host.started link'))).toBe(false);

    // killed mid-upload: nothing switched, nothing half-unpacked under a release name
    expect(pathState()).toEqual(before);
    const br3 = ssh.hosts[2]!;
    expect(readdirSync(join(br3.root, 'codes/mala-core')).filter((n) => n.startsWith('v2-'))).toEqual([]);
    // the host saw the stream end short: what it had unpacked aside is gone without any prune
    await waitUntil(() => readdirSync(join(br3.root, 'codes/mala-core/.incoming')).length === 0, { timeoutMs: 20_000, what: 'br-3 to drop the half-received package' });

    const resumed = await runDeploy(plan, { config, dataDir, checkpoint: new FileCheckpoint(checkpointFile) });
    expect(resumed.error).toBeUndefined();
    expect(resumed.outcome).toBe('success');
    // br-1 and br-2 were finished before the kill: not uploaded again
    expect(resumed.bytesUploaded).toBe(2 * resumed.package!.bytes);
    for (const state of pathState()) expect(state).toEqual({ host: state.host, releaseId: resumed.releaseId, complete: true });
    for (const host of names) expect(hookRuns(host, resumed.releaseId!)).toEqual([`before ${resumed.releaseId}`, `after ${resumed.releaseId}`]);
  });

  it('when killed during switch, then every path resolves to a complete release, and a resumed run switches the rest without running hooks twice', async () => {
    const plan = deployPlan({ ref: 'v3', hosts: names });
    const checkpointFile = join(base, 'switch.checkpoint.json');
    const seen = await deployAndKill(plan, checkpointFile, { at: 'link', host: 'br-3' });
    expect(seen).toContain('host.finished link br-2');
    expect(seen).toContain('host.finished beforeDeploy br-3');

    const mid = pathState();
    expect(mid.every((s) => s.complete)).toBe(true);
    const newId = mid.find((s) => s.host === 'br-1')!.releaseId;
    expect(newId).toMatch(/^v3-/);
    expect(mid.find((s) => s.host === 'br-4')!.releaseId).toMatch(/^v2-/);

    const resumed = await runDeploy(plan, { config, dataDir, checkpoint: new FileCheckpoint(checkpointFile) });
    expect(resumed.error).toBeUndefined();
    expect(resumed.outcome).toBe('success');
    expect(resumed.releaseId).toBe(newId);
    expect(resumed.bytesUploaded).toBe(0);
    for (const state of pathState()) expect(state).toEqual({ host: state.host, releaseId: newId, complete: true });
    // br-3's beforeDeploy ran before the kill and is not run again; everyone's hooks ran exactly once
    for (const host of names) expect(hookRuns(host, newId)).toEqual([`before ${newId}`, `after ${newId}`]);
  });
});
