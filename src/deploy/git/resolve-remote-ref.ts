// Resolves a ref without changing anything on this machine (for dry-runs): `git ls-remote`
// for tags and branches; a commit SHA is looked up in the project's mirror when one exists.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeploybotError, errorMessage } from '../../core/errors.ts';
import { redactUrlCredentials } from '../../core/redact-url-credentials.ts';
import { byVersionNewestFirst, nearestRefs, unknownRefMessage } from '../../domain/nearest-refs.ts';
import { gitClient } from './git-client.ts';
import { gitRemote } from './remote-credentials.ts';
import { assertRefSyntax } from './ref-syntax.ts';
import { verifyCommit } from './resolve-ref.ts';

export async function resolveRemoteRef(repo: string, ref: string, mirrorDir: string, project = 'the project'): Promise<{ commit: string; kind: 'tag' | 'branch' | 'commit' }> {
  assertRefSyntax(ref);
  const remote = gitRemote(repo);
  const git = gitClient(tmpdir(), undefined, remote.env);
  let listing: string;
  try {
    listing = await git.listRemote(['--tags', '--heads', '--', remote.url]);
  } catch (error) {
    // as in update-mirror.ts: the error itself never holds URL credentials
    const shown = redactUrlCredentials(repo);
    throw new DeploybotError('git_fetch_failed', `cannot list refs of ${shown}: ${redactUrlCredentials(errorMessage(error).trim().split('\n')[0] ?? '')}`, { repo: shown });
  }
  const refs = new Map<string, string>();
  for (const line of listing.split('\n')) {
    const [sha, name] = line.trim().split(/\s+/);
    if (sha && name) refs.set(name, sha);
  }
  const tag = refs.get(`refs/tags/${ref}^{}`) ?? refs.get(`refs/tags/${ref}`);
  if (tag) return { commit: tag, kind: 'tag' };
  const branch = refs.get(`refs/heads/${ref}`);
  if (branch) return { commit: branch, kind: 'branch' };
  if (/^[0-9a-f]{4,40}$/i.test(ref) && existsSync(join(mirrorDir, 'HEAD'))) {
    const commit = await verifyCommit(mirrorDir, `${ref.toLowerCase()}^{commit}`);
    if (commit) return { commit, kind: 'commit' };
  }
  const named = (prefix: string) => [...refs.keys()].filter((name) => name.startsWith(prefix) && !name.endsWith('^{}')).map((name) => name.slice(prefix.length)).sort(byVersionNewestFirst);
  const tags = named('refs/tags/');
  throw new DeploybotError('unknown_ref', unknownRefMessage(project, ref, tags, named('refs/heads/')), { ref, closest: nearestRefs(ref, tags) });
}
