import type { SourceDocument } from '../domain/document.js';

/** Where the corpus comes from: a Markdown folder, a Hugo index.json file or URL, a fake. */
export interface DocSource {
  /** Human-readable origin, shown to clients as provenance ("dir:/srv/docs", "https://…/index.json"). */
  readonly description: string;
  /**
   * Loads every document. Throws DocSourceError naming what was wrong. A source that reads many
   * files says how far it got through `onProgress` (called often; the caller throttles).
   */
  load(onProgress?: (done: number, total: number) => void): Promise<SourceDocument[]>;
  /**
   * Calls `onChange` (debounced) when the source may have changed on its own (a watched folder or
   * file); returns a function that stops watching. Absent for sources that must be polled (URLs).
   */
  watch?(onChange: () => void): () => void;
  /** Whether the source should be re-loaded on an interval (remote sources). */
  readonly remote: boolean;
}

export const DOC_SOURCE = Symbol.for('certdocs.DocSource');
