import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mirrorDirectory } from '../deploy/git/update-mirror.ts';
import { isCommitSha } from '../domain/release-value-problem.ts';

const run = promisify(execFile);

/**
 * `abc1234 subject` lines of the commits in `commit` that `since` lacks (newest first, at most
 * `limit`). `since` comes from the release store: both must be full SHAs, and git is told where
 * its options end, so no stored value is ever read as an option.
 */
export async function commitsSince(dataDir: string, project: string, since: string, commit: string, limit = 10): Promise<string[]> {
  if (!isCommitSha(since) || !isCommitSha(commit)) return [];
  try {
    const { stdout } = await run('git', ['--git-dir', mirrorDirectory(dataDir, project), 'log', '--format=%h %s', `-n${limit + 1}`, '--end-of-options', `${since}..${commit}`, '--'], { timeout: 10_000 });
    const lines = stdout.split('\n').filter(Boolean);
    return lines.length > limit ? [...lines.slice(0, limit), '…'] : lines;
  } catch {
    return [];
  }
}
