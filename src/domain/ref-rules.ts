// What a ref may look like (docs/operations.md, "No shell splicing"): the one rule, used by the command
// parser (src/core/validate-argument.ts) and again by the git layer before git sees a ref
// (src/deploy/git/ref-syntax.ts). A ref reaches `git` as an argument and, as the version,
// becomes part of file and directory names (`<releasesDir>/<release-id>/`,
// `<project>-<version>-<sha7>.tar.gz`) and ZooKeeper values. So it is git's
// check-ref-format rules within the product's charset `[A-Za-z0-9._/-]`: nothing read as an
// option (`-x`), an absolute path (`/x`), a path that climbs out (`..`), an empty path part
// (`//`, trailing `/`), a hidden or relative part (`.x`, `./`), or a name git refuses (a part
// ending in `.lock`, a trailing `.`). `@`, `~`, `^`, `:`, `?`, `*`, `[`, `\`, spaces and
// control characters are outside the charset, which covers git's other rules.

export const MAX_REF_LENGTH = 200;
const CHARSET = /^[A-Za-z0-9._/-]+$/;
const NOT_IN_CHARSET = /[^A-Za-z0-9._/-]/u;

/**
 * Why `ref` is refused, or undefined when it is acceptable. `quote` shows the offending
 * character (the caller knows how its messages quote what the user typed).
 */
export function refProblem(ref: string, quote: (character: string) => string = JSON.stringify): string | undefined {
  if (ref.length === 0) return 'is empty';
  if (ref.length > MAX_REF_LENGTH) return `is longer than ${MAX_REF_LENGTH} characters`;
  if (!CHARSET.test(ref)) {
    const bad = NOT_IN_CHARSET.exec(ref)?.[0] ?? '?';
    return `character ${quote(bad)} is not allowed (use letters, digits and . _ / -)`;
  }
  if (ref.startsWith('-')) return 'must not start with "-"';
  if (ref.startsWith('/')) return 'must not start with "/"';
  if (ref.endsWith('/')) return 'must not end with "/"';
  if (ref.includes('..')) return 'must not contain ".."';
  if (ref.includes('//')) return 'must not contain "//"';
  if (ref.endsWith('.')) return 'must not end with "."';
  const parts = ref.split('/');
  if (parts.some((part) => part.endsWith('.lock'))) return 'no part may end with ".lock"';
  if (parts.some((part) => part.startsWith('.'))) return 'no part may start with "."';
  return undefined;
}
