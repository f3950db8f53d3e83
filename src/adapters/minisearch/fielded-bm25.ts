import SearchableMap from 'minisearch/SearchableMap';
import type {
  SearchIndex,
  SearchIndexBuilder,
  SearchIndexHit,
  SearchIndexSettings,
  SearchOptions,
} from '../../ports/search-engine.js';

/**
 * A fielded BM25+ index in typed arrays: MiniSearch's scoring (the same formula, field boosts,
 * prefix and fuzzy weights and "quality" factor, checked against MiniSearch itself in
 * test/unit/fielded-bm25.test.ts, and against a brute-force BM25 in the SearchEngine contract), stored compactly enough for large corpora.
 *
 * Why not MiniSearch's own index: it keeps a Map per term, per field, per document. At 10k
 * documents (63k sections) that was 62 % of the build time and ~490 MB of heap, and a query made
 * of common words scored 20–30k documents through per-entry objects (p99 36 ms). Here postings are
 * one Int32Array of document numbers and one Uint16Array of term frequencies per field (CSR
 * layout), scored into a reused Float64Array. MiniSearch's radix tree (SearchableMap) still
 * serves the dictionary for prefix and fuzzy look-ups.
 */

export type Bm25Options<F extends string> = SearchIndexSettings<F>;

/** A sealed FieldedBm25 as plain data: what a persisted index stores. */
export interface Bm25Snapshot {
  readonly fields: readonly string[];
  readonly documentCount: number;
  readonly terms: readonly string[];
  readonly offsets: Int32Array;
  readonly postingDocs: Int32Array;
  readonly postingTfs: Uint16Array;
  readonly fieldDf: Int32Array;
  readonly fieldLengths: Int32Array;
  readonly avgFieldLength: Float64Array;
}

/** Distinct terms a query is scored on (one bit each in a 32-bit match set). */
const MAX_QUERY_TERMS = 32;
/** MiniSearch's cap on a fuzzy edit distance. */
const MAX_FUZZY = 6;
/** Term frequencies are stored in 16 bits. */
const MAX_TF = 0xffff;
/** Distinct tokens remembered while building: most repeat; bounded for huge vocabularies. */
const TOKEN_MEMO_MAX = 500_000;

interface TokenTerms {
  readonly ids: readonly number[];
  stamp: number;
}

