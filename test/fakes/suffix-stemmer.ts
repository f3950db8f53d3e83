import type { Stemmer } from '../../src/ports/stemmer.js';

/**
 * A stand-in stemmer: drops a few English inflections (-ing, -ed, -es after s/x/ch/sh, -s). Crude,
 * but it keeps what the Stemmer contract asks, so tests can tell analysis from stemming.
 */
export class SuffixStemmer implements Stemmer {
  stem(word: string): string {
    if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
    if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
    if (word.length > 4 && /(s|x|ch|sh)es$/.test(word)) return word.slice(0, -2);
    if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
    return word;
  }
}
