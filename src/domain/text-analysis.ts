import type { Stemmer } from '../ports/stemmer.js';

/**
 * How words become index terms. Ours because docs are full of identifiers: `createSecureContext`,
 * `fs.readFile` and `max_old_space_size` must match "create secure context", "read file" and
 * "max old space size", while the whole identifier still matches exactly.
 */
const STOP_WORDS = new Set(
  'a an and are as at be by can do does for from how i if in into is it its me my of on or so that the their then there these this to was what when where which while who why will with you your'.split(
    ' ',
  ),
);

/**
 * A word: letters, digits, `_` and `$`; or a word and a number joined by a hyphen (`UTF-8`,
 * `SHA-256`), kept whole so that processTerm can also give its joined form.
 */
/** A `_` or `$` at either end of a word (processTerm takes them off the whole word). */
const EDGE_MARKS = /^[_$]|[_$]$/;

const WORD = /[A-Za-z]+-\d+(?![\p{L}\p{N}_$])|[\p{L}\p{N}_$]+/gu;

/** What identifierParts splits at or before: an ASCII capital, `_`, `$` or white space. */
const MAY_SPLIT = /[A-Z_$\s]/;

/** Split camelCase, PascalCase, snake_case and digit boundaries: `readFileSync` → read, file, sync. */
export function identifierParts(word: string): string[] {
  // Nothing to split at (most words): what the replaces and the split below would give.
  if (!MAY_SPLIT.test(word)) return word ? [word] : [];
  return word
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_$]+/)
    .filter(Boolean);
}

/**
 * Text analysis with a stemmer: the same for sections, queries and snippets. Its functions are
 * bound, so they can be handed to the search engine as they are.
 */
export class TextAnalysis {
  constructor(private readonly stemmer: Stemmer) {}

  readonly tokenize = (text: string): string[] => text.match(WORD) ?? [];

  /** The same words as tokenize, with their positions (for snippets). */
  readonly wordsWithPositions = (text: string): IterableIterator<RegExpMatchArray> => text.matchAll(WORD);

  /** `stems`, when given: stems met before, by word, and where new ones are kept. */
  private normalizeTerm(word: string, stems?: Map<string, string>): string | undefined {
    const lower = word.toLowerCase();
    if (STOP_WORDS.has(lower)) return undefined;
    if (lower.length <= 3 || /\d/.test(lower)) return lower;
    if (!stems) return this.stemmer.stem(lower);
    let stem = stems.get(lower);
    if (stem === undefined) {
      stem = this.stemmer.stem(lower);
      stems.set(lower, stem);
    }
    return stem;
  }

  /**
   * Index and query terms for one token: the whole identifier plus its parts, stemmed. A hyphenated
   * word-number gives its joined form and its parts: "UTF-8" → utf8, utf, 8 (meeting `isUtf8`).
   */
  readonly processTerm = (word: string): string[] => this.terms(word, undefined);

  /**
   * processTerm for an index build, which meets the same words and word parts again and again
   * (`file` alone and in readFile, writeFile, FileHandle; `Read` and `read`): each one's stem is
   * remembered, until forget(); after it, processTerm as it is. The same terms either way (a
   * stemmer gives a word the same stem every time). At 10k documents the build stemmed 155k
   * words, 39k of them distinct.
   */
  rememberingStems(): { readonly processTerm: (word: string) => string[]; forget(): void } {
    let stems: Map<string, string> | undefined = new Map();
    return {
      processTerm: (word) => this.terms(word, stems),
      forget: () => {
        stems = undefined;
      },
    };
  }

  private terms(word: string, stems: Map<string, string> | undefined): string[] {
    const hyphenated = word.includes('-');
    const joined = hyphenated ? word.replace(/-/g, '') : word;
    const whole = this.normalizeTerm(
      EDGE_MARKS.test(joined) ? joined.replace(/^[_$]+|[_$]+$/g, '') : joined,
      stems,
    );
    const parts = hyphenated ? word.split('-') : identifierParts(word);
    // One part (most words): the whole word is the only term.
    if (parts.length <= 1) return whole ? [whole] : [];
    const out = new Set<string>();
    if (whole) out.add(whole);
    for (const p of parts) {
      const t = this.normalizeTerm(p, stems);
      if (t) out.add(t);
    }
    return [...out];
  }

  /** All distinct terms of a text, as the index sees them. */
  readonly analyze = (text: string): string[] => {
    const out = new Set<string>();
    for (const w of this.tokenize(text)) for (const t of this.processTerm(w)) out.add(t);
    return [...out];
  };
}
