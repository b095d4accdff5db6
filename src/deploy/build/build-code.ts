// Build once (docs/reference/deploy-lifecycle.md step 4): beforeDownload hook in the (empty) build directory, checkout
// of the commit, afterDownload hook, the build command. The result is cached under
// `<artifacts>/builds/<project>/<build-id>/` (artifacts-directory.ts); `build.json` marks it
// complete. A build is made under a temporary name and renamed into place, so a killed
// worker leaves no half-build; workers sharing the artifacts directory build it once
// (claim-once.ts: the first to claim it builds, the others wait and use it).
// Hooks and build command are repository code: they run in the project's sandbox, which
// sees the build directory as `/build` and nothing else of the data directory. The
// checkout is a plain tree without `.git` (docs/operations.md): a `.git` would have to
// point into the mirror, which the sandbox must not see.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import type { Redactor } from '../../core/redactor.ts';
import { DeploybotError } from '../../core/errors.ts';
import { minimalEnvironment } from '../../services/minimal-environment.ts';
import type { RepositorySandbox } from '../repository-sandbox.ts';
import { runLocalProgram } from '../run-local-command.ts';
import type { ScriptResult } from '../command-result.ts';
import { type BuildSettings, buildId } from './build-key.ts';
import { claimOnce } from './claim-once.ts';

export interface CodeBuild {
  id: string;
  dir: string;
  /** The checkout (hooks and build command ran here). */
  sourceDir: string;
  /** What is packaged: the build output, or the checkout itself. */
  treeDir: string;
  commit: string;
  commitTime: number;
  cacheHit: boolean;
}

export interface BuildRequest {
  /** The artifacts directory (artifacts-directory.ts). */
  dataDir: string;
  /** A build claim not refreshed for this long is taken over (`artifacts.staleClaimAfter`). @defaultValue 30 s */
  staleClaimMs?: number;
  mirrorDir: string;
  settings: BuildSettings;
  commitTime: number;
  /** DEPLOY_ID, VERSION … for the hooks and build command. */
  env: Record<string, string>;
  timeoutMs: number;
  redactor: Redactor;
  /** Where the hooks and the build command run (the project's sandbox). */
  sandbox: RepositorySandbox;
  onCommand?: (what: 'beforeDownload' | 'afterDownload' | 'build', result: ScriptResult) => void;
}

interface BuildRecord {
  commit: string;
  commitTime: number;
  output: string | null;
  builtAt: string;
}

export function buildDirectory(dataDir: string, settings: BuildSettings): string {
  return join(dataDir, 'builds', settings.project, buildId(settings));
}

const inFlight = new Map<string, Promise<CodeBuild>>();

/** Builds once: concurrent requests for one build in this process share it; across processes the first rename wins. */
export function buildCode(request: BuildRequest): Promise<CodeBuild> {
  const dir = buildDirectory(request.dataDir, request.settings);
  const running = inFlight.get(dir);
  if (running) return running.then((build) => ({ ...build, cacheHit: true }));
  const work = buildOnce(request, dir).finally(() => inFlight.delete(dir));
  inFlight.set(dir, work);
  return work;
}

async function buildOnce(request: BuildRequest, dir: string): Promise<CodeBuild> {
  const id = buildId(request.settings);
  const cached = await readRecord(dir);
  if (cached) return describe(id, dir, cached, true);
  await mkdir(dirname(dir), { recursive: true });
  const finished = async () => {
    const record = await readRecord(dir);
    return record ? describe(id, dir, record, true) : undefined;
  };
  const { value } = await claimOnce(`${dir}.claim`, { staleMs: request.staleClaimMs ?? 30_000 }, finished, () => makeBuild(request, dir));
  return value;
}

