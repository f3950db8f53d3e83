import type {
  SearchIndex,
  SearchIndexBuilder,
  SearchIndexHit,
  SearchIndexSettings,
} from '../ports/search-engine.js';
import { anchorTexts } from './anchor-text.js';
import type { IndexedDocument, Section, SectionLink, SourceDocument, SplitDocument } from './document.js';
import { type HeadingTerms, HeadingTermsBuilder } from './heading-terms.js';
import { type IndexSnapshot, restoreDocument, SNAPSHOT_FORMAT, snapshotDocument } from './index-snapshot.js';
import type { IndexTools } from './index-tools.js';
import { SnippetMaker, SnippetWords } from './snippet.js';
import { sectionTexts, storedDocument, storedSplit } from './stored-section.js';
import { scanWords } from './word-scanner.js';

export interface BuildOptions {
  /** The index this one replaces: unchanged documents reuse its sections. */
  readonly previous?: DocIndex;
  /** Gives the event loop back (default: setImmediate). */
  readonly yieldNow?: () => Promise<void>;
  /** Work this long between yields (ms). */
  readonly sliceMs?: number;
}

export interface SearchHit {
  readonly section: Section;
  readonly score: number;
  readonly snippet: string;
  /** True when the snippet surely holds nothing JSON escapes (see SnippetMaker.clean). */
  readonly snippetClean: boolean;
}

type Field = 'heading' | 'path' | 'lead' | 'body' | 'anchors';
/** The heading first: DocIndex reads a section's heading terms off the engine's first field. */
const FIELDS: readonly Field[] = ['heading', 'path', 'lead', 'body', 'anchors'];

/**
 * Ranking parameters, tuned on the even-numbered questions ("dev") of eval/nodejs-questions.json
 * with `npm run eval`; the odd-numbered ones ("test") were only used to report. Each one was kept
 * because it raised dev MRR@10 / Hit@5 at section level, from a region where nearby values score
 * about the same (see scripts/eval.mjs).
 */
const RANKING = {
  /**
   * Field weights. `lead` is the first paragraph of prose, which in API references defines the
   * heading's name ("Returns `true` if the path exists"): questions paraphrase it. `path` is the
   * document title and the headings above the section. `anchors` is what other sections say
   * where they link to the section (anchor text, see anchorTexts).
   */
  boost: { heading: 5, path: 2.5, lead: 7, body: 1, anchors: 1.5 },
  /** How many distinct link contexts (anchor text) are indexed per section at most (2–4 score alike). */
  anchorContexts: 3,
  /** BM25+ (MiniSearch's formula): term saturation k, length normalization b, per-match floor d. */
  bm25: { k: 1.2, b: 0.65, d: 0.3 },
  /** How many of the engine's results are re-ranked. */
  rerank: 100,
  /** Exponent of the share of the query (by idf) a section matches at all: a soft AND. */
  coverage: 1,
  /** Bonus factor for the share of the query (by idf) found in the section's own heading. */
  headingBonus: 0.5,
  /** Bonus factor for the section's document's score relative to the best document's. */
  docBonus: 1,
  /** A document's score: the sum of its best `docTop` section scores among the re-ranked ones. */
  docTop: 5,
  /** Bonus factor when the query names the section's API (`events.once`, `getStore()`). */
  nameBonus: 1,
  /** Score factor of a section marked deprecated (`Stability: 0`), or inside one. */
  deprecated: 0.7,
  /** Fuzzy edit distance (fraction of length) for query terms the index does not know. */
  fuzzy: 0.2,
} as const;

/** sectionFlags' bits. */
const DEPRECATED_SECTION = 1;
const NAMED = 2;
/** A snippet's length at most (SnippetMaker's default). */
const SNIPPET_CHARS = 240;

/** A section with less text than this is a bare heading: snippets borrow its subsections' text. */
const TINY_SECTION = 40;
/** How much subsection text a bare heading's snippet is chosen from. */
const SNIPPET_SOURCE = 2000;

/** Process-term results per token: most tokens repeat. Bounded for huge corpora. */
const MEMO_MAX = 200_000;
/** Process-term results kept after the build, for queries (snippets keep theirs in SnippetWords). */
const SEARCH_MEMO_MAX = 50_000;
/** Snippet texts kept (see DocIndex.snippetTexts): ~1 KB each in API docs. */
const SNIPPET_TEXTS_MAX = 2048;

/**
 * The in-memory search index over one snapshot of a corpus. Immutable once built: a refresh
 * builds a new DocIndex beside the old one and swaps the reference.
 *
 * Search is BM25+ over heading / path / lead / body / anchor text (the SearchEngine port, with
 * RANKING as its settings), then a re-rank of the best results by how much of the query they
 * cover, whether their heading or API name matches, how well their document matches as a whole,
 * and whether they are deprecated. Which parser splits Markdown, which stemmer and which engine
 * are used is IndexTools' business (see src/app/container.ts).
 */
