import type { SearchIndexSnapshot } from '../ports/search-engine.js';
import type { SectionSplitter } from '../ports/section-splitter.js';
import type { IndexedDocument, Section, SectionLink, SourceDocument } from './document.js';
import { StoredSection, type StoredText, storedText } from './stored-section.js';
import type { TextAnalysis } from './text-analysis.js';

/**
 * A built DocIndex as plain data (strings, numbers, typed arrays), so that a restart over an
 * unchanged corpus can skip splitting and indexing. The documents' Markdown is not in it: the
 * source delivers that anyway, and the snapshot is only used when the source is the same.
 */
export interface IndexSnapshot {
  /** SNAPSHOT_FORMAT when written: another number is another layout. */
  readonly format: number;
  /** The corpus it was built from (ServeDocs' fingerprint of the source documents). */
  readonly fingerprint: string;
  /** How this code analyzes and splits a fixed sample: a snapshot from other code is not used. */
  readonly probe: string;
  readonly builtAt: string;
  readonly documents: readonly SnapshotDocument[];
  /** The search engine's own data (see SearchEngine.restore). */
  readonly engine: SearchIndexSnapshot;
}

export interface SnapshotDocument {
  /** The source document, as far as needed to tell it is the same one. */
  readonly id: string;
  readonly path: string;
  readonly sourceTitle: string | undefined;
  readonly sourceUrl: string | undefined;
  readonly length: number;
  /** As split. */
  readonly title: string;
  readonly url: string;
  readonly sections: readonly SnapshotSection[];
  /** The links in its prose (anchor text for other sections, needed again when a refresh reuses it). */
  readonly links: readonly SectionLink[];
}

/** Its plain text and lead as StoredSection holds them (runs of its Markdown, mostly). */
export interface SnapshotSection extends StoredText {
  readonly heading: string;
  readonly headingPath: readonly string[];
  readonly level: number;
  readonly anchor: string;
  /** The section's Markdown is document.markdown.slice(start, end), or `markdown` when it is not a slice. */
  readonly start: number;
  readonly end: number;
  readonly markdown?: string;
}

/** Bump when a snapshot's layout changes. (Analysis and splitting changes are caught by the probe.) */
export const SNAPSHOT_FORMAT = 2;

const PROBE_MARKDOWN = [
  '# `fs.readFile(path[, options], callback)`',
  '',
  'Asynchronously reads the *entire* contents of a file; see [`fs.createReadStream()`][].',
  '',
  '```js',
  // \u0027 is a quote: the same sample, without a line that reads like an import of a package.
  'import { readFile } from \u0027node:fs\u0027;',
  '```',
  '',
  '## Class: `AbortSignal` <!-- YAML -->',
  '',
  'Use [`AbortSignal.timeout()`](#class-abortsignal) to give up after a while.',
  '',
  '> Stability: 0 - Deprecated',
  '',
  '* `max_old_space_size` {integer} readFileSync createSecureContext',
  '',
  '| a | b |',
  '| - | - |',
  '| 1 | 2 |',
  '',
].join('\n');

/**
 * What this analysis and splitter make of a fixed sample: a different result means different
 * analysis or splitting (another stemmer, another Markdown parser or version).
 */
export function analysisProbe(analysis: TextAnalysis, splitter: SectionSplitter): string {
  return JSON.stringify([
    analysis.analyze(PROBE_MARKDOWN),
    splitter.split({ id: 'probe', path: 'probe.md', markdown: PROBE_MARKDOWN }),
  ]);
}

export function snapshotDocument(
  source: SourceDocument,
  doc: IndexedDocument,
  links: readonly SectionLink[],
): SnapshotDocument {
  let cursor = 0;
  const sections = doc.sections.map((s): SnapshotSection => {
    const start = doc.markdown.indexOf(s.markdown, cursor);
    const base = {
      heading: s.heading,
      headingPath: s.headingPath,
      level: s.level,
      anchor: s.anchor,
      // Not the plain texts themselves: all of them at once were the save's peak (~45 MB at 10k).
      ...(s instanceof StoredSection ? s.storedText() : storedText(s)),
    };
    if (start < 0) return { ...base, start: 0, end: 0, markdown: s.markdown };
    cursor = start + s.markdown.length;
    return { ...base, start, end: cursor };
  });
  return {
    id: source.id,
    path: source.path,
    sourceTitle: source.title,
    sourceUrl: source.url,
    length: source.markdown.length,
    title: doc.title,
    url: doc.url,
    sections,
    links,
  };
}

/** The document as it was split, if `source` is the document the snapshot was made from. */
export function restoreDocument(snap: SnapshotDocument, source: SourceDocument): IndexedDocument | undefined {
  if (
    snap.id !== source.id ||
    snap.path !== source.path ||
    snap.sourceTitle !== source.title ||
    snap.sourceUrl !== source.url ||
    snap.length !== source.markdown.length
  )
    return undefined;
  const sections = snap.sections.map(
    (s, order): Section =>
      new StoredSection(
        {
          id: `${snap.id}#${s.anchor}`,
          docId: snap.id,
          docTitle: snap.title,
          heading: s.heading,
          headingPath: s.headingPath,
          level: s.level,
          anchor: s.anchor,
          markdown: s.markdown ?? source.markdown.slice(s.start, s.end),
          url: s.anchor ? `${snap.url}#${s.anchor}` : snap.url,
          order,
        },
        snap.url,
        s,
      ),
  );
  return {
    id: snap.id,
    title: snap.title,
    path: snap.path,
    url: snap.url,
    markdown: source.markdown,
    sections,
  };
}
