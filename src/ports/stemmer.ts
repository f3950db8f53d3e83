/**
 * Reduces an English word to its stem, so "reading", "reads" and "read" meet in the index. Takes
 * and gives lower case; pure (index snapshots rely on it, see DocIndex's probe).
 */
export interface Stemmer {
  stem(word: string): string;
}

export const STEMMER = Symbol.for('certdocs.Stemmer');
