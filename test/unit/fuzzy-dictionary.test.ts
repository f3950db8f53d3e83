import SearchableMap from 'minisearch/SearchableMap';
import { describe, expect, it } from 'vitest';
import { FuzzyDictionary } from '../../src/adapters/minisearch/fuzzy-dictionary.js';

/** A deterministic vocabulary of look-alike words (few letters, so many are a few edits apart). */
function vocabulary(n: number, seed = 7): string[] {
  let x = seed;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  const letters = 'aeinorst_$01ü';
  const words = new Set<string>();
  while (words.size < n) {
    const length = 1 + (next() % 12);
    let w = '';
    for (let i = 0; i < length; i++) w += letters[next() % letters.length];
    words.add(w);
  }
  return [...words];
}

describe('FuzzyDictionary', () => {
  const terms = vocabulary(3000);
  const tree = new SearchableMap<number>();
  for (const [id, t] of terms.entries()) tree.set(t, id);
  const fuzzy = new FuzzyDictionary(terms);
  const sorted = (m: Map<string, [number, number]>) =>
    [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  it('finds exactly the terms, ids and distances that the radix tree (SearchableMap.fuzzyGet) finds', () => {
    const words = [...vocabulary(200, 99), ...terms.slice(0, 50), 'stream', '', 'zzzzzzzzzzzzzzzz'];
    let found = 0;
    for (const word of words)
      for (const d of [1, 2, 3, 6]) {
        const expected = sorted(tree.fuzzyGet(word, d));
        found += expected.length;
        expect([word, d, sorted(fuzzy.fuzzyGet(word, d))]).toEqual([word, d, expected]);
      }
    // The check means something only if many words have matches.
    expect(found).toBeGreaterThan(1000);
  });
});
