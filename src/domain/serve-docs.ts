import { inject, injectable } from 'tsyringe';
import { CLOCK, type Clock } from '../ports/clock.js';
import { DOC_SOURCE, type DocSource } from '../ports/doc-source.js';
import { INDEX_STORE, type IndexStore, NO_INDEX_STORE } from '../ports/index-store.js';
import { LOGGER, type Logger } from '../ports/logger.js';
import { METRICS, type Metrics, NO_METRICS } from '../ports/metrics.js';
import { PROGRESS_REPORTER, type ProgressReporter } from '../ports/progress-reporter.js';
import { DocIndex } from './doc-index.js';
import type { IndexedDocument, Section, SourceDocument } from './document.js';
import { DocNotFoundError, InvalidQueryError } from './errors.js';
import { IndexTools } from './index-tools.js';
import { type Page, pageText } from './paging.js';
import { JSON_ESCAPED } from './snippet.js';

const INDEXING = 'indexing';
/** How long after a build its index is saved (see persist). */
export const SAVE_DELAY_MS = 1000;
const SILENT_PROGRESS: ProgressReporter = { update: () => undefined, finish: () => undefined };

/** ~5k tokens: far below Claude Code's 25k-token limit on a tool result, yet a useful page. */
export const DEFAULT_FETCH_CHARS = 20_000;
/** ~20k tokens at 4 chars/token: the hard ceiling whatever a client asks for. */
export const MAX_FETCH_CHARS = 80_000;
export const DEFAULT_SEARCH_LIMIT = 8;
export const MAX_SEARCH_LIMIT = 50;
export const DEFAULT_SEARCH_CHARS = 12_000;
/** Longer queries are refused before any work: typo matching costs the square of a term's length. */
export const MAX_QUERY_CHARS = 1000;
/** Longer ids name nothing: refused before the closest ids are looked for. */
export const MAX_ID_CHARS = 512;
/** How a token budget becomes a character budget: ~4 characters per token of English prose. */
export const CHARS_PER_TOKEN = 4;

/** A client's budget in characters and/or tokens: the tighter one wins. */
export interface Budget {
  readonly maxChars?: number;
  readonly maxTokens?: number;
}

function charBudget(input: Budget, fallback: number): number {
  const fromTokens = input.maxTokens === undefined ? undefined : input.maxTokens * CHARS_PER_TOKEN;
  if (input.maxChars === undefined) return fromTokens ?? fallback;
  return fromTokens === undefined ? input.maxChars : Math.min(input.maxChars, fromTokens);
}

export interface Provenance {
  readonly source: string;
  readonly indexBuiltAt: string;
}

export interface SearchResultItem {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly snippet: string;
  readonly document: string;
  readonly headingPath: readonly string[];
  readonly score: number;
}

export interface SearchOutcome extends Provenance {
  readonly results: SearchResultItem[];
}

/** A value and its JSON: exactly JSON.stringify(value). */
export interface WithJson<T> {
  readonly value: T;
  readonly json: string;
  /**
   * When known: json, and json as a JSON string (exactly JSON.stringify(json)), as pieces of UTF-8
   * to write one after the other (a reply that carries the JSON as text too need not escape ~5 KB
   * of it again: ~20 µs a search reply).
   */
  readonly jsonPieces?: Utf8Pieces;
  readonly jsonStringPieces?: Utf8Pieces;
  /** With the pieces: at least how many bytes they take together (3 per UTF-16 unit of a string). */
  readonly jsonPiecesBytes?: number;
}

/**
 * A text in pieces to be written as UTF-8 one after the other: pieces that recur from one answer
 * to the next (a section's part of a search result) as bytes, encoded once and kept; the rest as
 * strings. Writing a reply of ~11 KB from a string cost Node's socket write ~30 µs more than
 * writing bytes (its characters are two-byte: '…', '›'), more than the encoding of the few
 * strings between the kept pieces.
 */
export type Utf8Pieces = readonly (string | Uint8Array)[];

const UTF8 = new TextEncoder();

/** How large a ByteArena's blocks are. */
const ARENA_BLOCK = 1 << 16;

/**
 * UTF-8 of strings kept side by side in large blocks, handed out as views: the pieces of one
 * section's result are neighbours in memory, where an encode() each put every piece in its own
 * allocation (copying them into a reply was a cache miss or more per piece under load).
 */
class ByteArena {
  private block = new Uint8Array(ARENA_BLOCK);
  private used = 0;

