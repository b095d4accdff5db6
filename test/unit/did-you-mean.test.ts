// "did you mean" for misspelt config keys and names (src/domain/closest-names.ts): a typo of
// one character in a name of three or more is suggested back; a name is never suggested to
// itself; nothing far away is suggested.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/domain/closest-names.ts';

const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnop-'.split('')), minLength: 3, maxLength: 16 });

describe('didYouMean', () => {
  it('when a name is one character off a candidate, then a candidate that near is suggested', () => {
    fc.assert(fc.property(word, fc.nat(), fc.constantFrom(...'xyz'.split('')), fc.array(word, { maxLength: 5 }), (candidate, at, typo, others) => {
      const i = at % candidate.length;
      const name = `${candidate.slice(0, i)}${typo}${candidate.slice(i + 1)}`;
      const suggestion = /^ \(did you mean "(.*)"\?\)$/.exec(didYouMean(name, [candidate, ...others]))?.[1];
      expect(suggestion).toBeDefined();
      expect(editDistance(name, suggestion!)).toBeLessThanOrEqual(1);
    }));
  });

  it('never suggests the name itself, and says nothing when every candidate is far', () => {
    fc.assert(fc.property(word, fc.array(word, { maxLength: 5 }), (name, others) => {
      expect(didYouMean(name, [name])).toBe('');
      const said = didYouMean(name, others);
      if (said) expect(said).not.toBe(` (did you mean ${JSON.stringify(name)}?)`);
    }));
    expect(didYouMean('production', ['review'])).toBe('');
    expect(didYouMean('hostTimout', ['hostTimeout', 'hookTimeout'])).toBe(' (did you mean "hostTimeout"?)');
  });
});
