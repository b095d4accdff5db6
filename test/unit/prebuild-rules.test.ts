// The pure rules of builds made ahead, property-tested: one spelling per repository URL
// (src/domain/repository-url.ts), which pushed refs are built (src/domain/prebuild-refs.ts),
// the forges' signatures (src/http/verify-git-signature.ts) and push shapes
// (src/http/parse-push-event.ts).
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.ts';
import { isPrebuilt, pushedRef } from '../../src/domain/prebuild-refs.ts';
import { refProblem } from '../../src/domain/ref-rules.ts';
import { normalizeRepositoryUrl } from '../../src/domain/repository-url.ts';
import { gitProviderOf, parsePushEvent } from '../../src/http/parse-push-event.ts';
import { verifyGitSignature } from '../../src/http/verify-git-signature.ts';
import { githubPush, giteaPush, gitlabPush } from '../fixtures/push-events.ts';

const label = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,14}$/);
const host = fc.tuple(label, fc.constantFrom('com', 'org', 'example', 'internal')).map(([a, b]) => `${a}.${b}`);
const segment = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/).filter((s) => !s.endsWith('.git') && !s.endsWith('.'));
const repoPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));

/** Every way a forge or a config spells one remote repository. */
function spellings(h: string, path: string, port: number): string[] {
  const upper = (s: string) => s.toUpperCase();
  return [
    `https://${h}/${path}.git`,
    `https://${h}/${path}`,
    `https://${h}/${path}/`,
    `https://deploy:s3cret@${h}/${path}.git`,
    `http://${upper(h)}:${port}/${path}.git`,
    `git@${h}:${path}.git`,
    `git@${h}:${path}`,
    `ssh://git@${h}:${port}/${path}.git`,
    `ssh://${h}/${path}`,
    `git://${h}/${upper(path)}.git`,
  ];
}

describe('repository URLs', () => {
  it('when one repository is spelt as https, ssh, scp-like or git URL, with or without user, port, .git or /, then all normalise alike', () => {
    fc.assert(fc.property(host, repoPath, fc.integer({ min: 1, max: 65535 }), (h, path, port) => {
      const forms = new Set(spellings(h, path, port).map(normalizeRepositoryUrl));
      expect([...forms]).toEqual([`${h}/${path.toLowerCase()}`]);
    }));
  });

  it('when two repositories differ in host or path, then they never normalise alike', () => {
    fc.assert(fc.property(host, repoPath, host, repoPath, (h1, p1, h2, p2) => {
      fc.pre(h1 !== h2 || p1.toLowerCase() !== p2.toLowerCase());
      expect(normalizeRepositoryUrl(`https://${h1}/${p1}.git`)).not.toBe(normalizeRepositoryUrl(`git@${h2}:${p2}.git`));
    }));
  });

  it('when a repository is a local path, then it matches its file:// URL only, case-sensitively', () => {
    expect(normalizeRepositoryUrl('/srv/git/Mala')).toBe(normalizeRepositoryUrl('file:///srv/git/Mala.git'));
    expect(normalizeRepositoryUrl('/srv/git/Mala')).not.toBe(normalizeRepositoryUrl('/srv/git/mala'));
    expect(normalizeRepositoryUrl('/srv/git/mala')).not.toBe(normalizeRepositoryUrl('https://srv/git/mala'));
  });

  it('when the text is no URL or path, then it has no normal form', () => {
    for (const junk of ['', '   ', 'mala core', 'https://', 'git@host:', 'relative/path']) expect(normalizeRepositoryUrl(junk)).toBeUndefined();
    expect(normalizeRepositoryUrl('/@')).toBe('file:/@');
    expect(normalizeRepositoryUrl('/srv/mala.git/.git')).toBe(normalizeRepositoryUrl('/srv/mala'));
    fc.assert(fc.property(fc.string(), (text) => {
      const normal = normalizeRepositoryUrl(text);
      if (normal === undefined) return;
      expect(normal).not.toMatch(/\s|\.git$|\/$/);
      // no user before the host (a path may hold an @: /srv/@team/mala)
      expect(normal.split('/')[0]).not.toContain('@');
    }));
  });
});

describe('which pushed refs are built ahead', () => {
  const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}(\/[a-z0-9][a-z0-9_-]{0,10}){0,2}$/).filter((n) => refProblem(n) === undefined);

  it('when a branch or tag is pushed, then its short name is what the prebuild globs see', () => {
    fc.assert(fc.property(name, (n) => {
      expect(pushedRef(`refs/heads/${n}`)).toEqual({ kind: 'branch', name: n });
      expect(pushedRef(`refs/tags/${n}`)).toEqual({ kind: 'tag', name: n });
    }));
  });

  it('when anything else is pushed (merge requests, notes, a name the product refuses), then it is never built', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      const ref = pushedRef(text);
      if (ref) expect(refProblem(ref.name)).toBeUndefined();
      if (!text.startsWith('refs/heads/') && !text.startsWith('refs/tags/')) expect(ref).toBeUndefined();
    }));
    for (const other of ['refs/pull/4/head', 'refs/merge-requests/1/head', 'refs/notes/commits', 'refs/heads/../x', 'refs/heads/-x', 'main']) expect(pushedRef(other)).toBeUndefined();
  });

  it('when the project has no prebuild globs, then nothing is built; "v*" builds v-tags and "main" only main', () => {
    fc.assert(fc.property(name, (n) => {
      expect(isPrebuilt({ kind: 'branch', name: n }, [])).toBe(false);
    }));
    expect(isPrebuilt({ kind: 'tag', name: 'v1.3' }, ['main', 'v*'])).toBe(true);
    expect(isPrebuilt({ kind: 'branch', name: 'main' }, ['main', 'v*'])).toBe(true);
    expect(isPrebuilt({ kind: 'branch', name: 'mainline' }, ['main', 'v*'])).toBe(false);
    expect(isPrebuilt({ kind: 'branch', name: 'release/v1' }, ['main', 'v*'])).toBe(false);
  });
});