export class DocIndex {
  private readonly byId = new Map<string, Section>();
  private readonly docs = new Map<string, IndexedDocument>();
  /** What each document was split from, so a rebuild can tell which documents did not change. */
  private readonly sources = new Map<string, SourceDocument>();
  /** The links in each document's prose, by document id: anchor text for the sections they target. */
  private readonly links = new Map<string, readonly SectionLink[]>();
  /** While building: what other sections say where they link to each section (see anchorTexts). */
  private anchors: ReadonlyMap<string, string[]> = new Map();
  private readonly sections: Section[] = [];
  /** While building: the search index sections are added to; sealed into `engine` by finish(). */
  private builder: SearchIndexBuilder<Field> | undefined;
  private engine: SearchIndex | undefined;
  /** Index terms of each section's own heading, numbered as they come (while building). */
  private headingTerms: HeadingTermsBuilder | undefined = new HeadingTermsBuilder();
  private headingIndex: HeadingTerms | undefined;
  /** Each section's document, as a number (the order documents were given in). */
  private readonly sectionDoc: Int32Array;
  /** Per query: each document's count and sum of its best section scores; reset after use. */
  private docCounts = new Int32Array(0);
  private docSums = new Float64Array(0);
  /** Per query: the re-ranked pool's final scores (reused). */
  private finals = new Float64Array(0);
  /** Per re-ranked hit: its score times the coverage factor, its lower bound, its match set. */
  private covered = new Float64Array(0);
  private lows = new Float64Array(0);
  private masks = new Int32Array(0);
  private readonly scratchScores = { values: new Float64Array(0) };
  /** Per query, the engine's lists of matched terms met so far, with their mask and idf sum (reused). */
  private readonly setLists: (readonly string[])[] = [];
  private readonly setMasks: number[] = [];
  private readonly setWeights: number[] = [];
  /** See sectionFlags. */
  private flags: Uint8Array | undefined;
  /** API names in each section's heading, lower case (`fs.readfile`, `structuredclone`). */
  private headingNames: string[][] = [];
  /** 1 for a deprecated section (see deprecationMarker), by section number. */
  private deprecated = new Uint8Array(0);
  /** processTerm results per token (build time; bounded). */
  private memo = new Map<string, string[]>();
  /** processTerm results per token after the build (queries); emptied when full. */
  private searchMemo = new Map<string, string[]>();
  /**
   * The words snippets have met, and their terms (bounded). It keeps each word's terms itself:
   * through searchTermsOf's memo, every word of a text met for the first time was also a Map
   * entry and an array there, kept (a fresh index's first searches paid for them in young-
   * generation GC, copying them out).
   */
  private readonly snippetWords = new SnippetWords((word) => this.tools.analysis.processTerm(word));
  /**
   * The texts snippets were last cut from, by section number (bounded: emptied when full): a
   * section's plain text is rebuilt from its Markdown when read (see StoredSection), and the
   * sections searches return repeat.
   */
  private snippetTexts = new Map<number, string>();

  private constructor(
    private readonly tools: IndexTools,
    documents: IndexedDocument[],
    readonly builtAt: Date,
  ) {
    let count = 0;
    for (const d of documents) count += d.sections.length;
    this.sectionDoc = new Int32Array(count);
    for (const d of documents) {
      this.docs.set(d.id, d);
      for (const s of d.sections) {
        this.byId.set(s.id, s);
        this.sections.push(s);
        this.sectionDoc[this.sections.length - 1] = this.docs.size - 1;
      }
    }
  }

  /** The engine settings: this file's ranking policy and text analysis. */
  private engineSettings(
    processTerm: (word: string) => string[] = this.tools.analysis.processTerm,
  ): SearchIndexSettings<Field> {
    return {
      fields: FIELDS,
      tokenize: this.tools.analysis.tokenize,
      scanWords,
      // Not through termsOf's memo: the engine analyzes each distinct word once by itself.
      processTerm,
      boost: RANKING.boost,
      bm25: RANKING.bm25,
      weights: { prefix: 0.3, fuzzy: 0.2 },
    };
  }

  /** The sealed search index (after buildAsync or restore). */
  private get index(): SearchIndex {
    if (!this.engine) throw new Error('DocIndex: the search index is not built yet');
    return this.engine;
  }

  private termsOf(token: string): string[] {
    let out = this.memo.get(token);
    if (!out) {
      out = this.tools.analysis.processTerm(token);
      if (this.memo.size < MEMO_MAX) this.memo.set(token, out);
    }
    return out;
  }

