import type { IndexSnapshot } from '../domain/index-snapshot.js';

/**
 * Where a built index is kept between runs, so that a restart over an unchanged corpus skips
 * splitting and indexing. A store may lose or refuse a snapshot at any time: the index is then
 * rebuilt, never served wrong (ServeDocs checks the corpus fingerprint, DocIndex the rest).
 */
export interface IndexStore {
  /** A short description for logs ("/var/cache/certdocs"), or undefined when nothing is kept. */
  readonly description: string | undefined;
  /** The last snapshot saved for this source, or undefined when there is none usable. */
  load(source: string): Promise<IndexSnapshot | undefined>;
  /** Replaces the snapshot of this source; atomic: a reader sees the old or the new one. */
  save(source: string, snapshot: IndexSnapshot): Promise<void>;
}

export const INDEX_STORE = Symbol.for('certdocs.IndexStore');

/** Keeps nothing: every start builds the index. */
export const NO_INDEX_STORE: IndexStore = {
  description: undefined,
  load: async () => undefined,
  save: async () => undefined,
};
