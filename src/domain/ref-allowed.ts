// Ref policy of a market (docs/configuration.md, `allowedRefs`): globs over the ref as the
// user typed it. `*` is any run of characters within one path part (it never crosses `/`),
// `**` any run including `/`, `?` one character other than `/`; everything else is literal.
// A bare commit SHA (4–40 hex digits, what resolve would read as a commit) is allowed only
// when the list has the entry `sha`, whatever the globs say. No list: any ref.

export const SHA_ENTRY = 'sha';

/** A ref that resolve may read as a commit SHA. */
export function looksLikeCommitSha(ref: string): boolean {
  return /^[0-9a-f]{4,40}$/i.test(ref);
}

/** Whether `ref` matches the glob `pattern` in full. */
export function globMatches(pattern: string, ref: string): boolean {
  // dynamic programming over (pattern position, ref position); no regular expressions built
  // from user text, and no exponential backtracking
  const tokens = tokenize(pattern);
  let reachable = new Set<number>([0]);
  for (const token of tokens) {
    const next = new Set<number>();
    for (const at of reachable) {
      if (token === '**') {
        for (let end = at; end <= ref.length; end += 1) next.add(end);
      } else if (token === '*') {
        for (let end = at; end <= ref.length; end += 1) {
          next.add(end);
          if (ref[end] === '/') break;
        }
      } else if (token === '?') {
        if (at < ref.length && ref[at] !== '/') next.add(at + 1);
      } else if (ref.startsWith(token, at)) {
        next.add(at + token.length);
      }
    }
    reachable = next;
    if (reachable.size === 0) return false;
  }
  return reachable.has(ref.length);
}

/** Whether a market with `allowed` (undefined: no policy) accepts `ref`. */
export function refAllowed(ref: string, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true;
  if (looksLikeCommitSha(ref)) return allowed.includes(SHA_ENTRY);
  return allowed.some((pattern) => pattern !== SHA_ENTRY && globMatches(pattern, ref));
}

function tokenize(pattern: string): string[] {
  const tokens: string[] = [];
  let literal = '';
  const flush = () => {
    if (literal) tokens.push(literal);
    literal = '';
  };
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '*') {
      flush();
      const double = pattern[i + 1] === '*';
      if (double) i += 1;
      while (pattern[i + 1] === '*') i += 1;
      tokens.push(double ? '**' : '*');
    } else if (c === '?') {
      flush();
      tokens.push('?');
    } else {
      literal += c;
    }
  }
  flush();
  return tokens;
}