  /** The UTF-8 of `text`, kept. */
  encode(text: string): Uint8Array {
    // At most 3 bytes per UTF-16 unit.
    if (3 * text.length > ARENA_BLOCK / 4) return UTF8.encode(text);
    if (this.used + 3 * text.length > this.block.length) {
      this.block = new Uint8Array(ARENA_BLOCK);
      this.used = 0;
    }
    const { written } = UTF8.encodeInto(text, this.block.subarray(this.used));
    const bytes = this.block.subarray(this.used, this.used + written);
    this.used += written;
    return bytes;
  }
}

/** A section's search result around its snippet and score (see ServeDocs.resultShape). */
interface ResultShape {
  readonly title: string;
  readonly head: string;
  readonly tail: string;
  /**
   * head and tail as UTF-8, and as UTF-8 of how they are inside a JSON string, each with the
   * snippet's quote (head's last, tail's first character): the pieces between them are then the
   * same string in both lists when the snippet needs no escapes.
   */
  readonly headBytes: Uint8Array;
  readonly tailBytes: Uint8Array;
  readonly headInStringBytes: Uint8Array;
  readonly tailInStringBytes: Uint8Array;
  /** The four byte arrays' lengths together (a typed array's length is no plain field read). */
  readonly bytes: number;
}

/** What JSON.stringify escapes in a string (see JSON_ESCAPED): a snippet with none is written as is. */
const NEEDS_ESCAPE = JSON_ESCAPED;