  /** Like termsOf, after the build, for queries: bounded by emptying, since queries bring any words. */
  private searchTermsOf(token: string): string[] {
    let out = this.searchMemo.get(token);
    if (!out) {
      out = this.tools.analysis.processTerm(token);
      if (this.searchMemo.size >= SEARCH_MEMO_MAX) this.searchMemo = new Map();
      this.searchMemo.set(token, out);
    }
    return out;
  }

  private indexSection(i: number): void {
    const s = this.sections[i] as Section;
    const { plain, lead, leadStart } = sectionTexts(s);
    const builder = this.builder;
    if (!builder) throw new Error('DocIndex: no search index to add to');
    // Lead and body as parts of the plain text where they can be: the same words as the lead's
    // string and withoutLead's, without its copies (one per lead paragraph, of the whole body).
    const parts = leadParts(plain, lead, leadStart);
    builder.add({
      heading: s.heading,
      path: pathOf(s),
      lead: parts ? { text: plain, ranges: parts.lead } : lead,
      body: parts ? { text: plain, ranges: parts.body } : withoutLead(plain, lead),
      anchors: this.anchors.get(s.id)?.join('\n') ?? '',
    });
    // The heading is the engine's first field: its terms as the engine just analyzed them (the
    // same tokenize and processTerm as headingTermsOf), not the heading analyzed a second time.
    const terms = builder.firstFieldTerms();
    this.headingTerms?.add(terms.length ? terms : NONE);
    // Here rather than in finish(): one pass over 300k sections is seconds with no progress shown.
    this.headingNames.push(headingNamesOf(s.heading));
    this.deprecated[i] = this.isDeprecated(s) ? 1 : 0;
  }

  /** Marks sections in order: `Stability: 0` (deprecated), or inside such a section. */
  private readonly isDeprecated = deprecationMarker();

  /** A few terms each: an array is smaller than a Set and as quick to look through. */
  private headingTermsOf(s: Section): readonly string[] {
    const out: string[] = [];
    for (const token of this.tools.analysis.tokenize(s.heading))
      for (const t of this.termsOf(token)) if (!out.includes(t)) out.push(t);
    return out.length ? out : NONE;
  }

  private finish(): this {
    if (this.builder) this.engine = this.builder.seal();
    this.builder = undefined;
    this.anchors = new Map();
    this.memo = new Map();
    this.headings();
    // A restored index marks its sections here (buildAsync did while indexing).
    if (this.headingNames.length !== this.sections.length) {
      this.headingNames = this.sections.map((s) => headingNamesOf(s.heading));
      const isDeprecated = deprecationMarker();
      this.deprecated = Uint8Array.from(this.sections, (s) => (isDeprecated(s) ? 1 : 0));
    }
    return this;
  }

  /**
   * Builds the index in slices that give the event loop back every few milliseconds: a large
   * corpus can be (re)indexed while the server keeps answering, and a start-up that is also
   * ordering a certificate does not hold up the ACME exchange. With `previous` (the index a
   * refresh replaces), documents that did not change keep their sections instead of being split
   * again.
   */
  static async buildAsync(
    tools: IndexTools,
    sources: readonly SourceDocument[],
    builtAt: Date,
    onProgress?: (done: number, total: number, phase: 'splitting' | 'indexing') => void,
    options: BuildOptions = {},
  ): Promise<DocIndex> {
    const { previous } = options;
    const maybeYield = timeSlicer(options.yieldNow, options.sliceMs);
    const distinct = unique(sources);
    const split = await splitAllAsync(tools, distinct, onProgress, maybeYield, previous);
    const docs = split.map((d) => d.document);
    const index = new DocIndex(tools, docs, builtAt);
    // Stems remembered while the sections are added (see rememberingStems), let go before sealing.
    const stems = tools.analysis.rememberingStems();
    index.builder = tools.engine.create(index.engineSettings(stems.processTerm));
    index.deprecated = new Uint8Array(index.sections.length);
    for (const s of distinct) index.sources.set(s.id, s);
    for (const d of split) index.links.set(d.document.id, d.links);
    // Between splitting and indexing, anchor texts are seconds at 50k documents: one more update
    // splits that stretch (the reporter logs at most every 2 s, and only when updated).
    onProgress?.(0, index.sections.length, 'indexing');
    const beforeAnchors = maybeYield();
    if (beforeAnchors) await beforeAnchors;
    index.anchors = anchorTexts(
      docs,
      split.flatMap((d) => d.links),
      RANKING.anchorContexts,
      index.byId,
    );
    for (let i = 0; i < index.sections.length; i++) {
      index.indexSection(i);
      if (onProgress && i % 500 === 0) onProgress(i, index.sections.length, 'indexing');
      const pause = maybeYield();
      if (pause) await pause;
    }
    onProgress?.(index.sections.length, index.sections.length, 'indexing');
    // Sealing is seconds at 50k documents: in slices too, and not silent (the reporter shows a
    // line only when told something, at most every 2 s).
    const total = index.sections.length;
    // What only indexing needed goes before sealing lays out the postings (a build's peak).
    index.anchors = new Map();
    index.memo = new Map();
    stems.forget();
    const sealing = async () => {
      onProgress?.(total, total, 'indexing');
      const pause = maybeYield();
      if (pause) await pause;
    };
    if (index.builder) index.engine = await index.builder.sealAsync(sealing);
    index.builder = undefined;
    return index.finish();
  }

