// ref → commit SHA in a project's mirror: a tag, then a branch, then a (possibly short)
// commit SHA. An unknown ref fails naming the nearest tags and branches, newest first.
import { DeploybotError } from '../../core/errors.ts';
import { nearestRefs, unknownRefMessage } from '../../domain/nearest-refs.ts';
import { gitClient } from './git-client.ts';
import { gitFailed } from './git-failed.ts';
import { assertRefSyntax } from './ref-syntax.ts';

export interface ResolvedRef {
  commit: string;
  kind: 'tag' | 'branch' | 'commit';
  /** Committer time, Unix seconds (packages use it as their files' mtime). */
  commitTime: number;
}

export async function resolveRef(mirrorDir: string, ref: string, project = 'the project'): Promise<ResolvedRef> {
  assertRefSyntax(ref);
  const git = gitClient(mirrorDir);
  const candidates: [ResolvedRef['kind'], string][] = [
    ['tag', `refs/tags/${ref}`],
    ['branch', `refs/heads/${ref}`],
  ];
  if (/^[0-9a-f]{4,40}$/i.test(ref)) candidates.push(['commit', ref.toLowerCase()]);
  for (const [kind, name] of candidates) {
    const commit = await verifyCommit(mirrorDir, `${name}^{commit}`);
    if (commit) return { commit, kind, commitTime: await commitTime(mirrorDir, commit) };
  }
  // newest first; the last --sort is the first key (refs made in the same second: by version)
  const names = async (date: string, prefix: string) => (await git.raw(['for-each-ref', '--sort=-version:refname', `--sort=-${date}`, '--format=%(refname:short)', prefix])).split('\n').filter(Boolean);
  const tags = await names('creatordate', 'refs/tags');
  const branches = await names('committerdate', 'refs/heads');
  throw new DeploybotError('unknown_ref', unknownRefMessage(project, ref, tags, branches), { ref, closest: nearestRefs(ref, tags) });
}

/**
 * The full SHA when `revision` (`<name>^{commit}`) names a commit in the mirror; undefined when
 * it names none; `git_failed` when git could not tell — git missing, no mirror, or a name whose
 * object the mirror lacks (corrupt), which is never reported as "no such ref".
 */
export async function verifyCommit(mirrorDir: string, revision: string): Promise<string | undefined> {
  const what = `looking up ${JSON.stringify(revision.slice(0, 80))} in the mirror ${mirrorDir}`;
  const attempt = async (args: string[]): Promise<string> => {
    try {
      return (await gitClient(mirrorDir).raw(args)).trim();
    } catch (error) {
      throw gitFailed(what, error);
    }
  };
  // --quiet: a revision that names nothing exits 1 with nothing on stderr, which simple-git resolves as ''
  const out = await attempt(['rev-parse', '--verify', '--quiet', '--end-of-options', revision]);
  if (/^[0-9a-f]{40}$/.test(out)) return out;
  const name = revision.replace(/\^\{commit\}$/, '');
  const object = await attempt(['rev-parse', '--verify', '--quiet', '--end-of-options', name]);
  if (!/^[0-9a-f]{40}$/.test(object)) return undefined;
  // the name exists but did not peel to a commit: absent only if its object is there (a tag of a tree)
  await attempt(['cat-file', '-t', object]);
  return undefined;
}

/** The commit's subject line (the deploy page's header shows it). */
export async function commitSubject(mirrorDir: string, commit: string): Promise<string> {
  return (await gitClient(mirrorDir).raw(['log', '-1', '--format=%s', '--end-of-options', commit, '--'])).trim();
}

export async function commitTime(mirrorDir: string, commit: string): Promise<number> {
  const out = (await gitClient(mirrorDir).raw(['log', '-1', '--format=%ct', '--end-of-options', commit, '--'])).trim();
  return Number(out);
}
