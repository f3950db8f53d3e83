import type {
  FieldText,
  SearchIndex,
  SearchIndexBuilder,
  SearchIndexHit,
  SearchIndexSettings,
  SearchOptions,
} from '../../ports/search-engine.js';
import { FuzzyDictionary } from './fuzzy-dictionary.js';
import { PrefixDictionary } from './prefix-dictionary.js';
import { releaseBuffer } from './release-buffer.js';
import { Staging } from './staging.js';
import { hashOf, TokenTable } from './token-table.js';

/**
 * A fielded BM25+ index in typed arrays: MiniSearch's scoring (the same formula, field boosts,
 * prefix and fuzzy weights and "quality" factor, checked against MiniSearch itself in
 * test/unit/fielded-bm25.test.ts, and against a brute-force BM25 in the SearchEngine contract), stored compactly enough for large corpora.
 *
 * Why not MiniSearch's own index: it keeps a Map per term, per field, per document. At 10k
 * documents (63k sections) that was 62 % of the build time and ~490 MB of heap, and a query made
 * of common words scored 20–30k documents through per-entry objects (p99 36 ms). Here postings are
 * one Int32Array of document numbers and one Uint16Array of term frequencies per field (CSR
 * layout), scored into a reused Float64Array. Prefix look-ups give the terms in the order
 * MiniSearch's radix tree (SearchableMap) did (PrefixDictionary), without keeping the tree.
 */

export type Bm25Options<F extends string> = SearchIndexSettings<F>;

/** A sealed FieldedBm25 as plain data: what a persisted index stores. */
export interface Bm25Snapshot {
  readonly layout: string;
  readonly fields: readonly string[];
  /** The settings the impacts were computed with: k, b, d, then each field's boost. */
  readonly scoring: readonly number[];
  readonly documentCount: number;
  readonly terms: readonly string[];
  readonly offsets: Int32Array;
  readonly postingDocs: Int32Array;
  readonly postingImpacts: Float64Array;
  readonly maxImpact: Float64Array;
}

/** Names this layout of the arrays; a snapshot of another one is not used. */
const SNAPSHOT_LAYOUT = 'impacts-1';

/** Distinct terms a query is scored on (one bit each in a 32-bit match set). */
const MAX_QUERY_TERMS = 32;
/** MiniSearch's cap on a fuzzy edit distance. */
const MAX_FUZZY = 6;
/** seal() yields every 2^12 documents. */
const DOC_SLICE_MASK = 0xfff;
/** How many looked-up terms sealedTermId remembers. */
const RECENT_TERMS = 32;
/** How many buckets topHits sorts final scores into (see pickBest). */
const BUCKETS = 1024;
/** Up to this many hits, topHits sorts by insertion. */
const SORT_BY_INSERTION = 256;
/** topHits samples the scores for a bar when more than this many documents were reached. */
const SAMPLED_FROM = 4096;
/** About how many scores that sample holds, and the most of its best it keeps track of. */
const SAMPLE_SIZE = 1024;
const SAMPLE_RANK_MAX = 64;
/** Term frequencies are stored in 16 bits. */
const MAX_TF = 0xffff;