/** The characters of JSON.stringify(text) between its quotes. */
function inJsonString(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** An index's provenance, its JSON, and how a search outcome's JSON (and its JSON string) end. */
interface ProvenanceJson extends WithJson<Provenance> {
  /** UTF-8 of what follows the results in a search outcome's JSON, and in its JSON string. */
  readonly endBytes: Uint8Array;
  readonly endInStringBytes: Uint8Array;
}

export interface FetchOutcome {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly url: string;
  readonly metadata: Provenance & {
    readonly document: string;
    readonly documentPath: string;
    readonly headingPath: readonly string[];
    readonly offset: number;
    readonly nextOffset: number | null;
    readonly totalChars: number;
  };
}

/** A section or document read as one piece (an MCP resource): its first page, and where the rest is. */
export interface ReadOutcome extends FetchOutcome {
  /**
   * When the page stops short: the outermost sections not wholly on it, in document order. Each
   * is fetched with its subsections, so together they hold everything the page left out.
   */
  readonly rest: readonly RestSection[];
}

export interface RestSection {
  readonly id: string;
  /** Its own heading (the document's title for the preamble). */
  readonly heading: string;
  readonly level: number;
  /** What fetching it returns: the section with its subsections. */
  readonly chars: number;
}

export interface DocumentSummary {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly path: string;
  readonly sections: number;
  readonly chars: number;
}

export interface OutlineOutcome {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly sections: { id: string; title: string; level: number; chars: number }[];
}

export interface DocsStatus {
  readonly ready: boolean;
  readonly source: string;
  readonly documents: number;
  readonly sections: number;
  readonly indexBuiltAt: string | null;
}

/**
 * The docs half of certdocs: load a corpus, index it, and answer search / fetch / browse requests
 * in the shapes MCP clients expect. Transport-agnostic; the MCP adapter only translates.
 */
@injectable()
export class ServeDocs {
  private index: DocIndex | undefined;
  /** The served corpus's fingerprint, computed when first asked for (see loadOnce). */
  private fingerprint: (() => string) | undefined;
  /** The provenance of the index in service, made once per index (not a date string per request). */
  private provenanceCache: (ProvenanceJson & { readonly index: DocIndex }) | undefined;
  /** Per section (of any index still referenced): see resultShape. */
  private readonly resultShapes = new WeakMap<Section, ResultShape>();
  /** Where the result shapes' bytes are kept. */
  private readonly resultBytes = new ByteArena();
  /** Per fetched section or document of the index in service: see fetchShape. */
  private readonly fetchShapes = new FetchShapes(FETCH_SHAPE_BYTES);

  constructor(
    @inject(DOC_SOURCE) private readonly source: DocSource,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly logger: Logger,
    @inject(IndexTools) private readonly tools: IndexTools,
    @inject(PROGRESS_REPORTER) private readonly progressReporter: ProgressReporter = SILENT_PROGRESS,
    @inject(INDEX_STORE) private readonly indexStore: IndexStore = NO_INDEX_STORE,
    @inject(METRICS) private readonly metrics: Metrics = NO_METRICS,
  ) {}

  /** The index store's last save, if one is under way (tests and shutdown wait for it). */
  saving: Promise<void> = Promise.resolve();
  /** Aborted by close(): a save still waiting out its delay starts at once. */
  private readonly shuttingDown = new AbortController();

  /**
   * For shutdown: a pending save is not dropped (the next start would rebuild what was just built)
   * but started now, and awaited.
   */
  async close(): Promise<void> {
    this.shuttingDown.abort();
    await this.saving;
  }

  /**
   * Loads the corpus and builds the index, or restores the index saved for this very corpus by
   * the previous run. Throws DocSourceError if the source is unusable.
   */
  async load(): Promise<DocIndex> {
    try {
      return await this.loadOnce();
    } finally {
      this.progressReporter.finish(INDEXING);
    }
  }

  private async loadOnce(): Promise<DocIndex> {
    const started = performance.now();
    const docs = await this.source.load(this.readingProgress());
    // A pass over the whole text (0.3 s at 10k documents): before the build only to match a saved
    // index; else when a refresh or a save first needs it.
    const fingerprint = once(() => fingerprintOf(docs));
    const restored = this.indexStore.description ? await this.restore(docs, fingerprint()) : undefined;
    if (restored) {
      this.index = restored;
      this.fingerprint = fingerprint;
      this.recordIndex(restored);
      this.logger.info('docs index restored', {
        source: this.source.description,
        from: this.indexStore.description,
        documents: restored.documentCount,
        sections: restored.sectionCount,
        indexBuiltAt: restored.builtAt.toISOString(),
        ms: Math.round(performance.now() - started),
      });
      return restored;
    }
    return this.swapIn(docs, fingerprint, started, 'docs indexed');
  }

  /** The saved index, if it was built from exactly these documents by code that indexes alike. */
  private async restore(docs: SourceDocument[], fingerprint: string): Promise<DocIndex | undefined> {
    if (!this.indexStore.description) return undefined;
    try {
      const snapshot = await this.indexStore.load(this.source.description);
      if (!snapshot) return undefined;
      if (snapshot.fingerprint !== fingerprint) {
        this.logger.info('docs changed since the saved index; building a new one', {
          source: this.source.description,
        });
        return undefined;
      }
      const index = DocIndex.restore(this.tools, snapshot, docs);
      if (!index)
        this.logger.info('saved index is from other code or another layout; building a new one', {
          from: this.indexStore.description,
        });
      return index;
    } catch (e) {
      this.logger.warn('could not restore the saved index; building a new one', {
        from: this.indexStore.description,
        error: (e as Error).message,
      });
      return undefined;
    }
  }

  /**
   * Saves a new index for the next start, in the background: serving does not wait for it. The
   * save starts SAVE_DELAY_MS after the build, once the server is up, and is skipped when a newer
   * index has replaced this one by then (that one is saved instead).
   */
  private persist(index: DocIndex, fingerprint: () => string): void {
    if (!this.indexStore.description) return;
    this.saving = this.saving
      .then(() => this.clock.sleep(SAVE_DELAY_MS, this.shuttingDown.signal))
      .then(async () => {
        if (this.index !== index) return;
        const started = performance.now();
        await this.indexStore.save(this.source.description, await index.snapshot(fingerprint()));
        this.logger.info('docs index saved', {
          to: this.indexStore.description,
          ms: Math.round(performance.now() - started),
        });
      })
      .catch((e: Error) =>
        this.logger.warn('could not save the index; the next start builds it again', {
          to: this.indexStore.description,
          error: e.message,
        }),
      );
  }

  /**
   * Reloads the source and, if anything changed, builds a new index beside the old one and swaps
   * it in. A failed reload (network error, malformed index) keeps the old index: never emptied.
   */
  async refresh(): Promise<{ changed: boolean; error?: string }> {
    try {
      return await this.refreshOnce();
    } finally {
      this.progressReporter.finish(INDEXING);
    }
  }

  private async refreshOnce(): Promise<{ changed: boolean; error?: string }> {
    const started = performance.now();
    let docs: SourceDocument[];
    try {
      docs = await this.source.load(this.readingProgress());
    } catch (e) {
      const error = (e as Error).message;
      this.logger.warn('docs refresh failed; still serving the previous index', {
        source: this.source.description,
        error,
        indexBuiltAt: this.index?.builtAt.toISOString(),
      });
      return { changed: false, error };
    }
    const fingerprint = fingerprintOf(docs);
    if (fingerprint === this.fingerprint?.()) return { changed: false };
    await this.swapIn(docs, () => fingerprint, started, 'docs re-indexed');
    return { changed: true };
  }

  /** Builds the new index beside the current one, then replaces the reference in one step. */
  private async swapIn(docs: SourceDocument[], fingerprint: () => string, started: number, what: string) {
    const index = await DocIndex.buildAsync(this.tools, docs, this.clock.now(), this.progress(), {
      previous: this.index,
    });
    this.index = index;
    this.fingerprint = fingerprint;
    this.recordIndex(index);
    this.persist(index, fingerprint);
    this.logger.info(what, {
      source: this.source.description,
      documents: index.documentCount,
      sections: index.sectionCount,
      ms: Math.round(performance.now() - started),
    });
    return index;
  }

  private recordIndex(index: DocIndex): void {
    this.metrics.indexBuilt({
      documents: index.documentCount,
      sections: index.sectionCount,
      builtAt: index.builtAt,
    });
  }

  /** Progress of reading the source: the first stage of the indexing task. */
  private readingProgress(): (done: number, total: number) => void {
    return (done, total) => this.progressReporter.update(INDEXING, done, total, 'reading files');
  }

  /**
   * Progress of long builds, so a 50k-document start is not silent (see ProgressReporter). One
   * task across its stages: stages each just under the reporter's threshold are still one long job.
   */
  private progress(): (done: number, total: number, phase: string) => void {
    return (done, total, phase) => {
      const stage = phase === 'splitting' ? 'splitting into sections' : 'building the index';
      this.progressReporter.update(INDEXING, done, total, stage);
    };
  }

  status(): DocsStatus {
    return {
      ready: this.index !== undefined,
      source: this.source.description,
      documents: this.index?.documentCount ?? 0,
      sections: this.index?.sectionCount ?? 0,
      indexBuiltAt: this.index?.builtAt.toISOString() ?? null,
    };
  }

  search(input: { query: string; limit?: number } & Budget): SearchOutcome {
    return this.searchJson(input).value;
  }

  /**
   * search(), with the outcome's JSON (exactly JSON.stringify(value)), written from parts kept per
   * section: the budget measures each result's JSON anyway, and a reply that carries the JSON
   * need not serialize the results again.
   */
  searchJson(input: { query: string; limit?: number } & Budget): WithJson<SearchOutcome> {
    const started = performance.now();
    const outcome = this.searchIndex(input);
    this.metrics.searchServed(performance.now() - started);
    return outcome;
  }

  private searchIndex(input: { query: string; limit?: number } & Budget): WithJson<SearchOutcome> {
    const index = this.ready();
    const query = input.query.trim();
    if (!query)
      throw new InvalidQueryError('The query is empty: describe what you are looking for in words.');
    if (query.length > MAX_QUERY_CHARS) {
      throw new InvalidQueryError(
        `The query is ${query.length} characters long; at most ${MAX_QUERY_CHARS} are searched. Keep the words that matter.`,
      );
    }
    const limit = clamp(input.limit ?? DEFAULT_SEARCH_LIMIT, 1, MAX_SEARCH_LIMIT);
    const budget = clamp(charBudget(input, DEFAULT_SEARCH_CHARS), 200, MAX_FETCH_CHARS);
    const results: SearchResultItem[] = [];
    let json = '{"results":[';
    const pieces: (string | Uint8Array)[] = ['{"results":['];
    const stringPieces: (string | Uint8Array)[] = ['"{\\"results\\":['];
    let used = 0;
    // Room for both lists of pieces, counted as they are made (see WithJson.jsonPiecesBytes).
    let bytes = 3 * (pieces[0] as string).length + 3 * (stringPieces[0] as string).length;
    for (const hit of index.search(query, limit)) {
      const shape = this.resultShape(hit.section);
      const score = Math.round(hit.score * 100) / 100;
      // JSON.stringify(item): only the snippet and the score differ from one query to the next.
      const snippet = hit.snippet;
      const clean = hit.snippetClean || !NEEDS_ESCAPE.test(snippet);
      const snippetJson = clean ? `"${snippet}"` : JSON.stringify(snippet);
      const itemJson = `${shape.head}${snippetJson}${shape.tail}${score}}`;
      const size = itemJson.length;
      if (results.length > 0 && used + size > budget) break;
      used += size;
      // The snippet without its quotes (they are in the shape's bytes), and as it is in a JSON string.
      const inner = clean ? snippet : snippetJson.slice(1, -1);
      const innerInString = clean ? snippet : inJsonString(inner);
      if (results.length > 0) {
        json += `,${itemJson}`;
        // After the previous item's score, which is a string.
        pieces[pieces.length - 1] = `${pieces[pieces.length - 1] as string},`;
        stringPieces[stringPieces.length - 1] = `${stringPieces[stringPieces.length - 1] as string},`;
      } else json += itemJson;
      const scoreEnd = `${score}}`;
      pieces.push(shape.headBytes, inner, shape.tailBytes, scoreEnd);
      stringPieces.push(shape.headInStringBytes, innerInString, shape.tailInStringBytes, scoreEnd);
      // The comma the next item adds after the score included.
      bytes += shape.bytes + 3 * (inner.length + innerInString.length + 2 * scoreEnd.length + 2);
      results.push({
        id: hit.section.id,
        title: shape.title,
        url: hit.section.url,
        snippet: hit.snippet,
        document: hit.section.docId,
        headingPath: hit.section.headingPath,
        score,
      });
    }
    const provenance = this.provenanceWithJson(index);
    // Written out, not spread (see fetch); the keys in the order the JSON has them.
    const value: SearchOutcome = {
      results,
      source: provenance.value.source,
      indexBuiltAt: provenance.value.indexBuiltAt,
    };
    pieces.push(provenance.endBytes);
    stringPieces.push(provenance.endInStringBytes);
    bytes += provenance.endBytes.length + provenance.endInStringBytes.length;
    return {
      value,
      json: `${json}],${provenance.json.slice(1)}`,
      jsonPieces: pieces,
      jsonStringPieces: stringPieces,
      jsonPiecesBytes: bytes,
    };
  }

  /**
   * A section's title, and its search result's JSON before and after the snippet's (up to
   * `"snippet":`, and from `,"document":` up to the score's): kept per section, which never
   * changes once built.
   */
  private resultShape(section: Section): ResultShape {
    let shape = this.resultShapes.get(section);
    if (!shape) {
      const title = sectionTitle(section);
      const head = JSON.stringify({ id: section.id, title, url: section.url, snippet: '' });
      const tail = JSON.stringify({ document: section.docId, headingPath: section.headingPath, score: 0 });
      const headJson = head.slice(0, -3);
      const tailJson = `,${tail.slice(1, -2)}`;
      // In the order a reply copies them: its text's JSON string first, then the text.
      const arena = this.resultBytes;
      const headInStringBytes = arena.encode(inJsonString(`${headJson}"`));
      const tailInStringBytes = arena.encode(inJsonString(`"${tailJson}`));
      const headBytes = arena.encode(`${headJson}"`);
      const tailBytes = arena.encode(`"${tailJson}`);
      shape = {
        title,
        head: headJson,
        tail: tailJson,
        headBytes,
        tailBytes,
        headInStringBytes,
        tailInStringBytes,
        bytes: headBytes.length + tailBytes.length + headInStringBytes.length + tailInStringBytes.length,
      };
      this.resultShapes.set(section, shape);
    }
    return shape;
  }

  /** A section (with its subsections) or a whole document, one page at a time. */
  fetch(input: { id: string; offset?: number } & Budget): FetchOutcome {
    const index = this.ready();
    const maxChars = clamp(charBudget(input, DEFAULT_FETCH_CHARS), 500, MAX_FETCH_CHARS);
    const target = this.resolve(index, input.id);
    const page = pageText(target.markdown, input.offset ?? 0, maxChars);
    const { source, indexBuiltAt } = this.provenance(index);
    return {
      id: target.id,
      title: target.title,
      text: page.text,
      url: target.url,
      // Written out, not spread: a literal with a spread is built key by key on every call, which
      // cost more than the rest of a fetch (a CPU profile of the MCP fetch bench).
      metadata: {
        source,
        indexBuiltAt,
        document: target.doc.id,
        documentPath: target.doc.path,
        headingPath: target.headingPath,
        offset: page.offset,
        nextOffset: page.nextOffset,
        totalChars: page.totalChars,
      },
    };
  }

  /**
   * fetch(), with the outcome's JSON (exactly JSON.stringify(value)) and its UTF-8 pieces: a
   * section's JSON up to its page's offset, and as it is inside a JSON string, is kept per section
   * (text included when the page is the whole text), so a reply is written from kept bytes and the
   * few figures that follow them, without escaping the text twice per request.
   */
  fetchJson(input: { id: string; offset?: number } & Budget): WithJson<FetchOutcome> {
    const index = this.ready();
    const maxChars = clamp(charBudget(input, DEFAULT_FETCH_CHARS), 500, MAX_FETCH_CHARS);
    const shape = this.fetchShape(index, input.id);
    const markdown = shape.markdown;
    const offset = input.offset ?? 0;
    // pageText's page, without a copy of the text when the page is all of it.
    const whole = Math.min(Math.max(0, offset), markdown.length) === 0 && markdown.length <= maxChars;
    const page: Page = whole
      ? { text: markdown, offset: 0, nextOffset: null, totalChars: markdown.length }
      : pageText(markdown, offset, maxChars);
    const { source, indexBuiltAt } = this.provenance(index);
    // Key for key as fetch() makes it.
    const value: FetchOutcome = {
      id: shape.id,
      title: shape.title,
      text: page.text,
      url: shape.url,
      metadata: {
        source,
        indexBuiltAt,
        document: shape.document,
        documentPath: shape.documentPath,
        headingPath: shape.headingPath,
        offset: page.offset,
        nextOffset: page.nextOffset,
        totalChars: page.totalChars,
      },
    };
    const next = page.nextOffset === null ? 'null' : jsonNumber(page.nextOffset);
    const figures = [jsonNumber(page.offset), next, page.totalChars] as const;
    const tail = `"offset":${figures[0]},"nextOffset":${figures[1]},"totalChars":${figures[2]}}}`;
    // Inside a JSON string (figures need no escapes), with the string's closing quote.
    const tailInString = `\\"offset\\":${figures[0]},\\"nextOffset\\":${figures[1]},\\"totalChars\\":${figures[2]}}}"`;
    if (whole) {
      const full = this.fetchShapes.whole(shape);
      return {
        value,
        json: `${full.json}${tail}`,
        jsonPieces: [full.bytes, tail],
        jsonStringPieces: [full.inStringBytes, tailInString],
        jsonPiecesBytes:
          full.bytes.length + full.inStringBytes.length + 3 * (tail.length + tailInString.length),
      };
    }
    const textJson = JSON.stringify(page.text);
    const textInString = inJsonString(textJson);
    return {
      value,
      json: `${shape.head}${textJson}${shape.middle}${tail}`,
      jsonPieces: [shape.headBytes, textJson, shape.middleBytes, tail],
      jsonStringPieces: [shape.headInStringBytes, textInString, shape.middleInStringBytes, tailInString],
      jsonPiecesBytes:
        shape.bytes + 3 * (textJson.length + textInString.length + tail.length + tailInString.length),
    };
  }

  /** What fetchJson keeps of a section or document of the index in service (see FetchShape). */
  private fetchShape(index: DocIndex, id: string): FetchShape {
    const shapes = this.fetchShapes;
    shapes.serving(index);
    const doc = index.document(id);
    const section = doc ? undefined : index.section(id);
    const key = doc ?? section;
    const kept = key && shapes.get(key);
    if (kept) return kept;
    // Throws DocNotFoundError when neither is found.
    const target = this.resolve(index, id);
    const { source, indexBuiltAt } = this.provenance(index);
    const head = `${JSON.stringify({ id: target.id, title: target.title, text: '' }).slice(0, -3)}`;
    const metadata = JSON.stringify({
      source,
      indexBuiltAt,
      document: target.doc.id,
      documentPath: target.doc.path,
      headingPath: target.headingPath,
    });
    const middle = `,"url":${JSON.stringify(target.url)},"metadata":${metadata.slice(0, -1)},`;
    const shape = FetchShapes.shape(
      {
        id: target.id,
        title: target.title,
        url: target.url,
        document: target.doc.id,
        documentPath: target.doc.path,
        headingPath: target.headingPath,
        markdown: target.markdown,
      },
      head,
      middle,
    );
    shapes.set(target.section ?? target.doc, shape);
    return shape;
  }

  /**
   * Like fetch's first page, plus the sections that hold the rest: one response a client can act
   * on, never a whole 270 KB document.
   */
  read(id: string): ReadOutcome {
    const page = this.fetch({ id });
    const cut = page.metadata.nextOffset;
    if (cut === null) return { ...page, rest: [] };
    const target = this.resolve(this.ready(), id);
    const inTarget = target.section
      ? withSubsectionList(target.doc, target.section)
      : [...target.doc.sections];
    const rest: RestSection[] = [];
    // Offsets are approximate for a whole document (its Markdown is not exactly its sections
    // joined), which only decides whether a section at the cut is listed.
    let end = 0;
    let inside: number | undefined;
    for (const s of inTarget) {
      end += s.markdown.length + 2;
      if (inside !== undefined && s.level > inside) continue;
      inside = undefined;
      if (end - 2 <= cut || s === target.section) continue;
      rest.push({
        id: s.id,
        heading: s.heading || s.docTitle,
        level: s.level,
        chars: withSubsections(target.doc, s).length,
      });
      // The preamble (level 0) is fetched alone: what follows it is not inside it.
      if (s.level > 0) inside = s.level;
    }
    return { ...page, rest };
  }

  listDocuments(input: { prefix?: string; offset?: number; limit?: number }): {
    documents: DocumentSummary[];
    total: number;
    nextOffset: number | null;
  } {
    const index = this.ready();
    const prefix = input.prefix ?? '';
    const all = index.documents().filter((d) => d.id.startsWith(prefix));
    const offset = Math.max(0, input.offset ?? 0);
    const limit = clamp(input.limit ?? 100, 1, 500);
    const page = all.slice(offset, offset + limit).map(summarize);
    return {
      documents: page,
      total: all.length,
      nextOffset: offset + limit < all.length ? offset + limit : null,
    };
  }

  outline(id: string): OutlineOutcome {
    const index = this.ready();
    const doc = index.document(id.split('#')[0] ?? id);
    if (!doc) throw notFound(index, id);
    return {
      id: doc.id,
      title: doc.title,
      url: doc.url,
      sections: doc.sections.map((s) => ({
        id: s.id,
        title: s.heading || doc.title,
        level: s.level,
        chars: s.markdown.length,
      })),
    };
  }

  document(id: string): IndexedDocument {
    const index = this.ready();
    const doc = index.document(id);
    if (!doc) throw notFound(index, id);
    return doc;
  }

  private resolve(index: DocIndex, id: string) {
    const doc = index.document(id);
    if (doc)
      return {
        id: doc.id,
        title: doc.title,
        url: doc.url,
        markdown: doc.markdown,
        headingPath: [],
        doc,
        section: undefined,
      };
    const section = index.section(id);
    const owner = section && index.document(section.docId);
    if (!section || !owner) throw notFound(index, id);
    return {
      id: section.id,
      title: sectionTitle(section),
      url: section.url,
      markdown: withSubsections(owner, section),
      headingPath: section.headingPath,
      doc: owner,
      section,
    };
  }

  private ready(): DocIndex {
    if (!this.index) throw new Error('ServeDocs used before load()');
    return this.index;
  }

  private provenance(index: DocIndex): Provenance {
    return this.provenanceWithJson(index).value;
  }

  /** The provenance of an index, its JSON, and the ends of a search outcome's JSON made of it. */
  private provenanceWithJson(index: DocIndex): ProvenanceJson {
    const cached = this.provenanceCache;
    if (cached?.index === index) return cached;
    const value = { source: this.source.description, indexBuiltAt: index.builtAt.toISOString() };
    const json = JSON.stringify(value);
    const jsonInString = inJsonString(json);
    this.provenanceCache = {
      index,
      value,
      json,
      endBytes: UTF8.encode(`],${json.slice(1)}`),
      endInStringBytes: UTF8.encode(`],${jsonInString.slice(1)}"`),
    };
    return this.provenanceCache;
  }
}

function sectionTitle(s: Section): string {
  if (!s.heading) return s.docTitle;
  return s.headingPath[0] === s.docTitle || s.headingPath.length > 1
    ? [s.docTitle, ...s.headingPath.slice(1)].join(' › ')
    : `${s.docTitle} › ${s.heading}`;
}

/** A section's Markdown followed by its nested subsections (up to the next heading of its level or above). */
function withSubsections(doc: IndexedDocument, section: Section): string {
  return withSubsectionList(doc, section)
    .map((s) => s.markdown)
    .join('\n\n');
}

/** A section and its nested subsections, in order. */
function withSubsectionList(doc: IndexedDocument, section: Section): Section[] {
  const list = [section];
  if (section.level === 0) return list;
  for (let i = section.order + 1; i < doc.sections.length; i++) {
    const next = doc.sections[i];
    if (!next || next.level <= section.level) break;
    list.push(next);
  }
  return list;
}

function summarize(d: IndexedDocument): DocumentSummary {
  return {
    id: d.id,
    title: d.title,
    url: d.url,
    path: d.path,
    sections: d.sections.length,
    chars: d.markdown.length,
  };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(n)));
}

