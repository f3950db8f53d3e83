import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import { FieldedBm25SearchEngine } from '../../src/adapters/minisearch/fielded-bm25-search-engine.js';
import { PorterStemmer } from '../../src/adapters/stemmer/porter-stemmer.js';
import { IndexTools } from '../../src/domain/index-tools.js';

/**
 * The real splitter, stemmer and search engine: all three are pure and in-memory, and the ranking
 * tests pin what they do together. (The contract suites test each against its reference.)
 */
export const indexTools = new IndexTools(
  new MarkedSectionSplitter(),
  new PorterStemmer(),
  new FieldedBm25SearchEngine(),
);
