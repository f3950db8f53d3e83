import { PorterStemmer } from '../../src/adapters/stemmer/porter-stemmer.js';
import { SuffixStemmer } from '../fakes/suffix-stemmer.js';
import { runStemmerContract } from './stemmer.contract.js';

runStemmerContract('SuffixStemmer', () => new SuffixStemmer());
runStemmerContract('PorterStemmer', () => new PorterStemmer());