  /** This index as plain data to persist (see IndexSnapshot); `fingerprint` names the corpus. */
  async snapshot(fingerprint: string, yieldNow?: () => Promise<void>): Promise<IndexSnapshot> {
    // Walking a large corpus takes a while (~1 s at 50k documents): give the event loop back.
    const maybeYield = timeSlicer(yieldNow);
    const documents = [];
    for (const d of this.docs.values()) {
      const source = this.sources.get(d.id);
      if (!source) throw new Error(`DocIndex: no source for document ${d.id}`);
      documents.push(snapshotDocument(source, d, this.links.get(d.id) ?? []));
      const pause = maybeYield();
      if (pause) await pause;
    }
    return {
      format: SNAPSHOT_FORMAT,
      fingerprint,
      probe: indexProbe(this.tools),
      builtAt: this.builtAt.toISOString(),
      documents,
      engine: this.index.snapshot(),
    };
  }

  /**
   * The index a snapshot holds, over the source documents it was made from; undefined when the
   * snapshot is of another layout, from code that analyzes text differently, or of other documents.
   */
  static restore(
    tools: IndexTools,
    snapshot: IndexSnapshot,
    sources: readonly SourceDocument[],
  ): DocIndex | undefined {
    if (snapshot.format !== SNAPSHOT_FORMAT || snapshot.probe !== indexProbe(tools)) return undefined;
    const distinct = unique(sources);
    if (distinct.length !== snapshot.documents.length) return undefined;
    const byId = new Map(distinct.map((s) => [s.id, s]));
    const docs: IndexedDocument[] = [];
    for (const snap of snapshot.documents) {
      const source = byId.get(snap.id);
      const doc = source && restoreDocument(snap, source);
      if (!doc) return undefined;
      // Held as a built index holds its sections (see StoredSection).
      docs.push(storedDocument(doc));
    }
    const builtAt = new Date(snapshot.builtAt);
    if (Number.isNaN(builtAt.getTime())) return undefined;
    const index = new DocIndex(tools, docs, builtAt);
    // Undefined for arrays that do not fit together: rebuild rather than score wrongly.
    index.engine = tools.engine.restore(index.engineSettings(), snapshot.engine);
    if (index.engine?.documentCount !== index.sections.length) return undefined;
    for (const s of distinct) index.sources.set(s.id, s);
    for (const d of snapshot.documents) index.links.set(d.id, Array.isArray(d.links) ? d.links : []);
    for (const s of index.sections) index.headingTerms?.add(index.headingTermsOf(s));
    return index.finish();
  }

  /**
   * The engine's best matches: exact terms only, unless the index has never seen a term: then it
   * is probably a typo or the start of an identifier. (Prefix and fuzzy matching on every term let
   * "cpus" match "cp" and cost 0.06 MRR on the dev questions.)
   */
  private candidates(terms: readonly string[], limit: number): SearchIndexHit[] {
    const engine = this.index;
    const unknown = (term: string) => !engine.has(term);
    return engine.search(terms, {
      limit,
      prefix: (term) => term.length > 3 && unknown(term),
      fuzzy: (term) => (term.length > 4 && unknown(term) ? RANKING.fuzzy : false),
    });
  }

  /** This index's split of a document, if the source document is the same as when it was built. */
  unchanged(source: SourceDocument): SplitDocument | undefined {
    const before = this.sources.get(source.id);
    if (
      !before ||
      before.markdown !== source.markdown ||
      before.path !== source.path ||
      before.title !== source.title ||
      before.url !== source.url
    )
      return undefined;
    const document = this.docs.get(source.id);
    const links = this.links.get(source.id);
    return document && links ? { document, links } : undefined;
  }

  get documentCount(): number {
    return this.docs.size;
  }

  get sectionCount(): number {
    return this.sections.length;
  }

  documents(): IndexedDocument[] {
    return [...this.docs.values()];
  }

  document(id: string): IndexedDocument | undefined {
    return this.docs.get(id);
  }

  section(id: string): Section | undefined {
    return this.byId.get(id);
  }

