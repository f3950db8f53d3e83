import type { TextAnalysis } from './text-analysis.js';

/**
 * A short excerpt around the densest cluster of query terms, so a model can pick a result
 * without fetching it. Falls back to the opening of the text.
 */
export function makeSnippet(
  text: string,
  queryTerms: ReadonlySet<string>,
  analysis: TextAnalysis,
  maxChars = 240,
): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= maxChars) return flat;
  const hits: { start: number; end: number; term: string }[] = [];
  for (const m of analysis.wordsWithPositions(flat)) {
    const terms = analysis.processTerm(m[0]);
    const matched = terms.find((t) => queryTerms.has(t));
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
