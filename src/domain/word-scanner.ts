/**
 * TextAnalysis.tokenize's words found by reading character codes: offsets and a hash instead of a
 * string per word. The search engine's build and the snippets go through every word of a corpus or
 * a section; most words were met before, and a hash table can recognize them without cutting them
 * out. test/unit/word-scanner.test.ts checks that it finds exactly the words tokenize finds.
 */
const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;

/** The length of the word character (TextAnalysis's [\p{L}\p{N}_$]) at i: 0, 1, or 2 (a surrogate pair). */
function wordCharAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 128)
    return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36
      ? 1
      : 0;
  if (Number.isNaN(c)) return 0;
  const cp = text.codePointAt(i) as number;
  const length = cp > 0xffff ? 2 : 1;
  return LETTER_OR_NUMBER.test(text.slice(i, i + length)) ? length : 0;
}

/** 1 for ASCII word characters ([A-Za-z0-9_$]). */
const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++)
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36)
    ASCII_WORD[c] = 1;

const isAsciiLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isDigit = (c: number) => c >= 48 && c <= 57;

/** FNV-1a over character codes: a word's hash, computed while it is scanned. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * The words of a text as TextAnalysis.tokenize finds them (/[A-Za-z]+-\d+(?![\p{L}\p{N}_$])|
 * [\p{L}\p{N}_$]+/gu), as start and end offsets and a hash of their characters, without making a
 * string per word.
 */
export function scanWords(text: string, onWord: (start: number, end: number, hash: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c0 = text.charCodeAt(i);
    // ASCII first, inline: most characters are.
    const first = c0 < 128 ? (ASCII_WORD[c0] as number) : wordCharAt(text, i);
    if (first === 0) {
      i++;
      continue;
    }
    const start = i;
    let h = FNV_OFFSET;
    let j = i;
    // A run of ASCII letters, a hyphen and digits, not followed by a word character: one word.
    // Otherwise the word is the whole run of word characters, which begins with those letters.
    let c = text.charCodeAt(j);
    if (isAsciiLetter(c)) {
      do {
        h = Math.imul(h ^ c, FNV_PRIME);
        c = text.charCodeAt(++j);
      } while (isAsciiLetter(c));
      if (c === 45 && isDigit(text.charCodeAt(j + 1))) {
        let k = j + 1;
        let hk = Math.imul(h ^ 45, FNV_PRIME);
        let d = text.charCodeAt(k);
        while (isDigit(d)) {
          hk = Math.imul(hk ^ d, FNV_PRIME);
          d = text.charCodeAt(++k);
        }
        if (k >= n || wordCharAt(text, k) === 0) {
          onWord(start, k, hk);
          i = k;
          continue;
        }
      }
    }
    for (;;) {
      if (j >= n) break;
      const cj = text.charCodeAt(j);
      if (cj < 128) {
        if (ASCII_WORD[cj] === 0) break;
        h = Math.imul(h ^ cj, FNV_PRIME);
        j++;
        continue;
      }
      const step = wordCharAt(text, j);
      if (step === 0) break;
      h = Math.imul(h ^ cj, FNV_PRIME);
      if (step === 2) h = Math.imul(h ^ text.charCodeAt(j + 1), FNV_PRIME);
      j += step;
    }
    onWord(start, j, h);
    i = j;
  }
}
