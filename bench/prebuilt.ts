// Benchmark (not a CI gate): what a build made ahead (a push event's pre-build,
// src/deploy/build/prebuild-commit.ts) saves the deploy that follows it. In one run, with one
// data directory and local hosts: a cold deploy of `v1` (mirror clone, checkout, build
// command, package), then the pre-build of the pushed `v2` (off any deploy's path, as a
// worker makes it after the push), then the deploy of `v2`, whose build step finds the code
// build and the package in the artifacts directory and only checks the package's sha256.
// Target: the pre-built deploy's build step ≤ 5 % of the cold one's.
//
//   node --import tsx bench/prebuilt.ts [--runs 3] [--mb 5] [--work 300000] [--hosts 2]
//
// `--mb`: incompressible bytes the build writes into its output (the package is about that
// size); `--work`: iterations of a shell loop the build command runs, standing in for
// compiling (about 1 s at 300 000 here).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prebuildCommit } from '../src/deploy/build/prebuild-commit.ts';
import { MemoryCheckpoint } from '../src/deploy/deploy-checkpoint.ts';
import type { DeployResult, StepName } from '../src/deploy/deploy-result.ts';
import { runDeploy } from '../src/deploy/run-deploy.ts';
import { formatDecimalSize } from '../src/domain/format-size.ts';
import { deployPlan, deployTestConfig } from '../test/fixtures/deploy-test-config.ts';
import { makeGitRepo } from '../test/fixtures/make-git-repo.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, mb: { type: 'string', default: '5' }, work: { type: 'string', default: '300000' }, hosts: { type: 'string', default: '2' } } });
const runs = Number(values.runs);
const megabytes = Number(values.mb);
const work = Number(values.work);
const hostCount = Number(values.hosts);
const TARGET = 0.05;

const base = mkdtempSync(join(tmpdir(), 'deploybot-bench-prebuilt-'));
const rows: string[][] = [];
const ratios: number[] = [];
const hostNames = Array.from({ length: hostCount }, (_, i) => `h${i + 1}`);
const repo = makeGitRepo(join(base, 'repo'), { blobBytes: megabytes * 1_000_000, tags: ['v1', 'v2'] });
const config = deployTestConfig({
  dir: base,
  repo: repo.dir,
  hosts: Object.fromEntries(hostNames.map((h) => [h, { local: join(base, 'hosts', h) }])),
  project: { build: { command: `sh build.sh && i=0; while [ $i -lt ${work} ]; do i=$((i+1)); done`, output: 'dist' }, hookTimeout: '600s', prebuild: ['v*'] },
});
try {
  const loadBefore = loadText();
  for (let run = 1; run <= runs; run += 1) {
    const dataDir = join(base, `var-${run}`);
    console.log(`run ${run}/${runs}: cold deploy of v1, pre-build of v2, deploy of v2 …`);
    const cold = await deploy('v1', dataDir);
    if (cold.buildCacheHit !== false) throw new Error('the cold deploy found a cached build: the data directory was not empty');
    const started = performance.now();
    const prebuilt = await prebuildCommit({ config, dataDir }, { project: 'mala-core', ref: 'v2', commit: repo.commits.v2! });
    const prebuildMs = performance.now() - started;
    if (prebuilt.cacheHit) throw new Error('the pre-build of v2 found it built already');
    const warm = await deploy('v2', dataDir);
    if (warm.buildCacheHit !== true) throw new Error('the deploy of the pre-built commit built again');
    if (warm.package?.sha256 !== prebuilt.packageSha256) throw new Error('the deploy shipped another package than the pre-built one');
    const coldBuild = stepMs(cold, 'build');
    const warmBuild = stepMs(warm, 'build');
    ratios.push(warmBuild / coldBuild);
    rows.push([String(run), formatDecimalSize(prebuilt.packageBytes), secs(cold.durationMs), secs(warm.durationMs), secs(coldBuild), secs(prebuildMs), secs(warmBuild), pct(warmBuild / coldBuild)]);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const medianRatio = median(ratios);
  console.log(`\nprebuilt vs cold, ${hostCount} local hosts, --mb ${megabytes} --work ${work}; load ${loadBefore} → ${loadText()}\n`);
  console.log('run | package | cold deploy s | pre-built deploy s | cold build step s | pre-build (after the push) s | pre-built build step s | build step pre-built/cold');
  console.log('--- | ------- | ------------- | ------------------ | ----------------- | ---------------------------- | ---------------------- | -------------------------');
  for (const row of rows) console.log(row.join(' | '));
  console.log(`**median** | | | | | | | ${pct(medianRatio)}`);
  console.log(`\ntarget: pre-built build step ≤ ${pct(TARGET)} of the cold one: ${medianRatio <= TARGET ? 'met' : 'NOT met'}`);
  if (medianRatio > TARGET) process.exitCode = 1;
} finally {
  rmSync(base, { recursive: true, force: true });
}

function deploy(ref: string, dataDir: string): Promise<DeployResult> {
  return runDeploy(deployPlan({ ref, hosts: hostNames }), { config, dataDir, checkpoint: new MemoryCheckpoint() });
}

function stepMs(result: DeployResult, step: StepName): number {
  return result.steps.filter((s) => s.step === step).reduce((sum, s) => sum + s.durationMs, 0);
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

function loadText(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' / ');
}
