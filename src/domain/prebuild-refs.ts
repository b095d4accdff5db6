// Which pushed refs are built ahead (docs/configuration.md `prebuild`): a branch
// (`refs/heads/<name>`) or tag (`refs/tags/<name>`) whose short name matches one of the
// project's `prebuild` globs (the glob rules of `allowedRefs`) and is a ref the product
// accepts (ref-rules.ts: it becomes the package's version). Anything else is not built.
import { globMatches } from './ref-allowed.ts';
import { refProblem } from './ref-rules.ts';

export interface PushedRef {
  kind: 'branch' | 'tag';
  /** The short name: `main`, `v1.3`. */
  name: string;
}

/** The branch or tag a full ref names, or undefined (notes, merge requests, anything else). */
export function pushedRef(fullRef: string): PushedRef | undefined {
  for (const [prefix, kind] of [['refs/heads/', 'branch'], ['refs/tags/', 'tag']] as const) {
    if (!fullRef.startsWith(prefix)) continue;
    const name = fullRef.slice(prefix.length);
    return refProblem(name) === undefined ? { kind, name } : undefined;
  }
  return undefined;
}

/** Whether a pushed branch or tag is built ahead under these globs (none: nothing is). */
export function isPrebuilt(ref: PushedRef, globs: readonly string[]): boolean {
  return globs.some((glob) => globMatches(glob, ref.name));
}