/** A typed array that grows by doubling: the build does not know posting sizes in advance. */
class Growable<T extends Int32Array | Uint16Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = value;
  }
  grow(min: number): void {
    const next = this.make(Math.max(min, this.data.length * 2));
    next.set(this.data);
    this.data = next;
  }
  trimmed(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

const int32s = (n: number) => new Int32Array(n);
const uint16s = (n: number) => new Uint16Array(n);

export class FieldedBm25<F extends string> implements SearchIndexBuilder<F>, SearchIndex {
  private readonly fieldCount: number;
  private readonly boosts: Float64Array;
  private readonly termIds = new Map<string, number>();
  private termList: string[] = [];
  /** While building: one record per (document, term): the term, and its frequency per field. */
  private staged = {
    term: new Growable(new Int32Array(1024), int32s),
    tf: new Growable(new Uint16Array(1024), uint16s),
  };
  /** While building: frequencies of the current document's terms, per term × field, and which terms it has. */
  private scratchTf = new Uint16Array(0);
  private scratchTerms = new Growable(new Int32Array(256), int32s);
  private docStarts = new Growable(new Int32Array(1024), int32s);
  /** Unique tokens per field per document (MiniSearch's field length), and their running sums. */
  private lengths = new Growable(new Int32Array(1024), int32s);
  private readonly lengthSums: Float64Array;
  /** While building: each token's term numbers, and the last field it was counted in (bounded). */
  private tokenTerms = new Map<string, TokenTerms>();
  private stamp = 0;
  private docCount = 0;
  private sealed = false;

  // After seal():
  /** postings of term t: docs[offsets[t] .. offsets[t+1]), ascending; tfs at the same index × fieldCount. */
  private offsets: Int32Array = new Int32Array(0);
  private postingDocs: Int32Array = new Int32Array(0);
  private postingTfs: Uint16Array = new Uint16Array(0);
  /** Documents with the term per field (BM25's n per field). */
  private fieldDf: Int32Array = new Int32Array(0);
  private avgFieldLength: Float64Array = new Float64Array(0);
  /** Distinct tokens per document × field. */
  private fieldLengths: Int32Array = new Int32Array(0);
  private dictionary = new SearchableMap<number>();
  /** Per query: scores and which query terms matched, reused between queries. */
  private scores = new Float64Array(0);
  private matched = new Uint32Array(0);
  private touched = new Int32Array(0);

  constructor(private readonly options: Bm25Options<F>) {
    this.fieldCount = options.fields.length;
    this.boosts = Float64Array.from(options.fields, (f) => options.boost[f] ?? 1);
    this.lengthSums = new Float64Array(this.fieldCount);
  }

  get documentCount(): number {
    return this.docCount;
  }

  get termCount(): number {
    return this.termList.length;
  }

  /** Documents (any field) that contain a term: 0 for a term the index does not know. */
  documentFrequency(term: string): number {
    const id = this.termIds.get(term);
    if (id === undefined) return 0;
    return this.sealed ? (this.offsets[id + 1] as number) - (this.offsets[id] as number) : 0;
  }

  /** BM25's inverse document frequency of a term over all fields (0 matches give the maximum). */
  idf(term: string): number {
    return bm25Idf(this.docCount, this.documentFrequency(term));
  }

  has(term: string): boolean {
    return this.termIds.has(term);
  }

  /** Adds the next document (numbered from 0 in call order); returns its number. */
  add(fields: Readonly<Record<F, string>>): number {
    if (this.sealed) throw new Error('FieldedBm25: add() after seal()');
    const n = this.fieldCount;
    const touched = this.scratchTerms;
    touched.length = 0;
    for (let f = 0; f < n; f++) {
      const tokens = this.options.tokenize(fields[this.options.fields[f] as F] ?? '');
      // A field's length is its number of distinct tokens (as MiniSearch counts it): each token's
      // entry remembers the last field it was counted in.
      const stamp = ++this.stamp;
      let overflow: Map<string, TokenTerms> | undefined;
      let length = 0;
      for (const token of tokens) {
        let entry = this.tokenTerms.get(token) ?? overflow?.get(token);
        if (!entry) {
          entry = { ids: this.termIdsOf(token), stamp: 0 };
          if (this.tokenTerms.size < TOKEN_MEMO_MAX) this.tokenTerms.set(token, entry);
          else {
            overflow ??= new Map();
            overflow.set(token, entry);
          }
        }
        if (entry.stamp !== stamp) {
          entry.stamp = stamp;
          length++;
        }
        for (const id of entry.ids) {
          const slot = id * n;
          let seen = false;
          for (let g = 0; g < n; g++)
            if (this.scratchTf[slot + g]) {
              seen = true;
              break;
            }
          if (!seen) touched.push(id);
          const at = slot + f;
          if ((this.scratchTf[at] as number) < MAX_TF)
            this.scratchTf[at] = (this.scratchTf[at] as number) + 1;
        }
      }
      this.lengths.push(length);
      this.lengthSums[f] = (this.lengthSums[f] as number) + length;
    }
    this.docStarts.push(this.staged.term.length);
    for (let i = 0; i < touched.length; i++) {
      const id = touched.data[i] as number;
      this.staged.term.push(id);
      const slot = id * n;
      for (let g = 0; g < n; g++) {
        this.staged.tf.push(this.scratchTf[slot + g] as number);
        this.scratchTf[slot + g] = 0;
      }
    }
    return this.docCount++;
  }

  /** The term numbers of a token's terms, numbering new terms as they come. */
  private termIdsOf(token: string): number[] {
    const n = this.fieldCount;
    return this.options.processTerm(token).map((term) => {
      let id = this.termIds.get(term);
      if (id === undefined) {
        id = this.termList.length;
        this.termIds.set(term, id);
        this.termList.push(term);
        if ((id + 1) * n > this.scratchTf.length) {
          const bigger = new Uint16Array(Math.max(1024, this.scratchTf.length * 2));
          bigger.set(this.scratchTf);
          this.scratchTf = bigger;
        }
      }
      return id;
    });
  }

  /** Ends the build: lays the postings out per term. No add() after this. */
  seal(): this {
    if (this.sealed) return this;
    const n = this.fieldCount;
    const terms = this.termList.length;
    const stagedTerms = this.staged.term.trimmed();
    const stagedTfs = this.staged.tf.trimmed();
    const starts = this.docStarts.trimmed();
    const offsets = new Int32Array(terms + 1);
    for (let i = 0; i < stagedTerms.length; i++) {
      const next = (stagedTerms[i] as number) + 1;
      offsets[next] = (offsets[next] as number) + 1;
    }
    for (let t = 0; t < terms; t++) offsets[t + 1] = (offsets[t + 1] as number) + (offsets[t] as number);
    const fill = offsets.slice(0, terms);
    const docs = new Int32Array(stagedTerms.length);
    const tfs = new Uint16Array(stagedTerms.length * n);
    const fieldDf = new Int32Array(terms * n);
    for (let d = 0; d < this.docCount; d++) {
      const end = d + 1 < this.docCount ? (starts[d + 1] as number) : stagedTerms.length;
      for (let i = starts[d] as number; i < end; i++) {
        const t = stagedTerms[i] as number;
        const at = fill[t] as number;
        fill[t] = at + 1;
        docs[at] = d;
        for (let g = 0; g < n; g++) {
          const tf = stagedTfs[i * n + g] as number;
          tfs[at * n + g] = tf;
          if (tf) fieldDf[t * n + g] = (fieldDf[t * n + g] as number) + 1;
        }
      }
    }
    this.offsets = offsets;
    this.postingDocs = docs;
    this.postingTfs = tfs;
    this.fieldDf = fieldDf;
    this.fieldLengths = this.lengths.trimmed().slice();
    this.lengths = new Growable(new Int32Array(0), int32s);
    this.avgFieldLength = Float64Array.from(this.lengthSums, (sum) =>
      this.docCount ? sum / this.docCount : 0,
    );
    this.staged = {
      term: new Growable(new Int32Array(0), int32s),
      tf: new Growable(new Uint16Array(0), uint16s),
    };
    this.scratchTf = new Uint16Array(0);
    this.tokenTerms = new Map();
    this.docStarts = new Growable(new Int32Array(0), int32s);
    return this.ready();
  }

  /** The sealed index as plain data (typed arrays and strings) to persist; see restore(). */
  snapshot(): Bm25Snapshot {
    if (!this.sealed) throw new Error('FieldedBm25: snapshot() before seal()');
    return {
      fields: [...this.options.fields],
      documentCount: this.docCount,
      terms: this.termList,
      offsets: this.offsets,
      postingDocs: this.postingDocs,
      postingTfs: this.postingTfs,
      fieldDf: this.fieldDf,
      fieldLengths: this.fieldLengths,
      avgFieldLength: this.avgFieldLength,
    };
  }

  /**
   * A sealed index from a snapshot, with this build's options (which must name the same fields).
   * Throws on a snapshot whose arrays do not fit together: better a rebuild than wrong scores.
   */
  static restore<F extends string>(options: Bm25Options<F>, snapshot: Bm25Snapshot): FieldedBm25<F> {
    const n = options.fields.length;
    const s = snapshot;
    const entries = s.postingDocs.length;
    const consistent =
      s.fields.join('\0') === options.fields.join('\0') &&
      s.offsets.length === s.terms.length + 1 &&
      s.offsets[s.terms.length] === entries &&
      s.postingTfs.length === entries * n &&
      s.fieldDf.length === s.terms.length * n &&
      s.fieldLengths.length === s.documentCount * n &&
      s.avgFieldLength.length === n;
    if (!consistent) throw new Error('FieldedBm25: the snapshot does not match this index layout');
    const index = new FieldedBm25(options);
    index.docCount = s.documentCount;
    index.termList = [...s.terms];
    for (let id = 0; id < s.terms.length; id++) index.termIds.set(s.terms[id] as string, id);
    index.offsets = s.offsets;
    index.postingDocs = s.postingDocs;
    index.postingTfs = s.postingTfs;
    index.fieldDf = s.fieldDf;
    index.fieldLengths = s.fieldLengths;
    index.lengths = new Growable(new Int32Array(0), int32s);
    index.avgFieldLength = s.avgFieldLength;
    index.staged = {
      term: new Growable(new Int32Array(0), int32s),
      tf: new Growable(new Uint16Array(0), uint16s),
    };
    index.docStarts = new Growable(new Int32Array(0), int32s);
    return index.ready();
  }

  /** The dictionary for prefix/fuzzy look-ups and the per-query buffers; then searchable. */
  private ready(): this {
    for (let t = 0; t < this.termList.length; t++) this.dictionary.set(this.termList[t] as string, t);
    this.scores = new Float64Array(this.docCount);
    this.matched = new Uint32Array(this.docCount);
    this.touched = new Int32Array(this.docCount);
    this.sealed = true;
    return this;
  }

  /**
   * Ranks documents for a query: every term OR-ed, each scored per field with BM25+ times the
   * field's boost (times the prefix/fuzzy weight for derived terms), the sum multiplied by how many
   * distinct query terms matched. A query of more than MAX_QUERY_TERMS distinct terms (a pasted
   * paragraph) keeps its rarest ones: they carry the meaning, and a match set fits in 32 bits.
   */
  search(query: string | readonly string[], options: SearchOptions): SearchIndexHit[] {
    if (!this.sealed) throw new Error('FieldedBm25: search() before seal()');
    const terms =
      typeof query === 'string'
        ? this.options
            .tokenize(query)
            .flatMap((t) => this.options.processTerm(t))
            .filter(Boolean)
        : query;
    let distinct = [...new Set(terms)];
    if (distinct.length > MAX_QUERY_TERMS)
      distinct = distinct
        .map((t, i) => ({ t, i, df: this.documentFrequency(t) }))
        .sort((a, b) => a.df - b.df || a.i - b.i)
        .slice(0, MAX_QUERY_TERMS)
        .sort((a, b) => a.i - b.i)
        .map((x) => x.t);
    const bit = new Map(distinct.map((t, i) => [t, 1 << i] as const));
    let touchedCount = 0;
    const scoreTerm = (termId: number, weight: number, mask: number) => {
      const n = this.fieldCount;
      const { k, b, d } = this.options.bm25;
      const total = this.docCount;
      const from = this.offsets[termId] as number;
      const to = this.offsets[termId + 1] as number;
      for (let g = 0; g < n; g++) {
        const df = this.fieldDf[termId * n + g] as number;
        if (!df) continue;
        const idf = bm25Idf(total, df);
        const w = weight * (this.boosts[g] as number) * idf;
        const avg = this.avgFieldLength[g] as number;
        for (let i = from; i < to; i++) {
          const tf = this.postingTfs[i * n + g] as number;
          if (!tf) continue;
          const doc = this.postingDocs[i] as number;
          const length = this.fieldLengths[doc * n + g] as number;
          const score = w * (d + (tf * (k + 1)) / (tf + k * (1 - b + (b * length) / avg)));
          if (this.matched[doc] === 0) this.touched[touchedCount++] = doc;
          this.scores[doc] = (this.scores[doc] as number) + score;
          this.matched[doc] = (this.matched[doc] as number) | mask;
        }
      }
    };
    for (const term of terms) {
      const mask = bit.get(term);
      if (mask === undefined) continue;
      const exact = this.termIds.get(term);
      if (exact !== undefined) scoreTerm(exact, 1, mask);
      const prefixed = options.prefix?.(term) ? this.dictionary.atPrefix(term) : undefined;
      const fuzzy = options.fuzzy?.(term);
      const fuzzyDistance = fuzzy ? Math.min(MAX_FUZZY, Math.round(term.length * fuzzy)) : 0;
      const fuzzyMatches = fuzzyDistance ? this.dictionary.fuzzyGet(term, fuzzyDistance) : undefined;
      if (prefixed)
        for (const [other, id] of prefixed) {
          const distance = other.length - term.length;
          if (!distance) continue;
          fuzzyMatches?.delete(other);
          scoreTerm(id, (this.options.weights.prefix * other.length) / (other.length + 0.3 * distance), mask);
        }
      if (fuzzyMatches)
        for (const [other, [id, distance]] of fuzzyMatches) {
          if (!distance) continue;
          scoreTerm(id, (this.options.weights.fuzzy * other.length) / (other.length + distance), mask);
        }
    }
    const hits = this.topHits(touchedCount, options.limit, distinct);
    for (let i = 0; i < touchedCount; i++) {
      const doc = this.touched[i] as number;
      this.scores[doc] = 0;
      this.matched[doc] = 0;
    }
    return hits;
  }

  /** The best `limit` touched documents, by score × number of matched query terms. */
  private topHits(count: number, limit: number, distinct: readonly string[]): SearchIndexHit[] {
    const final = (doc: number) => (this.scores[doc] as number) * popcount(this.matched[doc] as number);
    // A min-heap of the best `limit` so far: O(n log limit) instead of sorting every match.
    const heap: number[] = [];
    const less = (a: number, b: number) => final(a) < final(b) || (final(a) === final(b) && a > b);
    for (let i = 0; i < count; i++) {
      const doc = this.touched[i] as number;
      if (heap.length < limit) {
        heap.push(doc);
        siftUp(heap, heap.length - 1, less);
      } else if (limit > 0 && less(heap[0] as number, doc)) {
        heap[0] = doc;
        siftDown(heap, 0, less);
      }
    }
    const withScores = heap.map((doc) => ({ doc, score: final(doc) }));
    withScores.sort((a, b) => b.score - a.score || a.doc - b.doc);
    return withScores.map(({ doc, score }) => ({
      doc,
      score,
      queryTerms: distinct.filter((_, i) => ((this.matched[doc] as number) & (1 << i)) !== 0),
    }));
  }
}

/** BM25's idf as MiniSearch computes it: log(1 + (N - n + 0.5) / (n + 0.5)). */
function bm25Idf(total: number, df: number): number {
  return Math.log(1 + (total - df + 0.5) / (df + 0.5));
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function siftUp(heap: number[], at: number, less: (a: number, b: number) => boolean): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(heap[i] as number, heap[parent] as number)) break;
    [heap[i], heap[parent]] = [heap[parent] as number, heap[i] as number];
    i = parent;
  }
}

function siftDown(heap: number[], at: number, less: (a: number, b: number) => boolean): void {
  let i = at;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let smallest = i;
    if (l < heap.length && less(heap[l] as number, heap[smallest] as number)) smallest = l;
    if (r < heap.length && less(heap[r] as number, heap[smallest] as number)) smallest = r;
    if (smallest === i) return;
    [heap[i], heap[smallest]] = [heap[smallest] as number, heap[i] as number];
    i = smallest;
  }
}
