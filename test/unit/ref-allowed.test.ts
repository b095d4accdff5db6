// Ref policy (docs/configuration.md, allowedRefs): glob semantics checked against a
// reference model, and the SHA rule, on random refs and patterns.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatches, looksLikeCommitSha, refAllowed, SHA_ENTRY } from '../../src/domain/ref-allowed.ts';

const refChar = fc.constantFrom(...'abvx019._-/'.split(''));
const ref = fc.array(refChar, { minLength: 1, maxLength: 12 }).map((c) => c.join(''));
const patternChar = fc.constantFrom(...'abvx019._-/*?'.split(''));
const pattern = fc.array(patternChar, { minLength: 1, maxLength: 8 }).map((c) => c.join(''));
const namedRef = ref.filter((r) => !looksLikeCommitSha(r));

/** The reference model: a regular expression built from the glob (test-only; the matcher builds none). */
function model(glob: string, value: string): boolean {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      while (glob[i + 1] === '*') i += 1;
      source += '.*';
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.\\^$+(){}[\]|-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(value);
}

describe('globMatches', () => {
  it('agrees with the reference model on random globs and refs', () => {
    fc.assert(fc.property(pattern, ref, (p, r) => globMatches(p, r) === model(p, r)), { numRuns: 3000 });
  });

  it('when a glob has no wildcard, then it matches exactly that ref', () => {
    fc.assert(fc.property(ref, ref, (a, b) => globMatches(a, b) === (a === b)));
  });

  it('when `*` ends a glob, then it matches the prefix plus any one path part, never a deeper path', () => {
    fc.assert(fc.property(ref, ref, (prefix, rest) => {
      const part = rest.replace(/\//g, '');
      expect(globMatches(`${prefix}*`, `${prefix}${part}`)).toBe(true);
      expect(globMatches(`${prefix}*`, `${prefix}${part}/x`)).toBe(false);
      expect(globMatches(`${prefix}**`, `${prefix}${rest}`)).toBe(true);
    }));
  });

  it('matches the examples of the docs', () => {
    expect(globMatches('v*', 'v1.3')).toBe(true);
    expect(globMatches('v*', 'release/v1')).toBe(false);
    expect(globMatches('release/*', 'release/2026-12')).toBe(true);
    expect(globMatches('release/*', 'release/2026/12')).toBe(false);
    expect(globMatches('release/*', 'feature/x')).toBe(false);
    expect(globMatches('v?.?', 'v1.3')).toBe(true);
  });
});

describe('refAllowed', () => {
  it('when no list is configured, then every ref is allowed', () => {
    fc.assert(fc.property(ref, (r) => refAllowed(r, undefined)));
  });

  it('when a ref looks like a commit SHA, then only the `sha` entry allows it, whatever the globs say', () => {
    const sha = fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), { minLength: 4, maxLength: 40 }).map((c) => c.join(''));
    fc.assert(fc.property(sha, fc.array(pattern, { maxLength: 3 }), (s, globs) => {
      expect(refAllowed(s, ['**', '*', ...globs])).toBe(false);
      expect(refAllowed(s, [...globs, SHA_ENTRY])).toBe(true);
    }));
  });

  it('when a named ref is checked, then it is allowed exactly when some glob matches it (`sha` matches no name)', () => {
    fc.assert(fc.property(namedRef, fc.array(pattern, { maxLength: 4 }), fc.boolean(), (r, globs, withSha) => {
      const list = withSha ? [...globs, SHA_ENTRY] : globs;
      expect(refAllowed(r, list)).toBe(globs.some((g) => model(g, r)));
    }));
  });
});
