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

/** Reads a text's characters as bytes (scanAscii). */
const encoder = new TextEncoder();
/** The bytes of the text being scanned, reused from one text to the next. */
let scratch = new Uint8Array(1 << 12);
/**
 * Texts up to this long are read as bytes first (and scratch may grow to it); longer ones, and
 * texts with any character beyond ASCII, are read character by character.
 */
const MAX_BYTES = 1 << 18;
/** Whether scratch is being scanned. */
let scanning = false;
/** The text whose characters scratch holds (an ASCII text scanned last), if it still does. */
let encoded: string | undefined;

/**
 * The words of a text as TextAnalysis.tokenize finds them (/[A-Za-z]+-\d+(?![\p{L}\p{N}_$])|
 * [\p{L}\p{N}_$]+/gu), as start and end offsets and a hash of their characters, without making a
 * string per word. When the text is all ASCII, `ascii` holds its characters as bytes
 * (ascii[i] === text.charCodeAt(i) up to text.length) while the words are handed over; a caller
 * that reads the text's characters again reads them quicker there.
 */
export function scanWords(
  text: string,
  onWord: (start: number, end: number, hash: number, ascii?: Uint8Array) => void,
  /** Only the words of text[from, to), as if the text were that part alone (offsets stay text's). */
  from = 0,
  to: number = text.length,
): void {
  const n = text.length;
  // Most texts are ASCII: TextEncoder copies them out (flattening strings made by concatenation
  // or slicing) far quicker than charCodeAt reads them one by one, and a byte array reads quicker
  // than a string that points into another.
  if (n < MAX_BYTES && !scanning) {
    // Parts of one text are scanned one after the other: its bytes are copied out once.
    let ascii = encoded === text;
    if (!ascii) {
      encoded = undefined;
      if (scratch.length <= n)
        scratch = new Uint8Array(Math.min(MAX_BYTES, Math.max(n + 1, scratch.length * 2)));
      const { read, written } = encoder.encodeInto(text, scratch);
      // Each character beyond ASCII takes two bytes or more: all ASCII is as many bytes as characters.
      ascii = read === n && written === n;
      if (ascii) {
        scratch[n] = 0; // not a word character: every loop below stops there
        encoded = text;
      }
    }
    if (ascii) {
      // The part ends where a 0 is, for the scan; the byte there is put back after it.
      const after = scratch[to] as number;
      scratch[to] = 0;
      // An onWord that scans another text meanwhile does so character by character.
      scanning = true;
      try {
        scanAscii(scratch, from, to, onWord);
      } finally {
        scanning = false;
        scratch[to] = after;
      }
      return;
    }
  }
  if (from === 0 && to === n) scanChars(text, onWord);
  else scanChars(text.slice(from, to), (start, end, hash) => onWord(start + from, end + from, hash));
}

/** scanWords over an ASCII text's bytes from `from` to n, followed by a 0. */
function scanAscii(
  bytes: Uint8Array,
  from: number,
  n: number,
  onWord: (start: number, end: number, hash: number, ascii?: Uint8Array) => void,
): void {
  let i = from;
  while (i < n) {
    let c = bytes[i] as number;
    if (ASCII_WORD[c] === 0) {
      i++;
      continue;
    }
    const start = i;
    let h = FNV_OFFSET;
    let j = i;
    // As in scanChars: letters, a hyphen and digits, not followed by a word character, are a word.
    if (isAsciiLetter(c)) {
      do {
        h = Math.imul(h ^ c, FNV_PRIME);
        c = bytes[++j] as number;
      } while (isAsciiLetter(c));
      if (c === 45 && isDigit(bytes[j + 1] as number)) {
        let k = j + 1;
        let hk = Math.imul(h ^ 45, FNV_PRIME);
        let d = bytes[k] as number;
        do {
          hk = Math.imul(hk ^ d, FNV_PRIME);
          d = bytes[++k] as number;
        } while (isDigit(d));
        if (ASCII_WORD[d] === 0) {
          onWord(start, k, hk, bytes);
          i = k;
          continue;
        }
      }
    }
    while (ASCII_WORD[c] === 1) {
      h = Math.imul(h ^ c, FNV_PRIME);
      c = bytes[++j] as number;
    }
    onWord(start, j, h, bytes);
    i = j;
  }
}

/** scanWords, character by character (any text). */
function scanChars(text: string, onWord: (start: number, end: number, hash: number) => void): void {
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
