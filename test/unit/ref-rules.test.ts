import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertRefSyntax } from '../../src/deploy/git/ref-syntax.ts';
import { MAX_REF_LENGTH, refProblem } from '../../src/domain/ref-rules.ts';
import { DeploybotError } from '../../src/core/errors.ts';

// The rule written out a second way: git check-ref-format's rules within the product charset.
function refAcceptable(ref: string): boolean {
  if (ref.length === 0 || ref.length > MAX_REF_LENGTH) return false;
  if (!/^[A-Za-z0-9._/-]+$/.test(ref)) return false;
  if (ref.startsWith('-') || ref.endsWith('.')) return false;
  if (ref.includes('..')) return false;
  // a leading or trailing '/' and '//' are empty parts
  return ref.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.endsWith('.lock'));
}

const refLike = fc.stringMatching(/^[A-Za-z0-9._/\-;@ ]{0,16}$/);
const withLock = fc.tuple(refLike, fc.constantFrom('.lock', '.lock/x', '/.x', '/x.lock', '..', './')).map(([a, b]) => a + b);

describe('ref rules: one rule for the command parser and the git layer', () => {
  it('when any ref is checked, then it is refused exactly when git or the charset would refuse it', () => {
    fc.assert(fc.property(fc.oneof(refLike, withLock), (ref) => {
      expect(refProblem(ref) === undefined).toBe(refAcceptable(ref));
    }), { numRuns: 5000 });
  });

  it('when the git layer checks a ref, then it refuses exactly what the parser refuses', () => {
    fc.assert(fc.property(fc.oneof(refLike, withLock), (ref) => {
      let thrown: unknown;
      try {
        assertRefSyntax(ref);
      } catch (error) {
        thrown = error;
      }
      expect(thrown === undefined).toBe(refProblem(ref) === undefined);
      if (thrown !== undefined) expect(thrown).toBeInstanceOf(DeploybotError);
    }), { numRuns: 2000 });
  });

  // The differences the two former validators had (src/core/validate-ref.ts accepted none of
  // these that the git layer's src/deploy/git/ref-syntax.ts accepted, or both accepted them).
  it.each([
    ['.hidden', 'no part may start with "."'],
    ['a/.git', 'no part may start with "."'],
    ['./x', 'no part may start with "."'],
    ['a.lock/b', 'no part may end with ".lock"'],
    ['feature/x.lock/y', 'no part may end with ".lock"'],
  ])('when the ref is %j, then both layers refuse it', (ref, why) => {
    expect(refProblem(ref)).toBe(why);
    expect(() => assertRefSyntax(ref)).toThrow(why);
  });

  it('when a ref is 200 characters of the charset, then it is accepted; 201 is not', () => {
    expect(refProblem('a'.repeat(MAX_REF_LENGTH))).toBeUndefined();
    expect(refProblem('a'.repeat(MAX_REF_LENGTH + 1))).toBe('is longer than 200 characters');
  });
});
