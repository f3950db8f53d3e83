import MiniSearch, { type SearchResult } from 'minisearch';
import type { IndexedDocument, Section, SourceDocument } from './document.js';
import { splitDocument } from './markdown-sections.js';
import { learnAbbreviations } from './abbreviations.js';
import { makeSnippet } from './snippet.js';
import { analyze, processTerm, tokenize } from './text-analysis.js';

export interface SearchHit {
  readonly section: Section;
  readonly score: number;
  readonly snippet: string;
}

interface IndexedFields {
  id: number;
  heading: string;
  path: string;
  alias: string;
  body: string;
}

/** Field weights: a section whose own heading names the query beats one that mentions it in passing. */
const BOOST = { heading: 4, path: 2, alias: Number(process.env.B_ALIAS ?? 2), body: 1 } as const;

/**
 * The in-memory search index over one snapshot of a corpus. Immutable once built: a refresh
 * builds a new DocIndex beside the old one and swaps the reference.
 */
export class DocIndex {
  private readonly byId = new Map<string, Section>();
  private readonly docs = new Map<string, IndexedDocument>();
  private readonly sections: Section[] = [];
  private readonly engine: MiniSearch<IndexedFields>;

  private constructor(
    documents: IndexedDocument[],
    readonly builtAt: Date,
  ) {
    for (const d of documents) {
      this.docs.set(d.id, d);
      for (const s of d.sections) {
        this.byId.set(s.id, s);
        this.sections.push(s);
      }
    }
    this.engine = new MiniSearch<IndexedFields>({
      fields: ['heading', 'path', 'alias', 'body'],
      tokenize,
      processTerm: (t) => processTerm(t),
      searchOptions: {
        boost: BOOST,
        prefix: false,
        fuzzy: (term) => (term.length > 5 ? 0.15 : false),
        weights: { prefix: 0.3, fuzzy: 0.2 },
        combineWith: 'OR',
      },
    });
    const abbreviations = learnAbbreviations(this.sections);
    this.engine.addAll(
      this.sections.map((s, i) => ({
        id: i,
        heading: s.heading,
        path: [s.docTitle, ...s.headingPath.slice(0, -1)].join(' '),
        alias: abbreviations.expand(s.heading).join(' '),
        body: s.plain,
      })),
    );
  }

  static build(
    sources: readonly SourceDocument[],
    builtAt: Date,
    onProgress?: (done: number, total: number) => void,
  ): DocIndex {
    const seen = new Set<string>();
    const docs: IndexedDocument[] = [];
    for (const s of sources) {
      if (seen.has(s.id)) continue; // first one wins; sources report duplicates themselves
      seen.add(s.id);
      docs.push(splitDocument(s));
      if (onProgress && docs.length % 500 === 0) onProgress(docs.length, sources.length);
    }
    docs.sort((a, b) => a.id.localeCompare(b.id));
    return new DocIndex(docs, builtAt);
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
    const terms = new Set(analyze(query));
    if (terms.size === 0) return [];
    const results: SearchResult[] = this.engine.search(query);
    const hits: SearchHit[] = [];
    for (const r of results) {
      const section = this.sections[r.id as number];
      if (!section) continue;
      hits.push({ section, score: r.score, snippet: makeSnippet(section.plain, terms) });
      if (hits.length >= limit) break;
    }
    return hits;
  }

  /** Ids a client probably meant when it sent an unknown one: same document first, then by words. */
  suggest(id: string, max = 3): string[] {
    const out = new Set<string>();
    const [docPart = ''] = id.split('#');
    const doc = this.docs.get(docPart);
    if (doc) out.add(doc.id);
    const words = id.replace(/[#/._-]+/g, ' ');
    for (const r of this.engine.search(words, { fuzzy: 0.3, prefix: true })) {
      const s = this.sections[r.id as number];
      if (s) out.add(s.id);
      if (out.size >= max) break;
    }
    return [...out].slice(0, max);
  }
}
