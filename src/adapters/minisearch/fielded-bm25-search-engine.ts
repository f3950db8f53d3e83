import type {
  SearchEngine,
  SearchIndex,
  SearchIndexBuilder,
  SearchIndexSettings,
  SearchIndexSnapshot,
} from '../../ports/search-engine.js';
import { type Bm25Snapshot, FieldedBm25 } from './fielded-bm25.js';

/** BM25+ as MiniSearch scores it, over postings in typed arrays (see FieldedBm25). */
export class FieldedBm25SearchEngine implements SearchEngine {
  create<F extends string>(settings: SearchIndexSettings<F>): SearchIndexBuilder<F> {
    return new FieldedBm25(settings);
  }

  restore<F extends string>(
    settings: SearchIndexSettings<F>,
    snapshot: SearchIndexSnapshot,
  ): SearchIndex | undefined {
    try {
      return FieldedBm25.restore(settings, snapshot as Bm25Snapshot);
    } catch {
      // Arrays that do not fit together, or not a FieldedBm25 snapshot at all.
      return undefined;
    }
  }
}
