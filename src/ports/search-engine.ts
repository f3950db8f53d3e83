/**
 * The full-text index behind DocIndex: sections go in as named text fields, numbered in the order
 * they are added; queries come back as section numbers with BM25+ scores. What the fields are,
 * how text becomes terms and how much each field weighs is the domain's ranking policy, handed in
 * as settings; how postings are stored and searched is the engine's business.
 */
export interface SearchEngine {
  /** An empty index to add sections to. */
  create<F extends string>(settings: SearchIndexSettings<F>): SearchIndexBuilder<F>;
  /**
   * The index a snapshot holds, or undefined when it does not fit these settings or this engine
   * (another layout, damaged arrays): the caller rebuilds rather than scores wrongly.
   */
  restore<F extends string>(
    settings: SearchIndexSettings<F>,
    snapshot: SearchIndexSnapshot,
  ): SearchIndex | undefined;
}

/**
 * A field's text: a string, or parts of one: text[ranges[0], ranges[1]), text[ranges[2],
 * ranges[3]) ..., whose words are those of the parts joined by a space. Parts let a caller index
 * several fields out of one text without cutting and joining copies of it.
 */
export type FieldText = string | { readonly text: string; readonly ranges: readonly number[] };

export interface SearchIndexSettings<F extends string> {
  readonly fields: readonly F[];
  /** Words of a field's text or of a query. */
  readonly tokenize: (text: string) => string[];
  /**
   * Optional, for speed: the words tokenize finds, handed over one by one as offsets into the text
   * and a 32-bit FNV-1a hash of their UTF-16 code units, without a string each. Must find exactly
   * the words tokenize finds. `ascii`, when given, holds the text's characters as bytes
   * (ascii[i] === text.charCodeAt(i)), valid during the call.
   */
  readonly scanWords?: (
    text: string,
    onWord: (start: number, end: number, hash: number, ascii?: Uint8Array) => void,
    /** Only the words of text[from, to), as if the text were that part alone. */
    from?: number,
    to?: number,
  ) => void;
  /** Index terms of one word; the same function analyzes sections and queries. */
  readonly processTerm: (token: string) => readonly string[];
  readonly boost: Readonly<Record<F, number>>;
  /** BM25+: term saturation k, length normalization b, per-match floor d. */
  readonly bm25: { readonly k: number; readonly b: number; readonly d: number };
  /** Prefix and fuzzy matches weigh this much (times a factor of the edit distance). */
  readonly weights: { readonly prefix: number; readonly fuzzy: number };
}

export interface SearchIndexBuilder<F extends string> {
  /** Adds the next section; returns its number (0, 1, 2 … in call order). */
  add(fields: Readonly<Record<F, FieldText>>): number;
  /**
   * The distinct terms of the first field (settings.fields[0]) of the section added last, in the
   * order they first come in it: what tokenize and processTerm give over that text, without the
   * caller analyzing it a second time. Empty when it has none.
   */
  firstFieldTerms(): readonly string[];
  /** Ends the build: the index is searchable, and add() may not be called again. */
  seal(): SearchIndex;
  /**
   * seal() in slices, awaiting `pause()` between them (it decides whether to give the event loop
   * back): sealing a large corpus is seconds of work that must not silence progress or requests.
   */
  sealAsync(pause: () => Promise<void>): Promise<SearchIndex>;
}

export interface SearchIndex {
  readonly documentCount: number;
  /** Whether any section has this term. */
  has(term: string): boolean;
  /** BM25's inverse document frequency of a term over all fields (an unknown term gets the maximum). */
  idf(term: string): number;
  /**
   * Sections matching any of the terms, best first: each term scored per field with BM25+ times
   * the field's boost (times the prefix/fuzzy weight for derived terms), the sum multiplied by the
   * number of distinct query terms matched. Equal scores: lower section number first. A query of
   * more than 32 distinct terms (a pasted paragraph) is scored on its 32 rarest: they carry the
   * meaning.
   */
  search(terms: readonly string[], options: SearchOptions): SearchIndexHit[];
  /** The index as plain data (strings, numbers, typed arrays) to persist; see SearchEngine.restore. */
  snapshot(): SearchIndexSnapshot;
}

export interface SearchOptions {
  /** Also match index terms that start with this query term. */
  readonly prefix?: (term: string) => boolean;
  /** Also match index terms within this edit distance (a fraction of the term's length), or false. */
  readonly fuzzy?: (term: string) => number | false;
  /** At most this many results. */
  readonly limit: number;
}

export interface SearchIndexHit {
  /** The section's number: the order in which it was added, from 0. */
  readonly doc: number;
  readonly score: number;
  /** The query terms the section matched, directly or by prefix/fuzzy. */
  readonly queryTerms: readonly string[];
}

/** Engine-specific plain data that structuredClone and v8.serialize keep as they are. */
export type SearchIndexSnapshot = object;

export const SEARCH_ENGINE = Symbol.for('certdocs.SearchEngine');
