import { describe, expect, it } from 'vitest';
import { hashOf, TokenTable } from '../../src/adapters/minisearch/token-table.js';

/** The term numbers a slot holds (see TokenTable.slots). */
function termsAt(table: TokenTable, at: number): number[] {
  const packed = table.slots[at + 3] as number;
  if (packed >= 0) return [packed];
  const from = -packed;
  return [...table.ids.subarray(from, from + (table.ids[from - 1] as number))];
}

describe('TokenTable', () => {
  it('finds a token met before by its place in a text, and makes each entry once', () => {
    const table = new TokenTable();
    const made: string[] = [];
    const terms = (token: string) => {
      made.push(token);
      return token === 'none' ? [] : token === 'two' ? [7, 8] : [made.length];
    };
    const text = 'alpha beta alpha two none beta';
    const at = (start: number, end: number) =>
      table.entry(text, start, end, hashOf(text.slice(start, end)), terms);
    const alpha = at(0, 5);
    expect(at(11, 16)).toBe(alpha);
    expect(at(6, 10)).toBe(at(26, 30));
    expect(termsAt(table, at(17, 20))).toEqual([7, 8]);
    expect(termsAt(table, at(21, 25))).toEqual([]);
    expect(termsAt(table, alpha)).toEqual([1]);
    expect(made).toEqual(['alpha', 'beta', 'two', 'none']);
    expect(table.size).toBe(4);
  });

  it('tells apart tokens with the same hash, long tokens and prefixes, across growth', () => {
    const table = new TokenTable();
    const long = 'x'.repeat(70_000);
    const words = [long, `${long}y`, 'ab', 'abc', 'a', ...Array.from({ length: 5000 }, (_, i) => `w${i}`)];
    const text = words.join(' ');
    const spans: [number, number][] = [];
    let start = 0;
    for (const w of words) {
      spans.push([start, start + w.length]);
      start += w.length + 1;
    }
    // Every token under one hash first (all collide), then the real hashes for the rest.
    const slots = spans.slice(0, 5).map(([s, e]) => table.entry(text, s, e, 42, (t) => [t.length]));
    expect(new Set(slots).size).toBe(5);
    for (const [s, e] of spans.slice(5)) table.entry(text, s, e, hashOf(text.slice(s, e)), () => [0]);
    expect(table.size).toBe(words.length);
    // Met again after the table grew: the same entries, with the terms they were made with.
    spans.slice(0, 5).forEach(([s, e], i) => {
      const at = table.entry(text, s, e, 42, () => {
        throw new Error('made twice');
      });
      expect(termsAt(table, at)).toEqual([words[i]?.length]);
    });
    expect(table.size).toBe(words.length);
  });
});
