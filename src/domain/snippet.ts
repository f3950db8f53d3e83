import type { TextAnalysis } from './text-analysis.js';

/**
 * A short excerpt around the densest cluster of query terms, so a model can pick a result
 * without fetching it. Falls back to the opening of the text.
 */
export function makeSnippet(
  text: string,
  queryTerms: ReadonlySet<string>,
  analysis: Pick<TextAnalysis, 'tokenize' | 'processTerm'>,
  maxChars = 240,
): string {
  return new SnippetMaker(queryTerms, analysis).make(text, maxChars);
}

/**
 * Snippets for one query: each distinct word is analyzed once for all of them (the words of a
 * few sections are mostly the same ones).
 */
export class SnippetMaker {
  /** Each query term as a small number, so a window's distinct terms are counted in an array. */
  private readonly termNumber = new Map<string, number>();
  /** Word → the number of the first query term it yields, or -1. */
  private readonly wordNumber = new Map<string, number>();

  constructor(
    queryTerms: ReadonlySet<string>,
    private readonly analysis: Pick<TextAnalysis, 'tokenize' | 'processTerm'>,
  ) {
    for (const t of queryTerms) this.termNumber.set(t, this.termNumber.size);
  }

  private numberOf(word: string): number {
    let n = this.wordNumber.get(word);
    if (n === undefined) {
      n = -1;
      for (const t of this.analysis.processTerm(word)) {
        const k = this.termNumber.get(t);
        if (k !== undefined) {
          n = k;
          break;
        }
      }
      this.wordNumber.set(word, n);
    }
    return n;
  }

  make(text: string, maxChars = 240): string {
    const flat = text.replace(/\s+/g, ' ').trim();
    if (flat.length <= maxChars) return flat;
    const starts: number[] = [];
    const ends: number[] = [];
    const numbers: number[] = [];
    // Words in order; each one's position is where it next occurs, since only non-word characters
    // lie between two words (cheaper than a match object per word).
    let cursor = 0;
    for (const word of this.analysis.tokenize(flat)) {
      const start = flat.indexOf(word, cursor);
      cursor = start + word.length;
      const n = this.numberOf(word);
      if (n < 0) continue;
      starts.push(start);
      ends.push(cursor);
      numbers.push(n);
    }
    return cut(flat, starts, ends, numbers, this.termNumber.size, maxChars);
  }
}

/** The excerpt of at most maxChars around the densest cluster of hits (start, end, term number). */
function cut(
  flat: string,
  starts: readonly number[],
  ends: readonly number[],
  numbers: readonly number[],
  termCount: number,
  maxChars: number,
): string {
  let bestStart = 0;
  if (starts.length) {
    // The first hit that opens a window of maxChars with the most distinct terms: a window
    // sliding over the hits (ends grow with starts), counting terms in and out.
    const counts = new Int32Array(termCount);
    let best = -1;
    let distinct = 0;
    let j = 0;
    for (let i = 0; i < starts.length; i++) {
      const from = starts[i] as number;
      if (j < i) j = i; // hit i-1 alone was longer than a window: the window is empty
      while (j < starts.length && (ends[j] as number) - from <= maxChars) {
        const n = numbers[j] as number;
        if (counts[n] === 0) distinct++;
        counts[n] = (counts[n] as number) + 1;
        j++;
      }
      if (distinct > best) {
        best = distinct;
        bestStart = from;
      }
      if (j > i) {
        const n = numbers[i] as number;
        counts[n] = (counts[n] as number) - 1;
        if (counts[n] === 0) distinct--;
      }
    }
    // Give the first hit a little leading context, starting on a word boundary.
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
