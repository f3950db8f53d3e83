import { describe, expect, it } from 'vitest';
import { collapseWhiteSpace, makeSnippet, SnippetMaker, SnippetWords } from '../../src/domain/snippet.js';
import type { TextAnalysis } from '../../src/domain/text-analysis.js';
import { indexTools } from '../fakes/index-tools.js';
import { seededRandom } from '../support/seeded-random.js';

const analysis = indexTools.analysis;

/**
 * The snippet as it was first written (a match object per word, a Set per window): the fast one
 * must pick the same excerpt.
 */
function referenceSnippet(text: string, queryTerms: ReadonlySet<string>, a: TextAnalysis, maxChars = 240) {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= maxChars) return flat;
  const hits: { start: number; end: number; term: string }[] = [];
  for (const m of a.wordsWithPositions(flat)) {
    const matched = a.processTerm(m[0]).find((t) => queryTerms.has(t));
    if (matched) hits.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, term: matched });
  }
  let bestStart = 0;
  if (hits.length) {
    let best = -1;
    for (let i = 0; i < hits.length; i++) {
      const from = hits[i]?.start ?? 0;
      const distinct = new Set<string>();
      for (let j = i; j < hits.length && (hits[j]?.end ?? 0) - from <= maxChars; j++)
        distinct.add(hits[j]?.term ?? '');
      if (distinct.size > best) {
        best = distinct.size;
        bestStart = from;
      }
    }
    bestStart = Math.max(0, bestStart - Math.floor(maxChars / 5));
    if (bestStart > 0) {
      const space = flat.indexOf(' ', bestStart);
      bestStart = space >= 0 ? space + 1 : bestStart;
    }
  }
  let end = Math.min(flat.length, bestStart + maxChars);
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > bestStart) end = space;
  }
  return `${bestStart > 0 ? '…' : ''}${flat.slice(bestStart, end)}${end < flat.length ? '…' : ''}`;
}

describe('SnippetMaker', () => {
  const WORDS = (
    'read reads reading file files readFileSync stream streams buffer UTF-8 encoding the a of to ' +
    'socket timeout setTimeout error errors callback promise worker thread heap memory'
  ).split(' ');
  const text = (seed: number, n: number) => {
    let state = seed;
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      out.push(WORDS[state % WORDS.length] as string);
      if (state % 7 === 0) out.push('\n\n');
    }
    return out.join(' ');
  };
  const queries = [
    'read file',
    'stream buffer',
    'utf-8 encoding',
    'timeout error',
    'zebra',
    'heap memory worker',
  ];

  it('cuts the same excerpt as a plain scan of every word would, query after query', () => {
    const words = new SnippetWords(analysis.processTerm);
    for (const [qi, q] of queries.entries()) {
      const terms = new Set(analysis.analyze(q));
      const maker = new SnippetMaker(terms, words);
      for (let seed = 1; seed < 40; seed++) {
        const t = text(seed * 31 + qi, 20 + seed * 7);
        expect(maker.make(t)).toEqual(referenceSnippet(t, terms, analysis));
        expect(makeSnippet(t, terms, analysis, 120)).toEqual(referenceSnippet(t, terms, analysis, 120));
      }
    }
  });

  it('cuts the same excerpts from texts it has scanned before, for other queries', () => {
    const words = new SnippetWords(analysis.processTerm);
    const texts = Array.from({ length: 12 }, (_, seed) => text(seed * 17 + 3, 60 + seed * 11));
    for (let round = 0; round < 2; round++) {
      for (const q of queries) {
        const terms = new Set(analysis.analyze(q));
        const maker = new SnippetMaker(terms, words);
        for (const t of texts) {
          expect(maker.make(t)).toEqual(referenceSnippet(t, terms, analysis));
          expect(maker.make(t, 100)).toEqual(referenceSnippet(t, terms, analysis, 100));
        }
      }
    }
  });

  it('keeps working when its table of words fills up and starts over', () => {
    const words = new SnippetWords(analysis.processTerm);
    const terms = new Set(analysis.analyze('w7 w99999'));
    const many = Array.from({ length: 200_000 }, (_, i) => `w${i}`).join(' ');
    const maker = new SnippetMaker(terms, words);
    expect(maker.make(many)).toEqual(referenceSnippet(many, terms, analysis));
    expect(maker.make(many)).toContain('w7 ');
    // Texts scanned before the table started over are scanned again, not read with stale word ids.
    const short = text(5, 120);
    const before = maker.make(short);
    maker.make(many);
    const again = new SnippetMaker(new Set(analysis.analyze('heap memory')), words);
    expect(again.make(short)).toEqual(
      referenceSnippet(short, new Set(analysis.analyze('heap memory')), analysis),
    );
    expect(maker.make(short)).toEqual(before);
  });
});

describe('SnippetWords as its table grows', () => {
  it('still knows every word it met before growing (each grow moves every word whole)', () => {
    const words = new SnippetWords(analysis.processTerm);
    // ~20k distinct words: the table (4,096 slots at first, grown at half full) doubles several times.
    const word = (i: number) => `zq${(Math.imul(i, 2654435761) >>> 0).toString(36)}`;
    const texts = Array.from({ length: 40 }, (_, t) =>
      Array.from({ length: 500 }, (_, k) => word(t * 500 + k)).join(' '),
    );
    for (const text of texts)
      new SnippetMaker(new Set([analysis.processTerm(word(0))[0] ?? '']), words).make(text);
    // Then new texts of those words (looked up in the table, not a kept scan), met before the
    // grows: each must still be the word it was, with its terms.
    for (let t = 0; t < texts.length; t += 7) {
      const terms = new Set(
        [word(t * 500 + 450), word(t * 500 + 451)].flatMap((w) => analysis.processTerm(w)),
      );
      const text = (texts[t] as string).split(' ').reverse().join(' ');
      expect(new SnippetMaker(terms, words).make(text)).toBe(referenceSnippet(text, terms, analysis));
    }
  });
});

describe('collapseWhiteSpace', () => {
  it("is text.replace(/\\s+/g, ' ').trim() for any mix of words and white space (Unicode's included)", () => {
    const rand = seededRandom(3);
    // White space as RegExp's \s sees it, and look-alikes that are not (U+180E, U+0085, U+200B).
    const alphabet = [
      ' ',
      ' ',
      ' ',
      '\n',
      '\t',
      '\r',
      '\v',
      '\f',
      '\u00a0',
      '\u1680',
      '\u2000',
      '\u200a',
      '\u2028',
      '\u2029',
      '\u202f',
      '\u205f',
      '\u3000',
      '\ufeff',
      '\u180e',
      '\u0085',
      '\u200b',
      'a',
      'b',
      'word',
      'é',
      '中',
      '\ud83d\ude00',
    ];
    const cases = ['', ' ', '  ', 'a', ' a', 'a ', 'a b', 'a  b', 'a\nb', '\n\na b\n', 'a b c d'];
    for (let i = 0; i < 3000; i++)
      cases.push(
        Array.from(
          { length: Math.floor(rand() * 24) },
          () => alphabet[Math.floor(rand() * alphabet.length)],
        ).join(''),
      );
    for (const text of cases) expect(collapseWhiteSpace(text)).toBe(text.replace(/\s+/g, ' ').trim());
  });

  it('returns the text itself when there is nothing to collapse', () => {
    const text = 'one two three';
    expect(collapseWhiteSpace(text)).toBe(text);
  });
});
