/**
 * The terms within an edit distance of a word: the same answer as MiniSearch's
 * SearchableMap.fuzzyGet (every term at Levenshtein distance ≤ d, with that distance), found
 * without walking the radix tree. That walk visits every node whose prefix is within d edits of
 * some prefix of the word; for a word the corpus does not have (the only words searched fuzzily)
 * at 190k terms that was tens of milliseconds, and a query's p99.
 *
 * Here terms are grouped by length (a term of another length by more than d cannot match) and
 * each carries a 32-bit set of the characters it has (hashed to 32 bits): one edit adds at most one
 * member and removes at most one, so two words whose sets differ in more than 2d members are more
 * than d edits apart. Likewise for the set of its bigrams (adjacent pairs, hashed to 32 bits): one
 * edit removes at most two and adds at most two, so more than 4d differing members means more
 * than d edits. Only the few terms that pass these checks get a banded Levenshtein, which gives up
 * as soon as a row exceeds d. (Both sets are necessary conditions: the answer is unchanged.)
 */
export class FuzzyDictionary {
  /** Term ids by length: byLength[L] lists the ids of the terms of length L. */
  private readonly byLength: Int32Array[];
  private readonly signatures: Uint32Array;
  private readonly bigrams: Uint32Array;
  private row = new Uint8Array(0);
  private prev = new Uint8Array(0);

  constructor(private readonly terms: readonly string[]) {
    const counts: number[] = [];
    this.signatures = new Uint32Array(terms.length);
    this.bigrams = new Uint32Array(terms.length);
    for (let t = 0; t < terms.length; t++) {
      const term = terms[t] as string;
      counts[term.length] = (counts[term.length] ?? 0) + 1;
      this.signatures[t] = signatureOf(term);
      this.bigrams[t] = bigramsOf(term);
    }
    this.byLength = Array.from({ length: counts.length }, (_, L) => new Int32Array(counts[L] ?? 0));
    const fill = new Array<number>(counts.length).fill(0);
    for (let t = 0; t < terms.length; t++) {
      const L = (terms[t] as string).length;
      const at = fill[L] as number;
      fill[L] = at + 1;
      (this.byLength[L] as Int32Array)[at] = t;
    }
  }

  /** Each term at edit distance ≤ maxDistance from `word`: term → [its id, its distance]. */
  fuzzyGet(word: string, maxDistance: number): Map<string, [number, number]> {
    const out = new Map<string, [number, number]>();
    const d = maxDistance;
    const signature = signatureOf(word);
    const bigrams = bigramsOf(word);
    const from = Math.max(0, word.length - d);
    const to = Math.min(this.byLength.length - 1, word.length + d);
    if (this.row.length < word.length + 1) {
      this.row = new Uint8Array(word.length + 1);
      this.prev = new Uint8Array(word.length + 1);
    }
    for (let L = from; L <= to; L++) {
      const ids = this.byLength[L] as Int32Array;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as number;
        if (popcount(signature ^ (this.signatures[id] as number)) > 2 * d) continue;
        if (popcount(bigrams ^ (this.bigrams[id] as number)) > 4 * d) continue;
        const term = this.terms[id] as string;
        const distance = this.distance(word, term, d);
        if (distance <= d) out.set(term, [id, distance]);
      }
    }
    return out;
  }

  /** Levenshtein distance of a and b when ≤ max; otherwise some number > max. */
  private distance(a: string, b: string, max: number): number {
    const n = a.length;
    let prev = this.prev;
    let row = this.row;
    const cap = Math.min(255, max + 1);
    for (let j = 0; j <= n; j++) prev[j] = Math.min(j, cap);
    for (let i = 1; i <= b.length; i++) {
      const c = b.charCodeAt(i - 1);
      row[0] = Math.min(i, cap);
      let least = row[0] as number;
      for (let j = 1; j <= n; j++) {
        const cost = (prev[j - 1] as number) + (a.charCodeAt(j - 1) === c ? 0 : 1);
        const del = (prev[j] as number) + 1;
        const ins = (row[j - 1] as number) + 1;
        let v = Math.min(cost, del);
        if (ins < v) v = ins;
        if (v > cap) v = cap;
        row[j] = v;
        if (v < least) least = v;
      }
      if (least > max) return max + 1;
      const t = prev;
      prev = row;
      row = t;
    }
    return prev[n] as number;
  }
}

/** The characters a word has, each as one of 32 bits. */
function signatureOf(word: string): number {
  let s = 0;
  for (let i = 0; i < word.length; i++) s |= 1 << (word.charCodeAt(i) & 31);
  return s >>> 0;
}

/** The adjacent character pairs a word has, each hashed to one of 32 bits. */
function bigramsOf(word: string): number {
  let s = 0;
  for (let i = 1; i < word.length; i++) {
    const h = Math.imul((word.charCodeAt(i - 1) << 16) ^ word.charCodeAt(i), 0x9e3779b1);
    s |= 1 << (h >>> 27);
  }
  return s >>> 0;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
