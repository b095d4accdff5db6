import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeploybotError } from '../core/errors.ts';
import { gitFailed } from '../deploy/git/git-failed.ts';
import { mirrorDirectory } from '../deploy/git/update-mirror.ts';
import { CONFIG_ZOO_MAX_BYTES, parseConfigZoo } from '../domain/config-zoo-problem.ts';
import { isCommitSha } from '../domain/release-value-problem.ts';

const run = promisify(execFile);

/**
 * A file of the project's tree at `commit` (from its mirror), undefined when the tree has no
 * such file; at most `maxBytes`. A git that fails (missing, a corrupt mirror, the commit not in
 * it) is `git_failed`, never "absent".
 */
export async function readCommitFile(dataDir: string, project: string, commit: string, path: string, maxBytes = 1024 * 1024): Promise<string | undefined> {
  // the commit reaches git: only a full SHA
  if (!isCommitSha(commit)) throw new DeploybotError('unknown_commit', `not a commit SHA: ${JSON.stringify(String(commit).slice(0, 80))}`);
  const gitDir = mirrorDirectory(dataDir, project);
  const what = `reading ${path} at ${commit.slice(0, 12)} in the mirror of ${project}`;
  let entry: string;
  try {
    // an absent path lists nothing (exit 0); a bad mirror or commit exits non-zero
    entry = (await run('git', ['--git-dir', gitDir, 'ls-tree', '-z', '--end-of-options', commit, '--', path], { timeout: 10_000 })).stdout;
  } catch (error) {
    throw gitFailed(what, error);
  }
  const blob = /^\d+ blob ([0-9a-f]{40,64})\t/.exec(entry.split('\0')[0] ?? '')?.[1];
  if (!blob) return undefined; // no such path, or a directory or submodule there: no file
  try {
    return (await run('git', ['--git-dir', gitDir, 'cat-file', 'blob', blob], { timeout: 10_000, maxBuffer: maxBytes })).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
      throw new DeploybotError('bad_config_zoo', `${path} is larger than the limit of ${maxBytes} bytes`, { file: path });
    }
    throw gitFailed(what, error);
  }
}

/**
 * `<release>.config.zoo` of the project at `commit` (`deploy/<release>.config.zoo`, else
 * `deploy/config.zoo`), parsed and checked by the same rules as at build time (the build
 * refused a bad one before anything was distributed; this is the record step's own check).
 */
export async function readConfigZoo(dataDir: string, project: string, commit: string, release: string): Promise<Record<string, unknown> | undefined> {
  for (const file of [`deploy/${release}.config.zoo`, 'deploy/config.zoo']) {
    const text = await readCommitFile(dataDir, project, commit, file, CONFIG_ZOO_MAX_BYTES + 1);
    if (text === undefined) continue;
    const parsed = parseConfigZoo(text);
    if (!parsed.ok) throw new DeploybotError('bad_config_zoo', `${file} ${parsed.problem}`, { file });
    return parsed.value;
  }
  return undefined;
}

/** A plain tree of the project at `commit` (cached per commit), where the packager runs. */
export async function checkoutCommit(dataDir: string, project: string, commit: string): Promise<string> {
  // the commit names a directory and reaches git: only a full SHA
  if (!isCommitSha(commit)) throw new DeploybotError('unknown_commit', `not a commit SHA: ${JSON.stringify(String(commit).slice(0, 80))}`);
  const dir = join(dataDir, 'trees', project, commit);
  if (existsSync(dir)) return dir;
  const partial = `${dir}.partial-${process.pid}-${randomUUID()}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await run('sh', ['-c', 'git --git-dir "$1" archive --format=tar --end-of-options "$2" | tar -x -C "$3"', 'sh', mirrorDirectory(dataDir, project), commit, partial], { timeout: 120_000 });
  await rename(partial, dir).catch(async (error) => {
    if (!existsSync(dir)) throw error;
    await rm(partial, { recursive: true, force: true });
  });
  return dir;
}
