// What a ref may look like (SPEC §3). A ref reaches `git` as an argument and, as the
// version, becomes part of file and directory names (`<releasesDir>/<release-id>/`,
// `<project>-<version>-<sha7>.tar.gz`) and ZooKeeper values. So beyond the charset these
// rules keep it from being read as an option (`-x`), an absolute path (`/x`), a path that
// climbs out (`..`), an empty path component (`//`, trailing `/`), a hidden or relative
// component (`.x`, `./`), or a name git itself refuses (`.lock` suffix, trailing `.`).
import { quoteWord } from './quote-word.ts';

export const MAX_REF_LENGTH = 200;
const CHARSET = /^[A-Za-z0-9._/-]+$/;
const NOT_IN_CHARSET = /[^A-Za-z0-9._/-]/u;

/** Why `ref` is refused, or undefined when it is acceptable. */
export function validateRef(ref: string): string | undefined {
  if (ref.length === 0) return 'is empty';
  if (ref.length > MAX_REF_LENGTH) return `is longer than ${MAX_REF_LENGTH} characters`;
  if (!CHARSET.test(ref)) {
    const bad = NOT_IN_CHARSET.exec(ref)?.[0] ?? '?';
    return `character ${quoteWord(bad)} is not allowed (use letters, digits and . _ / -)`;
  }
  if (ref.startsWith('-')) return 'must not start with "-"';
  if (ref.startsWith('/')) return 'must not start with "/"';
  if (ref.endsWith('/')) return 'must not end with "/"';
  if (ref.includes('..')) return 'must not contain ".."';
  if (ref.includes('//')) return 'must not contain "//"';
  if (ref.endsWith('.lock')) return 'must not end with ".lock"';
  if (ref.endsWith('.')) return 'must not end with "."';
  if (ref.split('/').some((part) => part.startsWith('.'))) return 'no part may start with "."';
  return undefined;
}