describe('forge signatures', () => {
  const secret = fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim() === s && s.length > 0);
  const body = fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.from(b));

  it('when a body is signed with the secret, then it verifies; with another secret or another body, it never does', () => {
    fc.assert(fc.property(secret, secret, body, body, (s1, s2, b1, b2) => {
      const hmac = createHmac('sha256', s1).update(b1).digest('hex');
      const key = new Secret(s1, 'GIT_HOOK_SECRET');
      expect(verifyGitSignature('github', key, b1, { 'x-hub-signature-256': `sha256=${hmac}` })).toBe(true);
      expect(verifyGitSignature('gitea', key, b1, { 'x-gitea-signature': hmac.toUpperCase() })).toBe(true);
      expect(verifyGitSignature('gitlab', key, b1, { 'x-gitlab-token': s1 })).toBe(true);
      if (!b1.equals(b2)) expect(verifyGitSignature('github', key, b2, { 'x-hub-signature-256': `sha256=${hmac}` })).toBe(false);
      if (s1 !== s2) {
        expect(verifyGitSignature('gitea', new Secret(s2, 'x'), b1, { 'x-gitea-signature': hmac })).toBe(false);
        expect(verifyGitSignature('gitlab', new Secret(s2, 'x'), b1, { 'x-gitlab-token': s1 })).toBe(false);
      }
      // each forge's own header only: GitHub's form is not Gitea's
      expect(verifyGitSignature('gitea', key, b1, { 'x-gitea-signature': `sha256=${hmac}` })).toBe(false);
      expect(verifyGitSignature('github', key, b1, { 'x-hub-signature-256': hmac })).toBe(false);
    }));
  });
});

describe('push event shapes', () => {
  const after = 'b'.repeat(40);
  it('when Gitea sends its headers (with X-GitHub-Event too), then it is read as Gitea', () => {
    expect(gitProviderOf({ 'x-github-event': 'push', 'x-gitea-event': 'push' })).toEqual({ provider: 'gitea', event: 'push' });
    expect(gitProviderOf({ 'x-gitlab-event': 'Tag Push Hook' })).toEqual({ provider: 'gitlab', event: 'Tag Push Hook' });
    expect(gitProviderOf({ 'x-github-event': 'push' })).toEqual({ provider: 'github', event: 'push' });
    expect(gitProviderOf({ 'x-event': 'push' })).toBeUndefined();
  });

  it('when the documented payloads arrive, then ref, commit and every repository URL are read', () => {
    const spec = { ref: 'refs/tags/v1', after, cloneUrl: 'https://git.example.com/acme/mala-core.git' };
    expect(parsePushEvent('github', githubPush(spec))).toEqual({ ok: true, push: { ref: 'refs/tags/v1', commit: after, repositoryUrls: expect.arrayContaining([spec.cloneUrl, 'git@github.com:acme/mala-core.git']) } });
    expect(parsePushEvent('gitea', giteaPush(spec))).toMatchObject({ ok: true, push: { commit: after, repositoryUrls: expect.arrayContaining([spec.cloneUrl]) } });
    expect(parsePushEvent('gitlab', gitlabPush({ ...spec, tag: true }))).toMatchObject({ ok: true, push: { commit: after, repositoryUrls: expect.arrayContaining([spec.cloneUrl, 'git@gitlab.example.com:acme/mala-core.git']) } });
  });

  it('when a ref is deleted, then there is no commit to build', () => {
    const spec = { ref: 'refs/heads/main', after: '0'.repeat(40), cloneUrl: 'https://x.example/a/b.git' };
    for (const [forge, payload] of [['github', githubPush(spec)], ['gitea', giteaPush(spec)], ['gitlab', gitlabPush(spec)]] as const) {
      expect(parsePushEvent(forge, payload)).toMatchObject({ ok: true, push: { commit: undefined } });
    }
  });

  it('when the JSON is anything but a push, then it is refused with the problems named', () => {
    fc.assert(fc.property(fc.constantFrom('github', 'gitlab', 'gitea' as const), fc.jsonValue(), (forge, json) => {
      const parsed = parsePushEvent(forge, json);
      if (!parsed.ok) expect(parsed.problems.length).toBeGreaterThan(0);
    }));
    expect(parsePushEvent('github', { ref: 'refs/heads/main', after: 'not-a-sha', repository: {} })).toMatchObject({ ok: false });
  });
});