  search(query: string, limit: number): SearchHit[] {
    // A loop, not flatMap (a callback per token and a second array): the same terms in the same order.
    const queryTerms: string[] = [];
    for (const token of this.tools.analysis.tokenize(query))
      for (const term of this.searchTermsOf(token)) queryTerms.push(term);
    const terms = new Set(queryTerms);
    if (terms.size === 0) return [];
    const R = RANKING;
    const pool = this.candidates(queryTerms, Math.max(R.rerank, limit));
    if (pool.length === 0) return [];

    // Query term j (in first-seen order, the order hits list theirs in) weighs idfs[j].
    const termList = [...terms];
    const idfs = termList.map((t) => this.index.idf(t));
    let idfSum = 0;
    for (const w of idfs) idfSum += w;
    idfSum = idfSum || 1;
    // A term's j is termList.indexOf(term): a query has a few terms (a Map of them cost more to
    // make than the look-ups it saved), and the engine's lists hold the very same strings.
    // Up to 31 terms, which ones a hit matched is a bit mask (bit j for term j).
    const masks = termList.length <= 31;
    const headings = this.headings();
    if (masks) headings.query(termList);
    // Per list of matched terms (the engine shares one per match set): its mask and weight, summed
    // in the list's order as before. A pool holds a few match sets: the lists met so far are
    // compared by identity, the most recent first (a Map keyed by list cost more).
    const setLists = this.setLists;
    const setMasks = this.setMasks;
    const setWeights = this.setWeights;
    let setCount = 0;

    // A document's score: the sum of its best docTop sections' scores in the pool (best first).
    if (this.docCounts.length < this.docs.size) {
      this.docCounts = new Int32Array(this.docs.size);
      this.docSums = new Float64Array(this.docs.size);
    }
    const counts = this.docCounts;
    const sums = this.docSums;
    let bestDoc = 0;
    for (const r of pool) {
      const doc = this.sectionDoc[r.doc] as number;
      if ((counts[doc] as number) < R.docTop) {
        counts[doc] = (counts[doc] as number) + 1;
        sums[doc] = (sums[doc] as number) + r.score;
        bestDoc = Math.max(bestDoc, sums[doc] as number);
      }
    }
    const queryNames = apiNames(query, true);
    const dottedNames = queryNames.map((q) => `.${q}`);

    const n = pool.length;
    if (this.finals.length < n) {
      this.finals = new Float64Array(n);
      this.covered = new Float64Array(n);
      this.lows = new Float64Array(n);
      this.masks = new Int32Array(n);
    }
    const finals = this.finals;
    const covered = this.covered;
    const lows = this.lows;
    const hitMasks = this.masks;
    const flags = this.sectionFlags();
    // First what every hit's score is without the heading and name bonuses (each at least 1) and
    // the most it can be with them; only hits whose most reaches the `limit`-th best of the
    // former can be among the first `limit`, and only those get the heading and name look-ups
    // (cache misses per section). Rounding is monotonic, so a product by a larger factor, in the
    // same order, is never smaller: the bounds hold for the floating-point scores too.
    for (let k = 0; k < n; k++) {
      const r = pool[k] as SearchIndexHit;
      const i = r.doc;
      const list = r.queryTerms;
      let at = setCount - 1;
      while (at >= 0 && setLists[at] !== list) at--;
      if (at < 0) {
        let mask = 0;
        let weight = 0;
        for (const q of list) {
          const j = termList.indexOf(q);
          if (j < 0) continue;
          weight += idfs[j] as number;
          mask |= 1 << j;
        }
        at = setCount++;
        setLists[at] = list;
        setMasks[at] = mask;
        setWeights[at] = weight;
      }
      const setWeight = setWeights[at] as number;
      hitMasks[k] = setMasks[at] as number;
      const score = r.score * Math.min(1, setWeight / idfSum) ** R.coverage;
      covered[k] = score;
      // The heading's share is at most the matched terms' (a partial sum, in the same order).
      let high = score * (1 + R.headingBonus * Math.min(1, setWeight / idfSum));
      let low = score;
      const flag = flags[i] as number;
      if (queryNames.length && (flag & NAMED) !== 0) high *= 1 + R.nameBonus;
      if ((flag & DEPRECATED_SECTION) !== 0) {
        high *= R.deprecated;
        low *= R.deprecated;
      }
      if (bestDoc > 0) {
        const bonus = 1 + (R.docBonus * (sums[this.sectionDoc[i] as number] as number)) / bestDoc;
        high *= bonus;
        low *= bonus;
      }
      lows[k] = low;
      finals[k] = high;
    }
    const bar = n > limit ? kthLargest(lows, n, limit, this.scratchScores) : Number.NEGATIVE_INFINITY;
    for (let k = 0; k < n; k++) {
      // Below the bar: at least `limit` hits score more; its bound stands in for its score.
      if ((finals[k] as number) < bar) continue;
      const i = (pool[k] as SearchIndexHit).doc;
      const mask = hitMasks[k] as number;
      let inHeading = 0;
      if (masks) {
        // The terms in ascending bit order: the order of r.queryTerms, so the same sum.
        let both = headings.headingMask(i) & mask;
        while (both !== 0) {
          const low = both & -both;
          inHeading += idfs[31 - Math.clz32(low)] as number;
          both ^= low;
        }
      } else {
        for (const q of (pool[k] as SearchIndexHit).queryTerms) {
          const j = termList.indexOf(q);
          if (j >= 0 && headings.holds(i, q)) inHeading += idfs[j] as number;
        }
      }
      let score = covered[k] as number;
      score *= 1 + R.headingBonus * Math.min(1, inHeading / idfSum);
      const flag = flags[i] as number;
      if (
        queryNames.length &&
        (flag & NAMED) !== 0 &&
        namesMatch(queryNames, dottedNames, this.headingNames[i] ?? [])
      )
        score *= 1 + R.nameBonus;
      if ((flag & DEPRECATED_SECTION) !== 0) score *= R.deprecated;
      if (bestDoc > 0) score *= 1 + (R.docBonus * (sums[this.sectionDoc[i] as number] as number)) / bestDoc;
      finals[k] = score;
    }
    for (const r of pool) {
      const doc = this.sectionDoc[r.doc] as number;
      counts[doc] = 0;
      sums[doc] = 0;
    }

    const hits: SearchHit[] = [];
    const snippets = new SnippetMaker(terms, this.snippetWords);
    const take = (k: number): void => {
      const i = (pool[k] as SearchIndexHit).doc;
      const section = this.sections[i];
      if (!section) return;
      // Keyed by section: its kept scan is found without a look-up by text.
      const snippet = snippets.make(this.snippetText(i), SNIPPET_CHARS, i);
      hits.push({ section, score: finals[k] as number, snippet, snippetClean: snippets.clean });
    };
    const first = bestFirst(finals, n, limit);
    for (let x = 0; x < first.length && hits.length < limit; x++) take(first[x] as number);
    // The rest, in the same order, only if a section was missing (which does not happen).
    if (hits.length < limit && first.length < n)
      for (const k of bestFirst(finals, n, n, first.length)) {
        take(k);
        if (hits.length >= limit) break;
      }
    return hits;
  }

