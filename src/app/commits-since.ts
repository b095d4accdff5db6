import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mirrorDirectory } from '../deploy/git/update-mirror.ts';

const run = promisify(execFile);

/** `abc1234 subject` lines of the commits in `commit` that `since` lacks (newest first, at most `limit`). */
export async function commitsSince(dataDir: string, project: string, since: string, commit: string, limit = 10): Promise<string[]> {
  try {
    const { stdout } = await run('git', ['--git-dir', mirrorDirectory(dataDir, project), 'log', '--format=%h %s', `-n${limit + 1}`, `${since}..${commit}`, '--'], { timeout: 10_000 });
    const lines = stdout.split('\n').filter(Boolean);
    return lines.length > limit ? [...lines.slice(0, limit), '…'] : lines;
  } catch {
    return [];
  }
}
