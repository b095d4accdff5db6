// Where a commit can be seen in a browser (docs/slack.md "Messages"): derived from the
// project's `repo` when it is a GitHub- or GitLab-style https or SSH URL
// (`https://github.com/org/app.git`, `git@github.com:org/app.git`,
// `ssh://git@gitlab.example.com/group/app.git`), never with credentials; a host named
// `gitlab…` gets GitLab's `/-/commit/` path, any other GitHub's `/commit/`. Pure.

const SCP_LIKE = /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(?!\/)([A-Za-z0-9._~/-]+)$/;
const PATH = /^\/?([A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)+)\/?$/;
const SHA = /^[0-9a-f]{7,64}$/i;

/** The https address of the repository's web page, if `repo` is a URL one can be derived from. */
export function repoWebUrl(repo: string): string | undefined {
  const scp = SCP_LIKE.exec(repo);
  let host: string;
  let path: string;
  if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    let url: URL;
    try {
      url = new URL(repo);
    } catch {
      return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'ssh:') return undefined;
    if (url.protocol === 'https:' && url.port !== '') return undefined;
    host = url.hostname;
    path = decodeURIComponent(url.pathname);
  }
  const match = PATH.exec(path);
  if (!match || !/^[A-Za-z0-9.-]+$/.test(host) || !host.includes('.')) return undefined;
  const segments = match[1]!.replace(/\.git$/, '').split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  return `https://${host.toLowerCase()}/${segments.join('/')}`;
}

/** The web page of `commit` in `repo`, if one can be derived. */
export function commitWebUrl(repo: string, commit: string): string | undefined {
  if (!SHA.test(commit)) return undefined;
  const base = repoWebUrl(repo);
  if (!base) return undefined;
  const gitlab = /^https:\/\/gitlab[.-]/.test(base);
  return `${base}${gitlab ? '/-/commit/' : '/commit/'}${commit.toLowerCase()}`;
}