  /**
   * Per section, for the re-rank: whether it is deprecated and whether its heading names an API,
   * in one byte (made on the first search; the index does not change).
   */
  private sectionFlags(): Uint8Array {
    if (!this.flags) {
      const flags = new Uint8Array(this.sections.length);
      for (let i = 0; i < flags.length; i++)
        flags[i] =
          (this.deprecated[i] ? DEPRECATED_SECTION : 0) |
          ((this.headingNames[i]?.length ?? 0) > 0 ? NAMED : 0);
      this.flags = flags;
    }
    return this.flags;
  }

  /** The heading terms as numbers (made once, from headingTerms, when the build finishes). */
  private headings(): HeadingTerms {
    if (!this.headingIndex) {
      this.headingIndex = (this.headingTerms ?? new HeadingTermsBuilder()).build();
      this.headingTerms = undefined;
    }
    return this.headingIndex;
  }

  /**
   * What a snippet is cut from: the section's text or, for a heading with (almost) no text of its
   * own, the text of its subsections, which `fetch` returns with it.
   */
  private snippetText(i: number): string {
    let text = this.snippetTexts.get(i);
    if (text === undefined) {
      text = this.makeSnippetText(i);
      if (this.snippetTexts.size >= SNIPPET_TEXTS_MAX) this.snippetTexts = new Map();
      this.snippetTexts.set(i, text);
    }
    return text;
  }

  private makeSnippetText(i: number): string {
    const section = this.sections[i];
    if (!section) return '';
    if (section.plain.length >= TINY_SECTION) return section.plain;
    const parts = [section.plain];
    let length = section.plain.length;
    for (let j = i + 1; j < this.sections.length && length < SNIPPET_SOURCE; j++) {
      const sub = this.sections[j];
      if (!sub || sub.docId !== section.docId || sub.level <= section.level) break;
      parts.push(sub.heading, sub.plain);
      length += sub.heading.length + sub.plain.length;
    }
    return parts.filter(Boolean).join('\n');
  }

