import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gitFailed } from '../deploy/git/git-failed.ts';
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
  const gitDir = mirrorDirectory(dataDir, project);
  const what = `listing the commits ${since.slice(0, 12)}..${commit.slice(0, 12)} in the mirror of ${project}`;
  // a `since` the mirror does not have (history rewritten since) leaves nothing to list; a
  // `commit` it lacks (it was just built from this mirror) or a git that fails is git_failed
  // (docs/operations.md, "Error references")
  for (const sha of [commit, since]) {
    const known = await run('git', ['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${sha}^{commit}`], { timeout: 10_000 }).then(
      () => true,
      (error: { code?: unknown; stderr?: string }) => {
        if (error.code === 1 && !error.stderr?.trim()) return false;
        throw gitFailed(what, error);
      },
    );
    if (!known && sha === commit) throw gitFailed(what, `the mirror lacks ${commit}`);
    if (!known) return [];
  }
  try {
    const { stdout } = await run('git', ['--git-dir', gitDir, 'log', '--format=%h %s', `-n${limit + 1}`, '--end-of-options', `${since}..${commit}`, '--'], { timeout: 10_000 });
    const lines = stdout.split('\n').filter(Boolean);
    return lines.length > limit ? [...lines.slice(0, limit), '…'] : lines;
  } catch (error) {
    throw gitFailed(what, error);
  }
}

/**
 * Whether `older` is an ancestor of `newer` in the project's mirror (`git merge-base
 * --is-ancestor`): a deploy of `older` where `newer` runs goes back in history. Unknown
 * commits or a failing git answer false: the card then simply shows no downgrade warning.
 */
export async function isAncestorCommit(dataDir: string, project: string, older: string, newer: string): Promise<boolean> {
  if (!isCommitSha(older) || !isCommitSha(newer) || older === newer) return false;
  const gitDir = mirrorDirectory(dataDir, project);
  return run('git', ['--git-dir', gitDir, 'merge-base', '--is-ancestor', '--end-of-options', older, newer], { timeout: 10_000 }).then(
    () => true,
    () => false,
  );
}