/** `fn`'s result, computed on the first call. */
function once<T>(fn: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = fn();
      done = true;
    }
    return value;
  };
}

/** Cheap change detection: ids, titles and full text, order-independent. */
function fingerprintOf(docs: readonly SourceDocument[]): string {
  let h1 = 0x811c9dc5;
  let h2 = docs.length;
  const sorted = [...docs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const d of sorted) {
    for (const text of [d.id, d.title ?? '', d.url ?? '', d.markdown]) {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995) + i;
      }
      h1 = Math.imul(h1 ^ 0xff, 0x01000193);
    }
  }
  return `${(h1 >>> 0).toString(16)}-${(h2 >>> 0).toString(16)}-${docs.length}`;
}

/** An id no document or section has; the closest ids are looked for only when the id could be one. */
function notFound(index: DocIndex, id: string): DocNotFoundError {
  if (id.length > MAX_ID_CHARS)
    return new DocNotFoundError(id, [], `ids are at most ${MAX_ID_CHARS} characters`);
  return new DocNotFoundError(id, index.suggest(id));
}

/** How many bytes of fetch shapes are kept (twice over at most: see FetchShapes). */
const FETCH_SHAPE_BYTES = 8 << 20;

/**
 * A fetched section's or document's JSON around its page's text (up to `"text":`, and from
 * `,"url":` up to the page's offset), with the provenance of the index in service; as a string,
 * as UTF-8, and as UTF-8 of how it is inside a JSON string (a reply carries the JSON twice).
 */