  /** Ids a client probably meant when it sent an unknown one: same document first, then by words. */
  suggest(id: string, max = 3): string[] {
    const out = new Set<string>();
    const [docPart = ''] = id.split('#');
    const doc = this.docs.get(docPart);
    if (doc) out.add(doc.id);
    const words = id.replace(/[#/._-]+/g, ' ');
    const terms = this.tools.analysis
      .tokenize(words)
      .flatMap((t) => this.searchTermsOf(t))
      .filter(Boolean);
    const hits = this.index.search(terms, { limit: max * 4, fuzzy: () => 0.3, prefix: () => true });
    for (const r of hits) {
      const s = this.sections[r.doc];
      if (s) out.add(s.id);
      if (out.size >= max) break;
    }
    return [...out].slice(0, max);
  }
}

/**
 * The `k`-th largest of values[0..n) (k from 1, at most n; values not NaN): the best k kept in
 * descending order in `scratch` (reused) as values go by, where sorting a copy of all n cost more.
 */
function kthLargest(values: Float64Array, n: number, k: number, scratch: { values: Float64Array }): number {
  if (scratch.values.length < k) scratch.values = new Float64Array(Math.max(k, 16));
  const top = scratch.values;
  let filled = 0;
  for (let j = 0; j < n; j++) {
    const v = values[j] as number;
    if (filled === k && !(v > (top[k - 1] as number))) continue;
    let y = filled < k ? filled++ : k - 1;
    while (y > 0 && (top[y - 1] as number) < v) {
      top[y] = top[y - 1] as number;
      y--;
    }
    top[y] = v;
  }
  return top[k - 1] as number;
}

/**
 * Indices of scores[0..n) from the highest score down, equal scores in index order (as a stable
 * sort gives): the first `few` of them, or, past `skip` (how many the caller took already, the
 * first `skip` of this same order), the rest. A few are picked by scans (a page of 10 from a pool
 * of 100), more by a sort.
 */
function bestFirst(scores: Float64Array, n: number, few: number, skip = 0): number[] {
  if (skip === 0 && few <= 32) {
    // One pass, the best so far kept in order (scores not NaN): an index moves up only past
    // strictly lower scores, so equal scores stay in index order, as scans for the highest gave.
    const order: number[] = [];
    for (let k = 0; k < n; k++) {
      const v = scores[k] as number;
      const filled = order.length;
      if (filled === few && !(v > (scores[order[few - 1] as number] as number))) continue;
      let y = filled < few ? filled : few - 1;
      while (y > 0 && (scores[order[y - 1] as number] as number) < v) {
        order[y] = order[y - 1] as number;
        y--;
      }
      order[y] = k;
    }
    return order;
  }
  const order = Array.from({ length: n }, (_, k) => k);
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return skip ? order.slice(skip) : order;
}

/**
 * A function to call often during a long job: it gives the event loop back once `sliceMs` of work
 * has passed since the last time (by default through setImmediate), so requests keep being served.
 * It returns the promise to await then, and undefined otherwise: awaiting on every call (once per
 * section) cost a promise and a trip through the microtask queue each.
 */
function timeSlicer(
  yieldNow: () => Promise<void> = () => new Promise<void>((resolve) => setImmediate(resolve)),
  sliceMs = 8,
): () => Promise<void> | undefined {
  let sliceStart = performance.now();
  return () => {
    if (performance.now() - sliceStart < sliceMs) return undefined;
    return yieldNow().then(() => {
      sliceStart = performance.now();
    });
  };
}

/** What decides a snapshot's contents besides the format: analysis, splitting, and the build's own settings. */
function indexProbe(tools: IndexTools): string {
  return `${tools.analysisProbe()}|fields:${FIELDS.join(',')}|anchors:${RANKING.anchorContexts}`;
}

const DOTTED = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+/g;
const CALLED = /([A-Za-z_$][\w$]*)\s*\(/g;
const IDENTIFIER = /[A-Za-z_$][\w$]*/g;
/** What any match of DOTTED, CALLED or a query's camelCase / snake_case IDENTIFIER contains. */
const MAY_NAME = /[.(_]|[a-z][A-Z]/;

/**
 * API names in a text, lower case: dotted paths (`fs.readFile`), called names (`structuredClone(`)
 * and, in a query, identifiers that are not plain words (`getStore`, `max_old_space_size`).
 */
export function apiNames(text: string, query: boolean): string[] {
  // Every name needs a dot, a parenthesis, an underscore or a lower-upper pair: most questions
  // and headings have none, and three global matches cost more than this test.
  if (!MAY_NAME.test(text)) return NONE;
  const out = new Set<string>();
  for (const m of text.matchAll(DOTTED)) out.add(m[0].toLowerCase());
  for (const m of text.matchAll(CALLED)) if (m[1]) out.add(m[1].toLowerCase());
  if (query)
    for (const m of text.matchAll(IDENTIFIER))
      if (m[0].length > 3 && /[a-z][A-Z]|_/.test(m[0])) out.add(m[0].toLowerCase());
  return [...out];
}

/**
 * One empty array for every section without heading terms or API names (most have no names): at
 * 300k sections, one each was ~10 MB.
 */
const NONE: string[] = [];

/** API names in a heading (see apiNames). */
function headingNamesOf(heading: string): string[] {
  const names = apiNames(heading, false);
  return names.length ? names : NONE;
}

/**
 * A query name is the heading's name, or its last part(s): `getstore` names `als.getstore`.
 * `dotted` holds each query name with a dot before it (made once per query, not per heading).
 */
function namesMatch(
  queryNames: readonly string[],
  dotted: readonly string[],
  headingNames: readonly string[],
): boolean {
  for (let j = 0; j < queryNames.length; j++) {
    const q = queryNames[j] as string;
    const dq = dotted[j] as string;
    for (const h of headingNames) if (h === q || h.endsWith(dq)) return true;
  }
  return false;
}

const DEPRECATED = /^\s*> Stability: 0\b/m;
/** What every match of DEPRECATED contains. */
const DEPRECATED_TEXT = '> Stability: 0';

/**
 * Given the sections in order, one at a time: whether each is marked `Stability: 0` (deprecated)
 * or is a subsection of such a section.
 */
function deprecationMarker(): (s: Section) => boolean {
  let open: { level: number; deprecated: boolean; doc: string }[] = [];
  return (s) => {
    open = open.filter((o) => o.doc === s.docId && o.level < s.level);
    // The literal first: a search for it is much quicker than the regex over every section.
    const deprecated =
      (s.markdown.includes(DEPRECATED_TEXT) && DEPRECATED.test(s.markdown)) || open.some((o) => o.deprecated);
    open.push({ level: s.level, deprecated, doc: s.docId });
    return deprecated;
  };
}

async function splitAllAsync(
  tools: IndexTools,
  sources: readonly SourceDocument[],
  onProgress: ((done: number, total: number, phase: 'splitting') => void) | undefined,
  maybeYield: () => Promise<void> | undefined,
  previous: DocIndex | undefined,
) {
  const docs: SplitDocument[] = [];
  for (const s of sources) {
    // Stored at once (see StoredSection): the plain texts the splitter made die young.
    docs.push(previous?.unchanged(s) ?? storedSplit(tools.splitter.split(s)));
    if (onProgress && docs.length % 500 === 0) onProgress(docs.length, sources.length, 'splitting');
    const pause = maybeYield();
    if (pause) await pause;
  }
  onProgress?.(sources.length, sources.length, 'splitting');
  return docs.sort((a, b) => byId(a.document, b.document));
}

/** First one wins: sources report their own duplicates. */
function unique(sources: readonly SourceDocument[]): SourceDocument[] {
  const seen = new Set<string>();
  return sources.filter((s) => !seen.has(s.id) && seen.add(s.id));
}

function byId(a: IndexedDocument, b: IndexedDocument): number {
  return a.id.localeCompare(b.id);
}

/** The document title and the headings above the section, joined by spaces. */
function pathOf(s: Section): string {
  let path = s.docTitle;
  const above = s.headingPath.length - 1;
  for (let k = 0; k < above; k++) path += ` ${s.headingPath[k]}`;
  return path;
}

/**
 * The lead and the body (see withoutLead) as parts of the plain text, when withoutLead replaces
 * the lead's paragraphs where the lead is, plain[at, end): the body is then plain[0, at) and
 * plain[end, n), with a space and the paragraphs' breaks between them, where no word is (as
 * between two parts). Undefined otherwise: when a paragraph is first found elsewhere in the plain
 * text, or could be once those before it are replaced (one that starts or ends with a space or a
 * line break could begin in what the replacements leave, or in text before them and run on into
 * it; one without cannot).
 */
function leadParts(
  plain: string,
  lead: string,
  at: number,
): { lead: readonly number[]; body: readonly number[] } | undefined {
  if (at < 0 || !lead) return undefined;
  // The paragraphs as lead.split('\n\n') gives them, each one's first place checked in turn.
  for (let from = 0; ; ) {
    const next = lead.indexOf('\n\n', from);
    const to = next < 0 ? lead.length : next;
    if (to === from) return undefined;
    const first = lead.charCodeAt(from);
    const last = lead.charCodeAt(to - 1);
    if (first === 32 || first === 10 || last === 32 || last === 10) return undefined;
    const paragraph = from === 0 && next < 0 ? lead : lead.slice(from, to);
    if (plain.indexOf(paragraph) !== at + from) return undefined;
    if (next < 0) break;
    from = next + 2;
  }
  const end = at + lead.length;
  return { lead: [at, end], body: [0, at, end, plain.length] };
}

/** The body without its lead paragraphs: each word is indexed once (the lead field weighs more). */
function withoutLead(plain: string, lead: string): string {
  if (!lead) return plain;
  let body = plain;
  for (const paragraph of lead.split('\n\n')) body = body.replace(paragraph, ' ');
  return body;
}
