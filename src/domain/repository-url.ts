// One spelling per repository (docs/operations.md "Builds made ahead"): push events name a
// repository by its https, ssh and git URLs, the config by whichever one it clones from.
// `https://git.example.com/Acme/Mala.git`, `git@git.example.com:acme/mala`,
// `ssh://git@git.example.com:2222/acme/mala.git/` are all `git.example.com/acme/mala`:
// no scheme, user, password or port, no trailing `/` or `.git`, lower case (GitHub, GitLab
// and Gitea treat paths case-insensitively). A local path (or `file://` URL) stays
// case-sensitive: `file:/srv/git/mala`.

/** The canonical form of a repository URL or local path; undefined for something that is neither. */
export function normalizeRepositoryUrl(url: string): string | undefined {
  const text = url.trim();
  if (text === '' || text.length > 2000 || /\s/.test(text)) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(text);
  if (scheme) {
    const kind = scheme[1]!.toLowerCase();
    const rest = scheme[2]!;
    if (kind === 'file') return localPath(rest.startsWith('/') ? rest : `/${rest}`);
    const slash = rest.indexOf('/');
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    const path = slash === -1 ? '' : rest.slice(slash);
    const host = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '').toLowerCase();
    return remote(host, path);
  }
  if (text.startsWith('/')) return localPath(text);
  // scp-like: [user@]host:path
  const scp = /^(?:[^@/:]+@)?([^/:@]+):(.+)$/.exec(text);
  if (scp) return remote(scp[1]!.toLowerCase(), scp[2]!);
  return undefined;
}

function remote(host: string, path: string): string | undefined {
  const trimmed = trimPath(path).toLowerCase();
  if (host === '' || trimmed === '') return undefined;
  return `${host}/${trimmed}`;
}

function localPath(path: string): string | undefined {
  const trimmed = trimPath(path);
  return trimmed === '' ? undefined : `file:/${trimmed}`;
}

function trimPath(path: string): string {
  let p = path.replace(/\/{2,}/g, '/').replace(/^\/+/, '').replace(/\/+$/, '');
  // `x.git`, `x/.git` and `x.git/.git` are all the repository x
  while (p.endsWith('.git')) p = p.slice(0, -4).replace(/\/+$/, '');
  return p;
}
