import { FieldedBm25SearchEngine } from '../../src/adapters/minisearch/fielded-bm25-search-engine.js';
import { BruteForceSearchEngine } from '../fakes/brute-force-search-index.js';
import { runSearchEngineContract } from './search-engine.contract.js';

runSearchEngineContract('BruteForceSearchEngine (the reference)', () => new BruteForceSearchEngine());
runSearchEngineContract('FieldedBm25SearchEngine', () => new FieldedBm25SearchEngine());