interface FetchShape {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly document: string;
  readonly documentPath: string;
  readonly headingPath: readonly string[];
  /** The whole text (a section with its subsections). */
  readonly markdown: string;
  readonly head: string;
  readonly middle: string;
  readonly headBytes: Uint8Array;
  readonly middleBytes: Uint8Array;
  readonly headInStringBytes: Uint8Array;
  readonly middleInStringBytes: Uint8Array;
  /** The four byte arrays' lengths together. */
  readonly bytes: number;
  /** About what the shape keeps, in bytes (its strings at two bytes a character). */
  size: number;
  /** Once a page was all of the text: the JSON up to the offset with the text in it. */
  whole: WholeText | undefined;
}

interface WholeText {
  /** head, the JSON string of the whole text, middle. */
  readonly json: string;
  readonly bytes: Uint8Array;
  /** The opening quote of the JSON string, then json as it is inside it. */
  readonly inStringBytes: Uint8Array;
}

/**
 * Fetch shapes of one index, in two generations: the current one takes new shapes and those met
 * again from the previous one; once it holds `budget` bytes it becomes the previous one (the
 * previous one dropped). At most twice the budget is kept, and a shape fetched again and again stays.
 */
class FetchShapes {
  private current = new Map<object, FetchShape>();
  private previous = new Map<object, FetchShape>();
  private used = 0;
  private index: DocIndex | undefined;

