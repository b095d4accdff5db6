// Workers on several machines sharing one `artifacts.dir` (docs/operations.md "Shared
// artifacts"), as separate OS processes with data directories of their own: a commit is
// built once, however many ask at the same moment; a claim left by a worker that died is
// taken over once it is stale; a package is used only after its sha256 is checked.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { prebuildId, type Prebuilt } from '../../src/deploy/build/prebuild-commit.ts';
import { type BuildCounter, startBuildCounter } from '../fixtures/build-counter.ts';
import type { ChildAnswer } from '../fixtures/prebuild-child.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';
import { marketTestConfig } from '../fixtures/market-test-config.ts';

const CHILD = join(import.meta.dirname, '../fixtures/prebuild-child.ts');
let base: string;
let repo: TestRepo;
let config: Config;
let counter: BuildCounter;
const shared = () => join(base, 'shared-artifacts');

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-shared-'));
  repo = makeGitRepo(join(base, 'repo'));
  counter = await startBuildCounter();
  // the build takes a second after it is counted, so the two workers overlap
  config = marketTestConfig(base, repo.dir, { build: { command: `sh build.sh && ${counter.notify} && sleep 1`, output: 'dist' } }, { artifacts: { dir: 'shared-artifacts', staleClaimAfter: '2s' } });
});

afterAll(async () => {
  await counter?.close();
  rmSync(base, { recursive: true, force: true });
});

/** One worker process with a data directory of its own, building `ref`. */
function worker(name: string, ref: string): Promise<Prebuilt> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, config.file, join(base, `var-${name}`), JSON.stringify({ project: 'mala-core', ref })], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      const answer = code === 0 ? (JSON.parse(line) as ChildAnswer) : undefined;
      if (answer && !('error' in answer)) resolve(answer);
      else reject(new Error(`worker ${name} exited ${code}: ${out}`));
    });
  });
}

const builds = () => readdirSync(join(shared(), 'builds', 'mala-core'));

it('when two worker processes sharing one artifacts directory build the same commit at once, then it is built once and both get the same package', async () => {
  const [a, b] = await Promise.all([worker('a', 'v1'), worker('b', 'v1')]);
  expect(counter.count()).toBe(1);
  expect([a.cacheHit, b.cacheHit].sort()).toEqual([false, true]);
  expect(a.commit).toBe(repo.commits.v1);
  expect(b.packageSha256).toBe(a.packageSha256);
  expect(builds()).toEqual([a.buildId]);
  // nothing half-made or claimed is left behind
  const packages = join(shared(), 'packages', 'mala-core', a.buildId, 'production');
  expect(readdirSync(packages).sort()).toEqual([a.packageFile, `${a.packageFile}.sha256`]);
}, 120_000);

it('when a worker died holding the claim of a build, then another takes it over once it is stale and builds it', async () => {
  const id = prebuildId(config, { project: 'mala-core', ref: 'v2', commit: repo.commits.v2! });
  const claim = join(shared(), 'builds', 'mala-core', `${id}.claim`);
  writeFileSync(claim, 'a-worker-that-died\n');
  const before = counter.count();
  const started = Date.now();
  const built = await worker('c', 'v2');
  expect(built).toMatchObject({ buildId: id, cacheHit: false, commit: repo.commits.v2 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  expect(counter.count()).toBe(before + 1);
  expect(builds()).not.toContain(`${id}.claim`);
}, 120_000);

it('when a package in the artifacts directory no longer matches its checksum, then it is not used but made again', async () => {
  const first = await worker('d', 'v1');
  const path = join(shared(), 'packages', 'mala-core', first.buildId, 'production', first.packageFile);
  const good = readFileSync(path);
  const bad = Buffer.from(good);
  const middle = Math.floor(bad.length / 2);
  bad[middle] = (bad[middle] ?? 0) ^ 0xff;
  writeFileSync(path, bad);
  const before = counter.count();
  const again = await worker('e', 'v1');
  expect(again.packageSha256).toBe(first.packageSha256);
  expect(readFileSync(path).equals(good)).toBe(true);
  expect(statSync(path).size).toBe(good.length);
  // the code build was fine: only the package was made again
  expect(again.cacheHit).toBe(true);
  expect(counter.count()).toBe(before);
}, 120_000);
