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

  it('when a file is read at a crafted commit, then git takes it as a revision, not an option', async () => {
    expect(await readCommitFile(dataDir, 'p', `--output=${join(base, 'pwned')}`, 'app.txt')).toBeUndefined();
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
