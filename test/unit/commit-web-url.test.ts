// The link a card gives a commit (src/domain/commit-web-url.ts): derived from GitHub- and
// GitLab-style https and SSH repository URLs, never from anything else, never with credentials.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commitWebUrl, repoWebUrl } from '../../src/domain/commit-web-url.ts';

const SHA = 'abc1234def5678901234567890abcdef12345678';

describe('commit web URL', () => {
  it.each([
    ['https://github.com/acme/mala-core.git', `https://github.com/acme/mala-core/commit/${SHA}`],
    ['https://deploy:s3cret@github.com/acme/mala-core', `https://github.com/acme/mala-core/commit/${SHA}`],
    ['git@github.com:acme/mala-core.git', `https://github.com/acme/mala-core/commit/${SHA}`],
    ['ssh://git@gitlab.example.com/group/sub/mala-core.git', `https://gitlab.example.com/group/sub/mala-core/-/commit/${SHA}`],
    ['ssh://git@git.example.com:2222/acme/mala-core.git', `https://git.example.com/acme/mala-core/commit/${SHA}`],
  ])('when the repo is %s, then the commit links to its web page', (repo, url) => {
    expect(commitWebUrl(repo, SHA)).toBe(url);
  });

  it.each(['/srv/git/mala-core.git', 'file:///srv/git/mala-core', 'http://github.com/acme/app.git', 'https://localhost:8443/acme/app.git', 'git@github.com:/etc/passwd', 'https://github.com/app', 'https://github.com/acme/../x'])(
    'when the repo is %s, then there is no link',
    (repo) => {
      expect(commitWebUrl(repo, SHA)).toBeUndefined();
    },
  );

  it('never gives anything but an https URL without credentials, query or fragment', () => {
    fc.assert(fc.property(fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string(), fc.constantFrom('git@github.com:a/b.git', 'ssh://u:p@h.example/a/b')), (repo) => {
      const url = repoWebUrl(repo);
      if (url === undefined) return;
      const parsed = new URL(url);
      expect(parsed.protocol).toBe('https:');
      expect(parsed.username + parsed.password + parsed.search + parsed.hash).toBe('');
      expect(url).not.toMatch(/[<>|\s]/);
    }));
  });
});