  constructor(private readonly budget: number) {}

  /** Shapes are of the index in service (its provenance is in them): forgotten when it changes. */
  serving(index: DocIndex): void {
    if (this.index === index) return;
    this.index = index;
    this.current = new Map();
    this.previous = new Map();
    this.used = 0;
  }

  get(key: object): FetchShape | undefined {
    const shape = this.current.get(key);
    if (shape !== undefined) return shape;
    const old = this.previous.get(key);
    if (old === undefined) return undefined;
    this.previous.delete(key);
    this.set(key, old);
    return old;
  }

  set(key: object, shape: FetchShape): void {
    if (this.used + shape.size > this.budget && this.current.size > 0) {
      this.previous = this.current;
      this.current = new Map();
      this.used = 0;
    }
    this.current.set(key, shape);
    this.used += shape.size;
  }

  /** The shape's whole-text JSON, made the first time a page is all of its text. */
  whole(shape: FetchShape): WholeText {
    if (shape.whole !== undefined) return shape.whole;
    const json = `${shape.head}${JSON.stringify(shape.markdown)}${shape.middle}`;
    const inString = JSON.stringify(json);
    const bytes = UTF8.encode(json);
    // Without the closing quote: the tail that follows ends the string.
    const inStringBytes = UTF8.encode(inString.slice(0, -1));
    const whole: WholeText = { json, bytes, inStringBytes };
    shape.whole = whole;
    const size = 2 * json.length + bytes.length + inStringBytes.length;
    shape.size += size;
    this.used += size;
    return whole;
  }

