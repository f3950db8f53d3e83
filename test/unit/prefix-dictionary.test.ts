import SearchableMap from 'minisearch/SearchableMap';
import { describe, expect, it } from 'vitest';
import { PrefixDictionary } from '../../src/adapters/minisearch/prefix-dictionary.js';

/** A small deterministic generator (no Math.random: a failure must be reproducible). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function built(terms: readonly string[]): PrefixDictionary {
  const steps = PrefixDictionary.build(terms);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Words over a small alphabet (so they share prefixes and split edges often), surrogates included. */
function words(count: number, seed: number): string[] {
  const random = lcg(seed);
  const alphabet = ['a', 'b', 'c', 'd', 'é', '😀', 'Z'];
  const out = new Set<string>();
  while (out.size < count) {
    let w = '';
    const length = 1 + Math.floor(random() * 7);
    for (let i = 0; i < length; i++) w += alphabet[Math.floor(random() * alphabet.length)];
    out.add(w);
  }
  return [...out];
}

describe('PrefixDictionary', () => {
  it("gives each prefix's terms in the order of MiniSearch's SearchableMap.atPrefix", () => {
    for (const seed of [1, 2, 3]) {
      const terms = words(3000, seed);
      const tree = new SearchableMap<number>();
      for (const [id, term] of terms.entries()) tree.set(term, id);
      const dictionary = built(terms);
      const prefixes = new Set<string>(['', 'zz', 'a\uffff', '\ud83d']);
      for (const term of terms) for (let k = 1; k <= term.length; k++) prefixes.add(term.slice(0, k));
      let nonEmpty = 0;
      for (const prefix of prefixes) {
        const expected = [...tree.atPrefix(prefix)];
        if (expected.length > 1) nonEmpty++;
        expect([...dictionary.atPrefix(prefix)], prefix).toEqual(expected);
      }
      // The comparison met prefixes with many terms, not only single ones.
      expect(nonEmpty).toBeGreaterThan(100);
    }
  });

  it('finds nothing under a prefix no term has, and every term under the empty prefix', () => {
    const dictionary = built(['read', 'readfile', 'readdir', 'write']);
    expect([...dictionary.atPrefix('x')]).toEqual([]);
    expect([...dictionary.atPrefix('readx')]).toEqual([]);
    expect([...dictionary.atPrefix('')].map(([term]) => term).sort()).toEqual([
      'read',
      'readdir',
      'readfile',
      'write',
    ]);
  });
});
