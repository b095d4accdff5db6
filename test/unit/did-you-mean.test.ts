// "did you mean" for misspelt config keys and names (src/domain/closest-names.ts) and the
// nearest refs to an unknown one (src/domain/nearest-refs.ts): a typo of
// one character in a name of three or more is suggested back; a name is never suggested to
// itself; nothing far away is suggested.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/domain/closest-names.ts';
import { byVersionNewestFirst, nearestRefs } from '../../src/domain/nearest-refs.ts';

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

describe('nearestRefs', () => {
  it('keeps the given newest-first order, and no unchosen name is nearer than a chosen one', () => {
    fc.assert(fc.property(word, fc.uniqueArray(word, { maxLength: 12 }), fc.integer({ min: 1, max: 5 }), (ref, names, count) => {
      const chosen = nearestRefs(ref, names, count);
      expect(chosen.length).toBe(Math.min(count, names.length));
      expect(chosen).toEqual(names.filter((name) => chosen.includes(name)));
      const worst = Math.max(-1, ...chosen.map((name) => editDistance(ref, name)));
      for (const name of names.filter((n) => !chosen.includes(n))) expect(editDistance(ref, name)).toBeGreaterThanOrEqual(worst);
    }));
  });

  it('orders version names without dates newest first, numbers compared as numbers', () => {
    expect(['v1.9', 'v1.10', 'v2', 'v1.2'].sort(byVersionNewestFirst)).toEqual(['v2', 'v1.10', 'v1.9', 'v1.2']);
    expect(nearestRefs('v1.41', ['v2', 'v1.4.1', 'v1.4.0', 'v1.3'])).toEqual(['v1.4.1', 'v1.4.0', 'v1.3']);
  });
});
