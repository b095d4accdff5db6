// Benchmark (not a CI gate): what the build cache and on-disk rollback save, on real sshd hosts.
//   (a) the same commit deployed twice to 4 hosts: first with an empty data directory (cold:
//       mirror clone, checkout, build command, package), then a new deploy of the same commit
//       (cached build and package, no rebuild). Both totals, their ratio, and the build step alone.
//   (b) rollback across 16 hosts (preflight + symlink switch, no upload) against the deploy that
//       preceded it, and against a baseline measured in the same run on the same hosts:
//         xargs -P 16   ssh host 'ln -sfn <release> <path>.next && mv -T <path>.next <path>'
//
//   node --import tsx bench/deploy-cache-rollback.ts [--mb 50] [--runs 3] [--rollbacks 5]
//                                                    [--cache-hosts 4] [--rollback-hosts 16]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/load-config.ts';
import { MemoryCheckpoint } from '../src/deploy/deploy-checkpoint.ts';
import type { DeployPlan } from '../src/deploy/deploy-plan.ts';
import type { DeployResult, StepName } from '../src/deploy/deploy-result.ts';
import { runDeploy } from '../src/deploy/run-deploy.ts';
import { deployPlan, deployTestConfig } from '../test/fixtures/deploy-test-config.ts';
import { makeGitRepo } from '../test/fixtures/make-git-repo.ts';
import { type SshTestHost, startSshHosts } from '../test/support/ssh-hosts.ts';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    rollbacks: { type: 'string', default: '5' },
    'cache-hosts': { type: 'string', default: '4' },
    'rollback-hosts': { type: 'string', default: '16' },
  },
});
const megabytes = Number(values.mb);
const runs = Number(values.runs);
const rollbacks = Number(values.rollbacks);
const cacheHosts = Number(values['cache-hosts']);
const rollbackHosts = Number(values['rollback-hosts']);

