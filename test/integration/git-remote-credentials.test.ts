// A repo URL with credentials (`https://user:token@host/x.git`): git gets them for its
// fetches, but no file under the data directory holds them — not the mirror's git config,
// not anything else (docs/operations.md, "What is redacted").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRemoteRef } from '../../src/deploy/git/resolve-remote-ref.ts';
import { mirrorDirectory, updateMirror } from '../../src/deploy/git/update-mirror.ts';
import { startGitHttpServer, type GitHttpServer } from '../fakes/git-http-server.ts';
import { makeGitRepo, type TestRepo } from '../fixtures/make-git-repo.ts';

let base: string;
let server: GitHttpServer;
let repo: TestRepo;
const password = `tok-${Math.random().toString(36).slice(2)}-${Date.now()}`;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-gitcred-'));
  repo = makeGitRepo(join(base, 'served', 'work'));
  execFileSync('git', ['clone', '--quiet', '--bare', repo.dir, join(base, 'served', 'x.git')]);
  server = await startGitHttpServer(join(base, 'served'), { user: 'ci', password });
});

afterAll(async () => {
  await server?.close();
  rmSync(base, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false }).map((name) => join(dir, String(name))).filter((path) => statSync(path).isFile());
}

describe('repo URL credentials', () => {
  it('when the mirror is cloned and fetched with a credentialed URL, then git authenticates and no file under the data dir holds the credentials', async () => {
    const dataDir = join(base, 'var');
    const url = `http://ci:${password}@127.0.0.1:${server.port}/x.git`;
    const mirror = await updateMirror(dataDir, 'p', url);
    await updateMirror(dataDir, 'p', url); // the fetch path, with an existing mirror
    expect(mirror).toBe(mirrorDirectory(dataDir, 'p'));
    expect(execFileSync('git', ['--git-dir', mirror, 'rev-parse', 'v2^{commit}']).toString().trim()).toBe(repo.commits.v2);
    expect(server.credentialsSeen).toContain(`ci:${password}`);
    expect(execFileSync('git', ['--git-dir', mirror, 'remote', 'get-url', 'origin']).toString().trim()).toBe(`http://127.0.0.1:${server.port}/x.git`);
    for (const file of filesUnder(dataDir)) {
      expect(readFileSync(file).includes(password), file).toBe(false);
    }
    const resolved = await resolveRemoteRef(url, 'v3', mirror);
    expect(resolved).toEqual({ commit: repo.commits.v3, kind: 'tag' });
  });

  it('when the password is wrong, then the fetch fails and the error shows *** instead of the credentials', async () => {
    const url = `http://ci:wrong-${password}@127.0.0.1:${server.port}/x.git`;
    const error = await updateMirror(join(base, 'var2'), 'p', url).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toContain(`http://***@127.0.0.1:${server.port}/x.git`);
    expect(error?.message).not.toContain(password);
  });
});