async function makeBuild(request: BuildRequest, dir: string): Promise<CodeBuild> {
  const { settings, sandbox } = request;
  const id = buildId(settings);
  // nothing of the repository runs, and no build directory is made, without a sandbox
  if (settings.beforeDownload !== undefined || settings.afterDownload !== undefined || settings.command !== undefined) await sandbox.ready();
  const temp = `${dir}.tmp-${process.pid}-${randomUUID()}`;
  const source = join(temp, 'src');
  await mkdir(source, { recursive: true });
  try {
    const env = { ...minimalEnvironment(), ...(sandbox.isolated ? { HOME: '/tmp' } : {}), ...request.env };
    const run = async (what: 'beforeDownload' | 'afterDownload' | 'build', script: string | undefined) => {
      if (script === undefined) return;
      const result = await sandbox.runScript(script, { dirs: [{ dir: source, as: '/build' }], cwd: source, env, timeoutMs: request.timeoutMs, redactor: request.redactor });
      request.onCommand?.(what, result);
      if (result.exitCode !== 0) {
        const how = result.timedOut ? `timed out after ${request.timeoutMs} ms` : `exited with ${result.exitCode}`;
        throw new DeploybotError(what === 'build' ? 'build_failed' : 'hook_failed', `${what === 'build' ? 'build command' : `${what} hook`} ${how}`, { hook: what, outputTail: result.outputTail });
      }
    };
    await run('beforeDownload', settings.beforeDownload);
    await checkout(source, join(temp, 'checkout.index'), request.mirrorDir, settings.commit);
    await run('afterDownload', settings.afterDownload);
    await run('build', settings.command);
    const output = settings.output ? outputPath(source, settings.output) : source;
    // the code made the output: a symlink in it would have the bot package whatever it names
    const link = await symlinkOnTheWay(source, output);
    if (link) throw new DeploybotError('bad_build_output', `the build output "${settings.output}" is reached through the symlink "${link}"; build.output must be a real directory inside the build`);
    if (!(await isDirectory(output))) {
      throw new DeploybotError('build_output_missing', `the build did not produce its output directory "${settings.output}"`);
    }
    const record: BuildRecord = { commit: settings.commit, commitTime: request.commitTime, output: settings.output ?? null, builtAt: new Date().toISOString() };
    await writeFile(join(temp, 'build.json'), JSON.stringify(record, null, 2));
    try {
      await rename(temp, dir);
    } catch (error) {
      // another worker finished the same build first: use theirs
      const theirs = await readRecord(dir);
      if (!theirs) throw error;
      await rm(temp, { recursive: true, force: true });
      return describe(id, dir, theirs, true);
    }
    return describe(id, dir, record, false);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Writes the tree of `commit` into the (possibly non-empty: beforeDownload ran there) `dir`
 * as a checkout would (modes, symlinks; a symlink the hook left in the way is replaced, never
 * followed), with no `.git`: the index lives outside `dir`, the objects stay in the mirror.
 */
async function checkout(dir: string, indexFile: string, mirrorDir: string, commit: string): Promise<void> {
  // only a full SHA gets this far: the value never reaches git as an option
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new DeploybotError('unknown_commit', `not a commit SHA: ${JSON.stringify(commit.slice(0, 80))}`);
  const env = { ...minimalEnvironment(), GIT_INDEX_FILE: indexFile, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  for (const args of [['read-tree', commit], ['checkout-index', '--all', '--force']]) {
    const result = await runLocalProgram('git', ['--git-dir', mirrorDir, '--work-tree', dir, ...args], { env, timeoutMs: 300_000 });
    if (result.exitCode !== 0) throw new DeploybotError('checkout_failed', `cannot check out ${commit.slice(0, 12)}: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  }
  await rm(indexFile, { force: true });
}

function outputPath(source: string, output: string): string {
  const path = normalize(join(source, output));
  if (path !== source && !path.startsWith(source + sep)) throw new DeploybotError('bad_build_output', `build.output "${output}" leaves the build directory`);
  return path;
}

/** The first path below `source` on the way to `target` that is a symlink, relative to `source`. */
async function symlinkOnTheWay(source: string, target: string): Promise<string | undefined> {
  let path = source;
  for (const part of target.slice(source.length).split(sep).filter(Boolean)) {
    path = join(path, part);
    const info = await lstat(path).catch(() => undefined);
    if (info?.isSymbolicLink()) return path.slice(source.length + 1);
    if (!info) return undefined;
  }
  return undefined;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function readRecord(dir: string): Promise<BuildRecord | undefined> {
  const file = join(dir, 'build.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as BuildRecord;
}

function describe(id: string, dir: string, record: BuildRecord, cacheHit: boolean): CodeBuild {
  const sourceDir = join(dir, 'src');
  return {
    id,
    dir,
    sourceDir,
    treeDir: record.output ? join(sourceDir, record.output) : sourceDir,
    commit: record.commit,
    commitTime: record.commitTime,
    cacheHit,
  };
}
