import type { SourceDocument, SplitDocument } from '../domain/document.js';

/**
 * Splits a source document's Markdown into sections along its headings (any level), each with its
 * heading path, a unique anchor, its plain text and lead, and the links in its prose. Pure: the
 * same document always splits the same way (index snapshots rely on it, see DocIndex's probe).
 */
export interface SectionSplitter {
  split(document: SourceDocument): SplitDocument;
}

export const SECTION_SPLITTER = Symbol.for('certdocs.SectionSplitter');
