import type { SourceDocument } from '../domain/document.js';

/** Where the corpus comes from: a Markdown folder, a Hugo index.json file or URL, a fake. */
export interface DocSource {
  /** Human-readable origin, shown to clients as provenance ("dir:/srv/docs", "https://…/index.json"). */
  readonly description: string;
  /** Loads every document. Throws DocSourceError naming what was wrong. */
  load(): Promise<SourceDocument[]>;
}

export const DOC_SOURCE = Symbol.for('certdocs.DocSource');
