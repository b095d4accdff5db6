// Defence in depth behind the checks on read-back state: the git calls that take a value from
// the release store or a deploy record (diff summary, file at a commit, packager tree) never
// let it be read as an option, even if a bad value got that far. Real git, a real mirror.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitsSince } from '../../src/app/commits-since.ts';
import { checkoutCommit, readCommitFile, readConfigZoo } from '../../src/app/read-commit-file.ts';
import { resolveRef, verifyCommit } from '../../src/deploy/git/resolve-ref.ts';
import { mirrorDirectory } from '../../src/deploy/git/update-mirror.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';

let base: string;
let dataDir: string;
let repo: TestRepo;
const pwned = () => readdirSync(base).filter((n) => n.startsWith('pwned'));

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-gitvalues-'));
  repo = makeGitRepo(join(base, 'repo'));
  dataDir = join(base, 'var');
  mkdirSync(join(dataDir, 'mirrors'), { recursive: true });
  execFileSync('git', ['clone', '--quiet', '--mirror', repo.dir, mirrorDirectory(dataDir, 'p')]);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('git with values from state', () => {
  it('when the diff summary gets real commits, then it lists the commits between them', async () => {
    expect(await commitsSince(dataDir, 'p', repo.commits.v1!, repo.commits.v3!)).toEqual([
      `${repo.commits.v3!.slice(0, 7)} release v3`,
      `${repo.commits.v2!.slice(0, 7)} release v2`,
    ]);
  });

  it('when "since" is crafted as an option, then git never runs with it and no file is written', async () => {
    for (const since of [`--output=${join(base, 'pwned')}`, `-o${join(base, 'pwned')}`, 'HEAD~1']) {
      expect(await commitsSince(dataDir, 'p', since, repo.commits.v3!)).toEqual([]);
    }
    expect(pwned()).toEqual([]);
  });

  it('when a file is read at a crafted commit, then it is refused before git sees it', async () => {
    await expect(readCommitFile(dataDir, 'p', `--output=${join(base, 'pwned')}`, 'app.txt')).rejects.toThrow(/not a commit SHA/);
    expect(pwned()).toEqual([]);
    expect(await readCommitFile(dataDir, 'p', repo.commits.v2!, 'app.txt')).toBe('app v2\n');
    expect(await readConfigZoo(dataDir, 'p', repo.commits.v2!, 'production')).toEqual({ global_url: 'https://example.test/mala', sections: ['s1'] });
  });

  it('when the packager tree is asked for a commit that is no SHA, then it is refused before git or the file system see it', async () => {
    await expect(checkoutCommit(dataDir, 'p', '../../../pwned')).rejects.toThrow(/not a commit SHA/);
    await expect(checkoutCommit(dataDir, 'p', `--output=${join(base, 'pwned')}`)).rejects.toThrow(/not a commit SHA/);
    expect(pwned()).toEqual([]);
  });
});

// "not there" and "git failed" are different answers (docs/operations.md, "Error references"):
// a corrupt mirror or a missing git is reported as a git failure, never as an absent file, ref
// or commit.
describe('git that fails', () => {
  /** A copy of the mirror with its objects gone, as a disk fault or an interrupted gc leaves it; refs still name them. */
  const corruptMirror = (project: string) => {
    execFileSync('git', ['clone', '--quiet', '--mirror', repo.dir, mirrorDirectory(dataDir, project)]);
    const objects = join(mirrorDirectory(dataDir, project), 'objects');
    for (const entry of readdirSync(objects)) if (entry !== 'info') rmSync(join(objects, entry), { recursive: true, force: true });
  };

  it('when a file exists, is absent or is read from a corrupt mirror, then the answers are the file, undefined and git_failed', async () => {
    corruptMirror('broken-file');
    expect(await readCommitFile(dataDir, 'p', repo.commits.v2!, 'app.txt')).toBe('app v2\n');
    expect(await readCommitFile(dataDir, 'p', repo.commits.v2!, 'deploy/no-such.config.zoo')).toBeUndefined();
    await expect(readCommitFile(dataDir, 'broken-file', repo.commits.v2!, 'app.txt')).rejects.toMatchObject({ code: 'git_failed', message: expect.stringMatching(/^git failed reading app\.txt/) });
    await expect(readConfigZoo(dataDir, 'broken-file', repo.commits.v2!, 'production')).rejects.toMatchObject({ code: 'git_failed' });
  });

  it('when git is missing from PATH, then reading a file at a commit is git_failed, not absent', async () => {
    const path = process.env.PATH;
    process.env.PATH = join(base, 'no-binaries-here');
    try {
      await expect(readCommitFile(dataDir, 'p', repo.commits.v2!, 'app.txt')).rejects.toMatchObject({ code: 'git_failed', message: expect.stringContaining('ENOENT') });
      await expect(commitsSince(dataDir, 'p', repo.commits.v1!, repo.commits.v3!)).rejects.toMatchObject({ code: 'git_failed' });
    } finally {
      process.env.PATH = path;
    }
  });

  it('when the diff summary starts from a commit the mirror lacks, then it is empty; from a corrupt mirror, git_failed', async () => {
    corruptMirror('broken-log');
    expect(await commitsSince(dataDir, 'p', 'f'.repeat(40), repo.commits.v3!)).toEqual([]);
    await expect(commitsSince(dataDir, 'broken-log', repo.commits.v1!, repo.commits.v3!)).rejects.toMatchObject({ code: 'git_failed' });
  });

  it('when a tag is resolved in a corrupt mirror, then it is git_failed, not "no tag"; an unknown tag in a sound mirror is unknown_ref', async () => {
    corruptMirror('broken-ref');
    expect((await resolveRef(mirrorDirectory(dataDir, 'p'), 'v2')).commit).toBe(repo.commits.v2);
    await expect(resolveRef(mirrorDirectory(dataDir, 'p'), 'v9')).rejects.toMatchObject({ code: 'unknown_ref' });
    await expect(resolveRef(mirrorDirectory(dataDir, 'broken-ref'), 'v2')).rejects.toMatchObject({ code: 'git_failed' });
    await expect(verifyCommit(join(base, 'no-mirror-here'), 'v2^{commit}')).rejects.toMatchObject({ code: 'git_failed' });
  });
});
