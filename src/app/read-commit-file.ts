import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mirrorDirectory } from '../deploy/git/update-mirror.ts';

const run = promisify(execFile);

/** A file of the project's tree at `commit` (from its mirror), undefined when absent. */
export async function readCommitFile(dataDir: string, project: string, commit: string, path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['--git-dir', mirrorDirectory(dataDir, project), 'show', `${commit}:${path}`], { timeout: 10_000, maxBuffer: 1024 * 1024 });
    return stdout;
  } catch {
    return undefined;
  }
}

/** `<release>.config.zoo` of the project at `commit` (SPEC §4: `deploy/<release>.config.zoo`, else `deploy/config.zoo`), parsed. */
export async function readConfigZoo(dataDir: string, project: string, commit: string, release: string): Promise<Record<string, unknown> | undefined> {
  const text = (await readCommitFile(dataDir, project, commit, `deploy/${release}.config.zoo`)) ?? (await readCommitFile(dataDir, project, commit, 'deploy/config.zoo'));
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A plain tree of the project at `commit` (cached per commit), where the packager runs. */
export async function checkoutCommit(dataDir: string, project: string, commit: string): Promise<string> {
  const dir = join(dataDir, 'trees', project, commit);
  if (existsSync(dir)) return dir;
  const partial = `${dir}.partial-${process.pid}-${randomUUID()}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await run('sh', ['-c', 'git --git-dir "$1" archive --format=tar "$2" | tar -x -C "$3"', 'sh', mirrorDirectory(dataDir, project), commit, partial], { timeout: 120_000 });
  await rename(partial, dir).catch(async (error) => {
    if (!existsSync(dir)) throw error;
    await rm(partial, { recursive: true, force: true });
  });
  return dir;
}