const base = mkdtempSync(join(tmpdir(), 'deploybot-bench-cache-'));
const ssh = await startSshHosts(Math.max(cacheHosts, rollbackHosts), { prefix: 'c' });
let config: Config;
try {
  const repo = makeGitRepo(join(base, 'repo'), { blobBytes: megabytes * 1_000_000, tags: ['v1', 'v2'] });
  config = deployTestConfig({
    dir: base,
    repo: repo.dir,
    privateKey: ssh.privateKey,
    hosts: Object.fromEntries(ssh.hosts.map((h) => [h.name, { address: h.address, port: h.port, user: h.user, hostKey: h.hostKey }])),
    project: { parallel: rollbackHosts, keepReleases: 5, hostTimeout: '300s' },
  });
  const project = config.projects['mala-core']!;
  const loadBefore = loadText();

  // ---- (a) cold build vs cached redeploy of the same commit ----
  const cacheRows: string[][] = [];
  const cold: Measured[] = [];
  const cached: Measured[] = [];
  const targets = ssh.hosts.slice(0, cacheHosts).map((h) => h.name);
  for (let run = 1; run <= runs; run += 1) {
    const dataDir = join(base, `var-cache-${run}`);
    console.log(`(a) run ${run}/${runs}: cold deploy of v1 to ${cacheHosts} hosts with an empty data dir, then the same commit again …`);
    const first = await timed(deployPlan({ ref: 'v1', hosts: targets }), dataDir);
    if (first.result.buildCacheHit !== false) throw new Error('the cold deploy hit the build cache: the data dir was not empty');
    const second = await timed(deployPlan({ ref: 'v1', hosts: targets }), dataDir);
    if (second.result.buildCacheHit !== true) throw new Error('the second deploy of the same commit rebuilt');
    cold.push(first);
    cached.push(second);
    cacheRows.push([
      String(run),
      secs(first.ms), secs(second.ms), ratio(second.ms, first.ms),
      secs(first.stepMs('build')), secs(second.stepMs('build')), ratio(second.stepMs('build'), first.stepMs('build')),
      secs(first.stepMs('resolve')), secs(second.stepMs('resolve')),
      secs(first.fanOut), secs(second.fanOut),
    ]);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const med = (list: Measured[], pick: (m: Measured) => number) => median(list.map(pick));
  cacheRows.push([
    '**median**',
    secs(med(cold, (m) => m.ms)), secs(med(cached, (m) => m.ms)), ratio(med(cached, (m) => m.ms), med(cold, (m) => m.ms)),
    secs(med(cold, (m) => m.stepMs('build'))), secs(med(cached, (m) => m.stepMs('build'))), ratio(med(cached, (m) => m.stepMs('build')), med(cold, (m) => m.stepMs('build'))),
    secs(med(cold, (m) => m.stepMs('resolve'))), secs(med(cached, (m) => m.stepMs('resolve'))),
    secs(med(cold, (m) => m.fanOut)), secs(med(cached, (m) => m.fanOut)),
  ]);
  const packageMb = (cold[0]!.result.package!.bytes / 1e6).toFixed(1);

  // ---- (b) rollback across 16 hosts vs the deploy before it, and vs ssh + xargs -P ----
  const hosts = ssh.hosts.slice(0, rollbackHosts);
  const names = hosts.map((h) => h.name);
  const dataDir = join(base, 'var-rollback');
  console.log(`(b) setting up ${rollbackHosts} hosts: v2 (warms its build), v1, then v2 again (timed: the deploy before the rollbacks) …`);
  await timed(deployPlan({ ref: 'v2', hosts: names }), dataDir);
  const onV1 = await timed(deployPlan({ ref: 'v1', hosts: names }), dataDir);
  const preceding = await timed(deployPlan({ ref: 'v2', hosts: names }), dataDir);
  const v1Release = onV1.result.releaseId!;
  const v2Release = preceding.result.releaseId!;

  const keyFile = join(base, 'baseline_key');
  writeFileSync(keyFile, ssh.privateKey, { mode: 0o600 });
  const knownHosts = join(base, 'known_hosts');
  writeFileSync(knownHosts, hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKey}\n`).join(''));

  const rollbackMs: number[] = [];
  const baselineMs: number[] = [];
  const rollbackSteps: Measured[] = [];
  for (let round = 1; round <= rollbacks; round += 1) {
    // the baseline switches every host back to the v2 release (the same work as a rollback: one
    // symlink switch per host, over a fresh ssh connection), then the bot rolls back to v1
    baselineMs.push(baselineSwitch(hosts, `${project.releasesDir}/${v2Release}`, project.path));
    const back = await timed({ ...deployPlan({ ref: 'v1', hosts: names }), kind: 'rollback', version: 'v1' } satisfies DeployPlan, dataDir);
    if (back.result.releaseId !== v1Release) throw new Error(`rollback went to ${back.result.releaseId}, expected ${v1Release}`);
    rollbackMs.push(back.ms);
    rollbackSteps.push(back);
    console.log(`  round ${round}: baseline ${secs(baselineMs.at(-1)!)} s, rollback ${secs(back.ms)} s (preflight ${secs(back.stepMs('preflight'))} s, switch ${secs(back.stepMs('switch'))} s)`);
  }
  const loadAfter = loadText();

  console.log(`\n(a) the same commit twice to ${cacheHosts} sshd hosts, package ${packageMb} MB (${megabytes} MB build output), ${runs} runs, each with a fresh data dir:\n`);
  console.log('run | cold deploy s | cached deploy s | cached/cold | cold build step s | cached build step s | build cached/cold | cold resolve s | cached resolve s | cold fan-out s | cached fan-out s');
  console.log('--- | ------------- | --------------- | ----------- | ----------------- | ------------------- | ----------------- | -------------- | ---------------- | -------------- | ----------------');
  for (const row of cacheRows) console.log(row.join(' | '));

  const rb = median(rollbackMs);
  const bl = median(baselineMs);
  const pre = (s: StepName) => median(rollbackSteps.map((m) => m.stepMs(s)));
  console.log(`\n(b) rollback across ${rollbackHosts} sshd hosts (median of ${rollbacks}; min–max in brackets), against the deploy that preceded it and a baseline in the same run:\n`);
  console.log('what | s | rollback / this');
  console.log('---- | - | ---------------');
  console.log(`preceding deploy of v2 (cached build, ${packageMb} MB to each host) | ${secs(preceding.ms)} | ${ratio(rb, preceding.ms)}`);
  console.log(`its distribute + switch steps | ${secs(preceding.fanOut)} | ${ratio(rb, preceding.fanOut)}`);
  console.log(`baseline: xargs -P ${rollbackHosts} ssh 'ln -sfn … && mv -T …' | ${secs(bl)} [${secs(Math.min(...baselineMs))}–${secs(Math.max(...baselineMs))}] | ${ratio(rb, bl)}`);
  console.log(`**bot rollback** (preflight ${secs(pre('preflight'))} + switch ${secs(pre('switch'))}) | ${secs(rb)} [${secs(Math.min(...rollbackMs))}–${secs(Math.max(...rollbackMs))}] | 1.00×`);
  console.log(`\nload average (1/5/15 min) before: ${loadBefore}; after: ${loadAfter}; ${new Date().toISOString()}`);
} finally {
  await ssh.stopAll();
  rmSync(base, { recursive: true, force: true });
}

interface Measured {
  ms: number;
  result: DeployResult;
  stepMs(name: StepName): number;
  /** distribute + switch */
  fanOut: number;
}

async function timed(plan: DeployPlan, dataDir: string): Promise<Measured> {
  const started = performance.now();
  const result = await runDeploy(plan, { config, dataDir, checkpoint: new MemoryCheckpoint() });
  const ms = performance.now() - started;
  if (result.outcome !== 'success') throw new Error(`${plan.kind} ${plan.ref} failed: ${JSON.stringify(result.error ?? result.hosts.filter((h) => h.outcome !== 'success'))}`);
  const stepMs = (name: StepName) => result.steps.filter((s) => s.step === name).reduce((sum, s) => sum + s.durationMs, 0);
  return { ms, result, stepMs, fanOut: stepMs('distribute') + stepMs('switch') };
}

/** One ssh per host, all at once (xargs -P <hosts>): the switch a rollback makes, done by hand. */
function baselineSwitch(hosts: SshTestHost[], target: string, path: string): number {
  const opts = `-o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${join(base, 'known_hosts')} -i ${join(base, 'baseline_key')} -F /dev/null`;
  const remote = `ln -sfn ${target} ${path}.next && mv -T ${path}.next ${path}`;
  const script = join(base, 'switch.sh');
  writeFileSync(script, `#!/bin/sh\nset -e\nexec ssh ${opts} -p "$1" ${hosts[0]!.user}@127.0.0.1 "${remote}"\n`, { mode: 0o755 });
  const started = performance.now();
  const done = spawnSync('sh', ['-c', `printf '%s\\n' ${hosts.map((h) => h.port).join(' ')} | xargs -P ${hosts.length} -n 1 ${script}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  const ms = performance.now() - started;
  if (done.status !== 0) throw new Error(`baseline switch failed (${done.status})`);
  return ms;
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}
function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}
function loadText(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' / ');
}