/** A typed array that grows by doubling: the build does not know posting sizes in advance. */
class Growable<T extends Int32Array> {
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
    releaseBuffer(this.data);
    this.data = next;
  }
  trimmed(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

const int32s = (n: number) => new Int32Array(n);

/** A field's text as one string: the parts of one joined by a space (see FieldText). */
function fieldString(field: FieldText): string {
  if (typeof field === 'string') return field;
  const { text, ranges } = field;
  let out = '';
  for (let k = 0; k < ranges.length; k += 2) out += (k ? ' ' : '') + text.slice(ranges[k], ranges[k + 1]);
  return out;
}

/** firstFieldTerms() of a field without any. */
const NO_TERMS: readonly string[] = [];

/**
 * Float64s per term while sealing: its next posting's place (an Int32 in the first slot), its
 * largest impact, then boost × idf per field; rounded up to whole 64-byte cache lines.
 */
function termRowLength(fields: number): number {
  return (fields + 2 + 7) & ~7;
}

/** A copy of `a` with room for `length` values. */
function grown(a: Int32Array, length: number): Int32Array {
  const next = new Int32Array(length);
  next.set(a);
  releaseBuffer(a);
  return next;
}

export class FieldedBm25<F extends string> implements SearchIndexBuilder<F>, SearchIndex {
  private readonly fieldCount: number;
  private readonly boosts: Float64Array;
  private readonly termIds = new Map<string, number>();
  private termList: string[] = [];
  /** While building: one record per (document, term): the term, and its frequency per field. */
  private staged: Staging;
  /**
   * While building, per term (stride fields + 1): the document that last had it (so a term is
   * listed once per document), then its frequency in each field of the current document. Side by
   * side, so a word's term costs one place in memory, not two.
   */
  private termState: Int32Array = new Int32Array(0);
  /** While building: postings per term, and documents per term and field (BM25's n per field). */
  private postingCounts: Int32Array = new Int32Array(0);
  private fieldDf: Int32Array = new Int32Array(0);
  private scratchTerms = new Growable(new Int32Array(256), int32s);
  private docStarts = new Growable(new Int32Array(1024), int32s);
  /** Unique tokens per field per document (MiniSearch's field length), and their running sums. */
  private lengths = new Growable(new Int32Array(1024), int32s);
  private readonly lengthSums: Float64Array;
  /** While building: each distinct token's term numbers, and the last field it was counted in. */
  private tokens = new TokenTable();
  private docStamp = 0;
  /** While building: the field being added, its text, its stamp and distinct tokens so far. */
  private field = 0;
  private text = '';
  private fieldStamp = 0;
  private fieldLength = 0;
  private docCount = 0;
  private sealed = false;
  /** How many of the last document's terms (scratchTerms, in the order met) its first field has. */
  private firstFieldEnd = 0;

  // After seal():
  /** postings of term t: docs[offsets[t] .. offsets[t+1]), ascending; their impacts at the same index. */
  private offsets: Int32Array = new Int32Array(0);
  private postingDocs: Int32Array = new Int32Array(0);
  /** A posting's BM25+ score over all fields, boosts included (see seal). */
  private postingImpacts: Float64Array = new Float64Array(0);
  /** Per term: its largest impact, a bound on what it adds to any document. */
  private maxImpact: Float64Array = new Float64Array(0);
  /** The terms under a prefix, in the order MiniSearch's radix tree gave them. */
  private dictionary: PrefixDictionary | undefined;
  /** The terms by length and characters, for fuzzy look-ups (quicker than the radix tree's). */
  private fuzzyTerms: FuzzyDictionary | undefined;
  /** Per query: scores and which query terms matched, reused between queries. */
  private scores = new Float64Array(0);
  private matched = new Uint32Array(0);
  private touched = new Int32Array(0);
  private candidates = new Int32Array(0);
  /** Per candidate (see completeReached): the most it can score; and the candidates as bits. */
  private bests = new Float64Array(0);
  private candidateBits = new Int32Array(0);
  private finals = new Float64Array(0);
  /** See sealedTermId: terms looked up last, their numbers (-1: unknown), and the next slot. */
  private readonly recentTerms: string[] = [];
  private readonly recentIds = new Int32Array(RECENT_TERMS);
  private recentNext = 0;
  /** Per query, for topHits: positions (in its documents) picked, and each position's bucket. */
  private picked = new Int32Array(0);
  private bucketOf = new Int32Array(0);
  /** For topHits when many were reached: a sample's best, and the documents kept above its bar. */
  private readonly sampleTop = new Float64Array(SAMPLE_RANK_MAX);
  private keptFinals = new Float64Array(0);
  private keptDocs = new Int32Array(0);
  /** For topHits, per query: the match sets met so far and their lists of query terms (reused). */
  private readonly setMasks: number[] = [];
  private readonly setTerms: (readonly string[])[] = [];
  private readonly bucketStarts = new Int32Array(BUCKETS);

  constructor(private readonly options: Bm25Options<F>) {
    this.fieldCount = options.fields.length;
    this.boosts = Float64Array.from(options.fields, (f) => options.boost[f] ?? 1);
    this.lengthSums = new Float64Array(this.fieldCount);
    this.staged = new Staging(this.fieldCount, MAX_TF);
  }

  get documentCount(): number {
    return this.docCount;
  }

  get termCount(): number {
    return this.termList.length;
  }

  /** Documents (any field) that contain a term: 0 for a term the index does not know. */
  documentFrequency(term: string): number {
    if (!this.sealed) return 0;
    const id = this.sealedTermId(term);
    return id < 0 ? 0 : (this.offsets[id + 1] as number) - (this.offsets[id] as number);
  }

  /**
   * A term's number in the sealed index, or -1. A query's few terms are each looked up several
   * times (has() for the prefix and fuzzy choices, the posting lists, idf() in the re-rank): the
   * last RECENT_TERMS looked up are compared first (the same strings, usually the same objects),
   * where every look-up in the dictionary of ~100k terms was a few cache misses.
   */
  private sealedTermId(term: string): number {
    const recent = this.recentTerms;
    // Most recent first: a query's own terms, looked up again, are a few slots back.
    for (let i = this.recentNext - 1; i >= 0; i--) if (recent[i] === term) return this.recentIds[i] as number;
    for (let i = recent.length - 1; i >= this.recentNext; i--)
      if (recent[i] === term) return this.recentIds[i] as number;
    const id = this.termIds.get(term) ?? -1;
    const slot = this.recentNext;
    this.recentNext = (slot + 1) % RECENT_TERMS;
    recent[slot] = term;
    this.recentIds[slot] = id;
    return id;
  }

  /** BM25's inverse document frequency of a term over all fields (0 matches give the maximum). */
  idf(term: string): number {
    return bm25Idf(this.docCount, this.documentFrequency(term));
  }

  has(term: string): boolean {
    return this.sealed ? this.sealedTermId(term) >= 0 : this.termIds.has(term);
  }

  /** Adds the next document (numbered from 0 in call order); returns its number. */
  add(fields: Readonly<Record<F, FieldText>>): number {
    if (this.sealed) throw new Error('FieldedBm25: add() after seal()');
    const n = this.fieldCount;
    this.scratchTerms.length = 0;
    this.docStamp++;
    const scan = this.options.scanWords;
    for (let f = 0; f < n; f++) {
      const field = fields[this.options.fields[f] as F] ?? '';
      // A field's length is its number of distinct tokens (as MiniSearch counts it): each token's
      // entry remembers the last field it was counted in.
      this.field = f;
      this.fieldStamp++;
      this.fieldLength = 0;
      if (scan && typeof field === 'string') {
        this.text = field;
        scan(field, this.visit);
      } else if (scan && typeof field !== 'string') {
        // Parts of one text: each scanned where it is, words counted as one field's.
        this.text = field.text;
        const ranges = field.ranges;
        for (let k = 0; k < ranges.length; k += 2)
          scan(field.text, this.visit, ranges[k] as number, ranges[k + 1] as number);
      } else
        for (const token of this.options.tokenize(fieldString(field))) {
          this.text = token;
          this.visit(0, token.length, hashOf(token));
        }
      this.lengths.push(this.fieldLength);
      this.lengthSums[f] = (this.lengthSums[f] as number) + this.fieldLength;
      // Every term met so far is the first field's: the document's first-met terms, in order.
      if (f === 0) this.firstFieldEnd = this.scratchTerms.length;
    }
    this.text = '';
    const touched = this.scratchTerms;
    this.docStarts.push(this.staged.length);
    const state = this.termState;
    const counts = this.postingCounts;
    const fieldDf = this.fieldDf;
    const staged = this.staged;
    const terms = touched.data;
    for (let i = 0; i < touched.length; i++) {
      const id = terms[i] as number;
      // Also what seal() needs per term and field (fieldDf), counted here rather than in a pass
      // of its own, and the counts set back to 0 for the next document.
      staged.push(id, state, id * (n + 1) + 1, fieldDf, id * n);
      counts[id] = (counts[id] as number) + 1;
    }
    return this.docCount++;
  }

  firstFieldTerms(): readonly string[] {
    const end = this.firstFieldEnd;
    if (end === 0) return NO_TERMS;
    const ids = this.scratchTerms.data;
    const out = new Array<string>(end);
    for (let i = 0; i < end; i++) out[i] = this.termList[ids[i] as number] as string;
    return out;
  }

  /** One token of the current field: text[start, end), its characters hashing to `hash`. */
  private readonly visit = (start: number, end: number, hash: number, ascii?: Uint8Array): void => {
    const table = this.tokens;
    const at = table.entry(this.text, start, end, hash, this.termIdsOf, ascii);
    const slots = table.slots;
    if (slots[at + 2] !== this.fieldStamp) {
      slots[at + 2] = this.fieldStamp;
      this.fieldLength++;
    }
    const terms = slots[at + 3] as number;
    if (terms >= 0) this.count(terms);
    else {
      const ids = table.ids;
      const from = -terms;
      const to = from + (ids[from - 1] as number);
      for (let i = from; i < to; i++) this.count(ids[i] as number);
    }
  };

  /** One more occurrence of term `id` in the current field of the current document. */
  private count(id: number): void {
    const state = this.termState;
    const base = id * (this.fieldCount + 1);
    if (state[base] !== this.docStamp) {
      state[base] = this.docStamp;
      this.scratchTerms.push(id);
    }
    // Counted in 32 bits; Staging stores at most MAX_TF.
    state[base + 1 + this.field] = (state[base + 1 + this.field] as number) + 1;
  }

  /** The term numbers of a token's terms, numbering new terms as they come. */
  private readonly termIdsOf = (token: string): number[] => {
    const n = this.fieldCount;
    return this.options.processTerm(token).map((term) => {
      let id = this.termIds.get(term);
      if (id === undefined) {
        id = this.termList.length;
        this.termIds.set(term, id);
        this.termList.push(term);
        if (id >= this.postingCounts.length) {
          const terms = Math.max(1024, this.postingCounts.length * 2);
          this.termState = grown(this.termState, terms * (n + 1));
          this.postingCounts = grown(this.postingCounts, terms);
          this.fieldDf = grown(this.fieldDf, terms * n);
        }
      }
      return id;
    });
  };

  /**
   * Ends the build: lays the postings out per term, each with its impact (the term's BM25+ score in
   * that document, summed over fields with their boosts: everything but the query's weight). No
   * add() after this.
   */
  seal(): this {
    for (const _ of this.sealing());
    return this;
  }

  /** seal() with `pause()` awaited every few thousand documents or terms. */
  async sealAsync(pause: () => Promise<void>): Promise<this> {
    for (const _ of this.sealing()) await pause();
    return this;
  }

  /** seal()'s work, yielding between slices of it (each well under a millisecond at any size). */
  private *sealing(): Generator<void, void, void> {
    if (this.sealed) return;
    const n = this.fieldCount;
    const terms = this.termList.length;
    const docCount = this.docCount;
    const staged = this.staged;
    const entries = staged.length;
    const starts = this.docStarts.trimmed();
    const lengths = this.lengths.trimmed();
    // Postings per term and documents per term and field were counted by add().
    const offsets = new Int32Array(terms + 1);
    offsets.set(this.postingCounts.subarray(0, terms), 1);
    const fieldDf = this.fieldDf;
    // What only add() needed goes before the postings are allocated (the peak of a build), its
    // memory given back now rather than at the next full GC (see releaseBuffer).
    this.tokens.release();
    this.tokens = new TokenTable();
    releaseBuffer(this.termState);
    this.termState = new Int32Array(0);
    releaseBuffer(this.postingCounts);
    this.postingCounts = new Int32Array(0);
    yield;
    for (let t = 0; t < terms; t++) offsets[t + 1] = (offsets[t + 1] as number) + (offsets[t] as number);
    // boost × idf per term and field, and k × length normalization per document and field:
    // the same products, in the same order, as the brute-force reference computes per posting.
    const { k, b, d } = this.options.bm25;
    // Per term, side by side in one row of whole cache lines (see TERM_ROW): where its next
    // posting goes, its largest impact so far, and boost × idf per field. A posting then reads
    // one place in memory for its term, not three (at 50k documents the terms' arrays are far
    // larger than the caches, and postings come in document order, so terms in no useful order).
    const row = termRowLength(n);
    const rows = new ArrayBuffer(terms * row * 8);
    const termF64 = new Float64Array(rows);
    const termI32 = new Int32Array(rows);
    for (let t = 0; t < terms; t++) {
      termI32[t * row * 2] = offsets[t] as number;
      for (let g = 0; g < n; g++) {
        const df = fieldDf[t * n + g] as number;
        if (df) termF64[t * row + 2 + g] = (this.boosts[g] as number) * bm25Idf(docCount, df);
      }
    }
    // In the rows now: not held while the postings are laid out.
    releaseBuffer(fieldDf);
    this.fieldDf = new Int32Array(0);
    const avg = Float64Array.from(this.lengthSums, (sum) => (docCount ? sum / docCount : 0));
    // k × length normalization of the current document's fields (per document, not an array of
    // all of them: 12.5 MB at 50k documents, alive at the build's peak).
    const norm = new Float64Array(n);
    // Document by document: postings come out in ascending document order per term. The staged
    // records are read a chunk at a time, each let go once read.
    const docs = new Int32Array(entries);
    const impacts = new Float64Array(entries);
    const reader = staged.reader();
    const tfs = reader.tfs;
    for (let doc = 0; doc < docCount; doc++) {
      const end = doc + 1 < docCount ? (starts[doc + 1] as number) : entries;
      for (let g = 0; g < n; g++)
        norm[g] = k * (1 - b + (b * (lengths[doc * n + g] as number)) / (avg[g] as number));
      for (let i = starts[doc] as number; i < end; i++) {
        reader.read();
        const base = reader.term * row;
        const at = termI32[base * 2] as number;
        termI32[base * 2] = at + 1;
        docs[at] = doc;
        let impact = 0;
        // Over the fields the term is in (the set bits of the mask, lowest first: the same sum in
        // the same order as over every field skipping those with no occurrence), not over all
        // fields with a branch each that the processor cannot predict.
        for (let m = reader.mask; m !== 0; m &= m - 1) {
          const g = 31 - Math.clz32(m & -m);
          const tf = tfs[g] as number;
          impact += (termF64[base + 2 + g] as number) * (d + (tf * (k + 1)) / (tf + (norm[g] as number)));
        }
        impacts[at] = impact;
        if (impact > (termF64[base + 1] as number)) termF64[base + 1] = impact;
      }
      if ((doc & DOC_SLICE_MASK) === DOC_SLICE_MASK) yield;
    }
    const maxImpact = new Float64Array(terms);
    for (let t = 0; t < terms; t++) maxImpact[t] = termF64[t * row + 1] as number;
    reader.done();
    for (const scratch of [termF64, starts, lengths]) releaseBuffer(scratch);
    yield;
    this.offsets = offsets;
    this.postingDocs = docs;
    this.postingImpacts = impacts;
    this.maxImpact = maxImpact;
    this.lengths = new Growable(new Int32Array(0), int32s);
    this.staged = new Staging(n, MAX_TF);
    this.termState = new Int32Array(0);
    this.postingCounts = new Int32Array(0);
    this.fieldDf = new Int32Array(0);
    this.tokens = new TokenTable();
    this.docStarts = new Growable(new Int32Array(0), int32s);
    yield* this.readying();
  }

  /** What the impacts were computed with: a snapshot made with other settings is not used. */
  private scoring(): number[] {
    const { k, b, d } = this.options.bm25;
    return [k, b, d, ...this.boosts];
  }

  /** The sealed index as plain data (typed arrays and strings) to persist; see restore(). */
  snapshot(): Bm25Snapshot {
    if (!this.sealed) throw new Error('FieldedBm25: snapshot() before seal()');
    return {
      layout: SNAPSHOT_LAYOUT,
      fields: [...this.options.fields],
      scoring: this.scoring(),
      documentCount: this.docCount,
      terms: this.termList,
      offsets: this.offsets,
      postingDocs: this.postingDocs,
      postingImpacts: this.postingImpacts,
      maxImpact: this.maxImpact,
    };
  }

  /**
   * A sealed index from a snapshot, with this build's options (which must name the same fields and
   * score alike). Throws on a snapshot whose arrays do not fit together: better a rebuild than
   * wrong scores.
   */
  static restore<F extends string>(options: Bm25Options<F>, snapshot: Bm25Snapshot): FieldedBm25<F> {
    const s = snapshot;
    const index = new FieldedBm25(options);
    const entries = s.postingDocs?.length;
    const consistent =
      s.layout === SNAPSHOT_LAYOUT &&
      s.fields.join('\0') === options.fields.join('\0') &&
      s.scoring.join(',') === index.scoring().join(',') &&
      s.offsets instanceof Int32Array &&
      s.postingDocs instanceof Int32Array &&
      s.postingImpacts instanceof Float64Array &&
      s.maxImpact instanceof Float64Array &&
      s.offsets.length === s.terms.length + 1 &&
      s.offsets[s.terms.length] === entries &&
      s.postingImpacts.length === entries &&
      s.maxImpact.length === s.terms.length;
    if (!consistent) throw new Error('FieldedBm25: the snapshot does not match this index layout');
    index.docCount = s.documentCount;
    index.termList = [...s.terms];
    for (let id = 0; id < s.terms.length; id++) index.termIds.set(s.terms[id] as string, id);
    index.offsets = s.offsets;
    index.postingDocs = s.postingDocs;
    index.postingImpacts = s.postingImpacts;
    index.maxImpact = s.maxImpact;
    index.lengths = new Growable(new Int32Array(0), int32s);
    index.docStarts = new Growable(new Int32Array(0), int32s);
    for (const _ of index.readying());
    return index;
  }

  /**
   * The dictionary for prefix/fuzzy look-ups and the per-query buffers; then searchable. (Made
   * here, not on the first query that needs it: at 50k documents that first query would wait
   * for the order of 190k terms.)
   */
  private *readying(): Generator<void, void, void> {
    this.dictionary = yield* PrefixDictionary.build(this.termList);
    this.fuzzyTerms = new FuzzyDictionary(this.termList);
    yield;
    this.scores = new Float64Array(this.docCount);
    this.matched = new Uint32Array(this.docCount);
    this.touched = new Int32Array(this.docCount);
    this.candidateBits = new Int32Array((this.docCount >>> 5) + 1);
    this.bucketOf = new Int32Array(this.docCount);
    this.sealed = true;
  }

  /** The dictionary for prefix and fuzzy look-ups. */
  private lookup(): PrefixDictionary {
    if (!this.dictionary) throw new Error('FieldedBm25: no dictionary before seal()');
    return this.dictionary;
  }

  /**
   * Ranks documents for a query: every term OR-ed, each scored per field with BM25+ times the
   * field's boost (times the prefix/fuzzy weight for derived terms), the sum multiplied by how many
   * distinct query terms matched. A query of more than MAX_QUERY_TERMS distinct terms (a pasted
   * paragraph) keeps its rarest ones: they carry the meaning, and a match set fits in 32 bits.
   *
   * Exact top-k with less work (MaxScore, term at a time): posting lists are scored from the one
   * with the highest possible contribution down; once the lists left could not lift a document
   * they have not yet reached above the k-th best score so far (scores only grow), they only
   * complete the documents already reached, looked up by binary search where that is cheaper than
   * a scan. Natural-language questions are mostly common words: those are the lists skipped.
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
    const limit = options.limit;
    if (limit <= 0) return [];
    const lists = this.postingLists(terms, distinct, options);
    if (lists.length === 0) return [];
    // Highest possible contribution first (stable: query order among equals).
    lists.sort((x, y) => y.bound - x.bound || x.order - y.order);
    const count = lists.length;
    // What the lists from i on could still add to a document none of them has reached: their
    // bounds' sum, times the distinct query terms they stand for.
    const restBound = new Float64Array(count + 1);
    const restPostings = new Float64Array(count + 1);
    let masks = 0;
    let sum = 0;
    let postings = 0;
    for (let i = count - 1; i >= 0; i--) {
      const list = lists[i] as PostingList;
      masks |= list.mask;
      sum += list.bound;
      postings += list.to - list.from;
      restBound[i] = sum * popcount(masks);
      restPostings[i] = postings;
    }
    const scores = this.scores;
    const matched = this.matched;
    const touched = this.touched;
    const docs = this.postingDocs;
    const impacts = this.postingImpacts;
    let touchedCount = 0;
    // A lower bound on the k-th best final score so far (it only grows as lists are added), and
    // the postings added since it was computed: recomputing it costs a pass over the documents
    // reached, so it is done again only once as many postings have been added since (its cost
    // stays within the postings', where checking before every list made it O(lists × reached)).
    let kth = 0;
    let sinceKth = Number.POSITIVE_INFINITY;
    // No document reached so far can score above the bounds added so far times their terms: while
    // the lists left could add as much, the k-th best cannot be beaten and is not computed.
    let doneBound = 0;
    let doneMasks = 0;
    // The k-th best when it was computed just before the loop stopped (this.bests are then filled).
    let fresh: number | undefined;
    let i = 0;
    for (; i < count; i++) {
      // Only worth a look when the lists left are long compared with what has been reached.
      if (i > 0 && touchedCount >= limit && (restPostings[i] as number) > touchedCount) {
        if ((restBound[i] as number) < kth) break;
        if (sinceKth >= touchedCount && (restBound[i] as number) < doneBound * popcount(doneMasks)) {
          // With what completeReached needs from the same pass, should the lists left be skipped.
          kth = this.kthBest(touchedCount, limit, this.bestsFor(touchedCount), ...restOf(lists, i));
          sinceKth = 0;
          if ((restBound[i] as number) < kth) {
            fresh = kth;
            break;
          }
        }
      }
      const { from, to, weight, mask, bound } = lists[i] as PostingList;
      sinceKth += to - from;
      doneBound += bound;
      doneMasks |= mask;
      for (let p = from; p < to; p++) {
        const doc = docs[p] as number;
        const m = matched[doc] as number;
        if (m === 0) touched[touchedCount++] = doc;
        scores[doc] = (scores[doc] as number) + weight * (impacts[p] as number);
        matched[doc] = m | mask;
      }
    }
    let candidates = touched;
    let candidateCount = touchedCount;
    if (i < count) {
      candidateCount = this.completeReached(lists, i, touchedCount, limit, fresh);
      candidates = this.candidates;
    }
    const hits = this.topHits(candidates, candidateCount, limit, distinct);
    if (touchedCount > scores.length >>> 4) {
      // Many reached: clearing whole arrays is quicker than scattered writes.
      scores.fill(0);
      matched.fill(0);
    } else
      for (let j = 0; j < touchedCount; j++) {
        const doc = touched[j] as number;
        scores[doc] = 0;
        matched[doc] = 0;
      }
    return hits;
  }

  /** The posting lists a query stands for: its terms, and their prefix and fuzzy matches if asked. */
  private postingLists(
    terms: readonly string[],
    distinct: readonly string[],
    options: SearchOptions,
  ): PostingList[] {
    const bit = new Map(distinct.map((t, i) => [t, 1 << i] as const));
    const lists: PostingList[] = [];
    const add = (id: number, weight: number, mask: number) => {
      const from = this.offsets[id] as number;
      const to = this.offsets[id + 1] as number;
      if (to > from)
        lists.push({
          from,
          to,
          weight,
          mask,
          bound: weight * (this.maxImpact[id] as number),
          order: lists.length,
        });
    };
    for (const term of terms) {
      const mask = bit.get(term);
      if (mask === undefined) continue;
      const exact = this.sealedTermId(term);
      if (exact >= 0) add(exact, 1, mask);
      const prefixed = options.prefix?.(term) ? this.lookup().atPrefix(term) : undefined;
      const fuzzy = options.fuzzy?.(term);
      const fuzzyDistance = fuzzy ? Math.min(MAX_FUZZY, Math.round(term.length * fuzzy)) : 0;
      const fuzzyMatches = fuzzyDistance ? this.fuzzyTerms?.fuzzyGet(term, fuzzyDistance) : undefined;
      if (prefixed)
        for (const [other, id] of prefixed) {
          const distance = other.length - term.length;
          if (!distance) continue;
          fuzzyMatches?.delete(other);
          add(id, (this.options.weights.prefix * other.length) / (other.length + 0.3 * distance), mask);
        }
      if (fuzzyMatches)
        for (const [other, [id, distance]] of fuzzyMatches) {
          if (!distance) continue;
          add(id, (this.options.weights.fuzzy * other.length) / (other.length + distance), mask);
        }
    }
    return lists;
  }

  /**
   * The k-th best final score (score × matched terms) among the documents reached so far. With
   * `bests`, also what each of them (in the order reached) would score if every list left added
   * its most to it (`restSum`, for the query terms `restMasks`): both from one read of each
   * document's score and terms, where a second pass over tens of thousands of documents read
   * them again.
   */
  private kthBest(touchedCount: number, k: number, bests?: Float64Array, restSum = 0, restMasks = 0): number {
    if (this.finals.length < touchedCount) this.finals = new Float64Array(this.touched.length);
    const finals = this.finals;
    const touched = this.touched;
    const scores = this.scores;
    const matched = this.matched;
    if (bests)
      for (let j = 0; j < touchedCount; j++) {
        const doc = touched[j] as number;
        const score = scores[doc] as number;
        const m = matched[doc] as number;
        finals[j] = score * popcount(m);
        bests[j] = (score + restSum) * popcount(m | restMasks);
      }
    else
      for (let j = 0; j < touchedCount; j++) {
        const doc = touched[j] as number;
        finals[j] = (scores[doc] as number) * popcount(matched[doc] as number);
      }
    // The best k are among those above a sampled bar, when at least k are (see topHits).
    if (touchedCount > SAMPLED_FROM) {
      const kept = this.aboveSampledBar(finals, this.touched, touchedCount, k);
      if (kept >= k) return quickselectDescending(this.keptFinals, kept, k - 1);
    }
    return quickselectDescending(finals, touchedCount, k - 1);
  }

  /** this.bests, with room for `count`; this.candidates too. */
  private bestsFor(count: number): Float64Array {
    if (this.bests.length < count) {
      this.candidates = new Int32Array(this.touched.length);
      this.bests = new Float64Array(this.touched.length);
    }
    return this.bests;
  }

  /**
   * Lists from `first` on, for documents already reached only: those that could still make the top
   * k (their score plus everything the rest could add) get completed; the others cannot. Returns
   * how many candidates this.candidates holds.
   */
  private completeReached(
    lists: readonly PostingList[],
    first: number,
    touchedCount: number,
    limit: number,
    known?: number,
  ): number {
    const scores = this.scores;
    const matched = this.matched;
    const docs = this.postingDocs;
    const impacts = this.postingImpacts;
    const bests = this.bestsFor(touchedCount);
    // `known`: computed with these bests from the same lists, nothing added since.
    const threshold = known ?? this.kthBest(touchedCount, limit, bests, ...restOf(lists, first));
    const candidates = this.candidates;
    const touched = this.touched;
    // The candidates also as bits by document: a list scanned tests 40 KB at 50k documents (which
    // stay in the cache) instead of every posting's document's terms (1.25 MB, which do not).
    const bits = this.candidateBits;
    let count = 0;
    for (let j = 0; j < touchedCount; j++)
      if ((bests[j] as number) >= threshold) {
        const doc = touched[j] as number;
        candidates[count++] = doc;
        bits[doc >>> 5] = (bits[doc >>> 5] as number) | (1 << (doc & 31));
      }
    // In ascending order once a list is looked up by binary search (a scan needs no order).
    let sorted: Int32Array | undefined;
    for (let i = first; i < lists.length; i++) {
      const { from, to, weight, mask } = lists[i] as PostingList;
      const length = to - from;
      if (count * (Math.log2(length) + 1) < length) {
        // Few candidates, a long list: look each one up.
        sorted ??= candidates.subarray(0, count).sort();
        let lo = from;
        for (let j = 0; j < count && lo < to; j++) {
          const doc = sorted[j] as number;
          let hi = to;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if ((docs[mid] as number) < doc) lo = mid + 1;
            else hi = mid;
          }
          if (lo < to && docs[lo] === doc) {
            scores[doc] = (scores[doc] as number) + weight * (impacts[lo] as number);
            matched[doc] = (matched[doc] as number) | mask;
          }
        }
      } else {
        // Scan, completing the candidates only (the others cannot make the top k, and only the
        // candidates go on).
        for (let p = from; p < to; p++) {
          const doc = docs[p] as number;
          if (((bits[doc >>> 5] as number) & (1 << (doc & 31))) === 0) continue;
          scores[doc] = (scores[doc] as number) + weight * (impacts[p] as number);
          matched[doc] = (matched[doc] as number) | mask;
        }
      }
    }
    if (count > bits.length >>> 2) bits.fill(0);
    else for (let j = 0; j < count; j++) bits[(candidates[j] as number) >>> 5] = 0;
    return count;
  }

  /**
   * The best `limit` of the given documents, by score × number of matched query terms (equal
   * scores: lower document first). Their final scores are put in buckets by value (a multiple of
   * the best, rounded down: a higher bucket always holds higher scores); the buckets from the top
   * down that together hold `limit` are kept, laid out bucket by bucket, and sorted by an
   * insertion sort that only ever moves an item within its bucket. A heap of the best so far
   * paid a few unpredictable branches per level for every item it took in (~25 ns per document
   * reached, most of the engine's time for a question of common words).
   */
  private topHits(
    reached: Int32Array,
    reachedCount: number,
    limit: number,
    distinct: readonly string[],
  ): SearchIndexHit[] {
    const scores = this.scores;
    const matched = this.matched;
    if (this.finals.length < reachedCount) this.finals = new Float64Array(this.touched.length);
    if (this.picked.length < reachedCount) this.picked = new Int32Array(this.touched.length);
    let finals = this.finals;
    const picked = this.picked;
    let max = 0;
    for (let j = 0; j < reachedCount; j++) {
      const doc = reached[j] as number;
      const score = (scores[doc] as number) * popcount(matched[doc] as number);
      finals[j] = score;
      if (score > max) max = score;
    }
    let docs = reached;
    let count = reachedCount;
    if (count > SAMPLED_FROM && max > 0 && max < Number.POSITIVE_INFINITY) {
      // Many reached: only those at or above a bar that a sample puts near the best 2 × limit go
      // on, when at least `limit` do (then the best `limit` are surely among them).
      const kept = this.aboveSampledBar(finals, reached, count, limit);
      if (kept >= limit) {
        finals = this.keptFinals;
        docs = this.keptDocs;
        count = kept;
      }
    }
    let taken = count;
    if (count > limit && max > 0 && max < Number.POSITIVE_INFINITY)
      taken = this.pickBest(finals, count, limit, max);
    else for (let j = 0; j < count; j++) picked[j] = j;
    // Best first: score descending, equal scores by ascending document.
    if (taken > SORT_BY_INSERTION) {
      // Many equal or near scores (or scores that are not positive and finite, which do not occur).
      const order = Array.from(picked.subarray(0, taken));
      order.sort(
        (a, b) => (finals[b] as number) - (finals[a] as number) || (docs[a] as number) - (docs[b] as number),
      );
      picked.set(order);
    } else
      for (let x = 1; x < taken; x++) {
        const j = picked[x] as number;
        const score = finals[j] as number;
        const doc = docs[j] as number;
        let y = x - 1;
        for (; y >= 0; y--) {
          const other = picked[y] as number;
          const os = finals[other] as number;
          if (os > score || (os === score && (docs[other] as number) < doc)) break;
          picked[y + 1] = other;
        }
        picked[y + 1] = j;
      }
    const filled = Math.min(limit, taken);
    // Hits with the same match set share one (read-only) list of query terms: the few sets met
    // so far are compared, the most recent first (a Map per query cost more).
    const setMasks = this.setMasks;
    const setTerms = this.setTerms;
    let sets = 0;
    const hits: SearchIndexHit[] = new Array(filled);
    for (let x = 0; x < filled; x++) {
      const j = picked[x] as number;
      const doc = docs[j] as number;
      const m = matched[doc] as number;
      let at = sets - 1;
      while (at >= 0 && setMasks[at] !== m) at--;
      if (at < 0) {
        at = sets++;
        setMasks[at] = m;
        setTerms[at] = distinct.filter((_, t) => (m & (1 << t)) !== 0);
      }
      hits[x] = { doc, score: finals[j] as number, queryTerms: setTerms[at] as readonly string[] };
    }
    return hits;
  }

  /**
   * Of finals[0..count) (with the documents `docs`): those at or above a bar, the r-th best of an
   * evenly strided sample of about SAMPLE_SIZE, r chosen so that about 2 × limit are above it,
   * copied into this.keptFinals and this.keptDocs (in the same order); returns how many, or 0
   * when the sample gives no bar. The caller uses them only if they are at least `limit`: the
   * `limit`-th best is then at or above the bar, so every one of the best `limit` is kept (ties
   * too). One pass of a compare that is almost always false, where putting every one of tens of
   * thousands of documents in a bucket (a float-to-integer conversion and a scattered count
   * each) was most of topHits at 50k documents. When fewer than `limit` are at or above the bar
   * (two or more of the sample among the best `limit`: about one query in seven at 50k
   * documents), a bar four times lower in the sample is tried, then sixteen, before the caller
   * falls back to all of them: one more pass of compares, where the fallback is a quickselect or
   * a bucketing of every document reached.
   */
  private aboveSampledBar(finals: Float64Array, docs: Int32Array, count: number, limit: number): number {
    const step = Math.max(1, Math.floor(count / SAMPLE_SIZE));
    const sampled = Math.floor((count - 1) / step) + 1;
    const rank = Math.ceil((2 * limit * sampled) / count);
    if (rank > SAMPLE_RANK_MAX) return 0;
    if (this.keptFinals.length < count) {
      // Doubling (up to one per document): a fresh index's first queries reach ever more.
      const size = Math.min(this.touched.length, Math.max(count, 2 * this.keptFinals.length));
      this.keptFinals = new Float64Array(size);
      this.keptDocs = new Int32Array(size);
    }
    const keptFinals = this.keptFinals;
    const keptDocs = this.keptDocs;
    const top = this.sampleTop;
    const most = Math.min(SAMPLE_RANK_MAX, sampled, 16 * rank);
    for (let r = Math.min(rank, most); ; r = Math.min(most, 4 * r)) {
      // The best r of the sample, in descending order (taken again for a lower bar: keeping
      // more than r from the start cost more than the rare second look).
      let filled = 0;
      for (let j = 0; j < count; j += step) {
        const v = finals[j] as number;
        if (filled === r && !(v > (top[r - 1] as number))) continue;
        let y = filled < r ? filled++ : r - 1;
        while (y > 0 && (top[y - 1] as number) < v) {
          top[y] = top[y - 1] as number;
          y--;
        }
        top[y] = v;
      }
      const bar = top[filled - 1] as number;
      if (!(bar > 0)) return 0;
      let kept = 0;
      for (let j = 0; j < count; j++) {
        const v = finals[j] as number;
        if (v >= bar) {
          keptFinals[kept] = v;
          keptDocs[kept] = docs[j] as number;
          kept++;
        }
      }
      if (kept >= limit || r === most) return kept;
    }
  }

  /**
   * Of finals[0..count) (more than `limit`, at most `max`, which is positive and finite): the
   * positions of the fewest top buckets that hold at least `limit`, into this.picked bucket by
   * bucket from the top (within a bucket in position order). Returns how many.
   */
  private pickBest(finals: Float64Array, count: number, limit: number, max: number): number {
    const bucketOf = this.bucketOf;
    const starts = this.bucketStarts;
    starts.fill(0);
    const scale = BUCKETS / max;
    for (let j = 0; j < count; j++) {
      // Rounding a product by a positive constant down never reverses an order: a higher bucket
      // holds only higher scores.
      let b = ((finals[j] as number) * scale) | 0;
      if (b >= BUCKETS) b = BUCKETS - 1;
      else if (b < 0) b = 0;
      bucketOf[j] = b;
      starts[b] = (starts[b] as number) + 1;
    }
    let taken = 0;
    let low = BUCKETS;
    while (low > 0 && taken < limit) {
      low--;
      taken += starts[low] as number;
    }
    // Counts become where each kept bucket starts, the best bucket first.
    let at = 0;
    for (let b = BUCKETS - 1; b >= low; b--) {
      const n = starts[b] as number;
      starts[b] = at;
      at += n;
    }
    const picked = this.picked;
    for (let j = 0; j < count; j++) {
      const b = bucketOf[j] as number;
      if (b < low) continue;
      const to = starts[b] as number;
      starts[b] = to + 1;
      picked[to] = j;
    }
    return taken;
  }
}

interface PostingList {
  readonly from: number;
  readonly to: number;
  /** 1 for the query's own term; the prefix/fuzzy weight for a derived one. */
  readonly weight: number;
  /** The query term's bit in a document's match set. */
  readonly mask: number;
  /** The most this list adds to one document's score: weight × its largest impact. */
  readonly bound: number;
  readonly order: number;
}

/** The sum of the bounds of lists[first..] (in that order) and their query terms. */
function restOf(lists: readonly PostingList[], first: number): [restSum: number, restMasks: number] {
  let restMasks = 0;
  let restSum = 0;
  for (let i = first; i < lists.length; i++) {
    restMasks |= (lists[i] as PostingList).mask;
    restSum += (lists[i] as PostingList).bound;
  }
  return [restSum, restMasks];
}

/** The value that would be at `k` if values[0..count) were sorted in descending order. */
function quickselectDescending(values: Float64Array, count: number, k: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) > pivot) i++;
      while ((values[j] as number) < pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k] as number;
  }
  return values[k] as number;
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
