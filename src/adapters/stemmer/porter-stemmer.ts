import { stemmer } from 'stemmer';
import type { Stemmer } from '../../ports/stemmer.js';

/** The Porter stemmer of the `stemmer` package. */
export class PorterStemmer implements Stemmer {
  stem(word: string): string {
    return stemmer(word);
  }
}