  static shape(
    fields: Pick<
      FetchShape,
      'id' | 'title' | 'url' | 'document' | 'documentPath' | 'headingPath' | 'markdown'
    >,
    head: string,
    middle: string,
  ): FetchShape {
    const headInString = JSON.stringify(head).slice(0, -1);
    const middleInString = inJsonString(middle);
    // One allocation for the four, side by side (at most 3 bytes per UTF-16 unit).
    const room = new Uint8Array(
      3 * (head.length + middle.length + headInString.length + middleInString.length),
    );
    const ends: number[] = [];
    let at = 0;
    for (const part of [head, middle, headInString, middleInString]) {
      at += UTF8.encodeInto(part, room.subarray(at)).written;
      ends.push(at);
    }
    const all = room.slice(0, at);
    const [headEnd, middleEnd, headInStringEnd] = ends as [number, number, number, number];
    const headBytes = all.subarray(0, headEnd);
    const middleBytes = all.subarray(headEnd, middleEnd);
    const headInStringBytes = all.subarray(middleEnd, headInStringEnd);
    const middleInStringBytes = all.subarray(headInStringEnd);
    return {
      ...fields,
      head,
      middle,
      headBytes,
      middleBytes,
      headInStringBytes,
      middleInStringBytes,
      bytes: all.length,
      size: all.length + 2 * (fields.markdown.length + head.length + middle.length),
      whole: undefined,
    };
  }
}

/** A number as JSON.stringify writes it. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null';
}
