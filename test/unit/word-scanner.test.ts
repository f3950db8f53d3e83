import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashOf } from '../../src/adapters/minisearch/token-table.js';
import { scanWords } from '../../src/domain/word-scanner.js';
import { indexTools } from '../fakes/index-tools.js';

const analysis = indexTools.analysis;

function scanned(text: string): string[] {
  const out: string[] = [];
  scanWords(text, (start, end, hash) => {
    const word = text.slice(start, end);
    // The hash the search engine's token table computes for a string must be the scanner's.
    if (hash !== hashOf(word)) throw new Error(`hash of "${word}": ${hash} != ${hashOf(word)}`);
    out.push(word);
  });
  return out;
}

const TRICKY = [
  'UTF-8 and SHA-256. utf-8x abc-5x x9abc-5 a-1b --5 foo- foo-bar über-8 é-5 ab-12-3',
  'naïve café Ελληνικά 数字１２ 𝒳𝒴 astral 😀 emoji _private $jq __proto__ a$b',
  'readFileSync(path) fs.readFile max_old_space_size `createSecureContext()` tls.connect',
  '',
  '-',
  'x',
];

describe('scanWords', () => {
  it.each(TRICKY)('finds the words TextAnalysis.tokenize finds: %s', (text) => {
    expect(scanned(text)).toEqual(analysis.tokenize(text));
  });

  it('finds the words TextAnalysis.tokenize finds in any text', () => {
    const pieces = fc.constantFrom(
      'a',
      'Z',
      'q',
      '0',
      '7',
      '-',
      '_',
      '$',
      ' ',
      '.',
      '(',
      'é',
      'ü',
      'Σ',
      '１',
      '𝒳',
      '😀',
      '—',
      '\n',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        expect(scanned(text)).toEqual(analysis.tokenize(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds the same words in ASCII texts, read as bytes, and hands over the bytes it read', () => {
    const pieces = fc.constantFrom(
      'a',
      'Z',
      'q',
      '0',
      '7',
      '-',
      '_',
      '$',
      ' ',
      '.',
      '(',
      '\n',
      'ab-12',
      'x-',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), (chars) => {
        const text = chars.join('');
        const words: string[] = [];
        scanWords(text, (start, end, hash, ascii) => {
          if (!ascii) throw new Error('an ASCII text is read as bytes');
          const word = String.fromCharCode(...ascii.subarray(start, end));
          expect(word).toBe(text.slice(start, end));
          expect(hash).toBe(hashOf(word));
          words.push(word);
        });
        expect(words).toEqual(analysis.tokenize(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads texts beyond ASCII, very long texts, and a text scanned while another is, by characters', () => {
    const long = 'word-1 fooBar '.repeat(30_000);
    const seen: boolean[] = [];
    scanWords(long, (_s, _e, _h, ascii) => seen.push(ascii !== undefined));
    expect(seen.length).toBe(analysis.tokenize(long).length);
    expect(seen.every((b) => !b)).toBe(true);
    scanWords('café au lait', (_s, _e, _h, ascii) => expect(ascii).toBeUndefined());
    const outer: string[] = [];
    const inner: string[] = [];
    scanWords('one two', (start, end, _h, ascii) => {
      outer.push(String.fromCharCode(...(ascii as Uint8Array).subarray(start, end)));
      scanWords('three', (s, e, _h2, a) => {
        expect(a).toBeUndefined();
        inner.push('three'.slice(s, e));
      });
    });
    expect(outer).toEqual(['one', 'two']);
    expect(inner).toEqual(['three', 'three']);
  });

  it('finds the words of a part of a text as of that part alone, at their places in the text', () => {
    const pieces = fc.constantFrom('a', 'Z', '0', '7', '-', '_', ' ', '.', 'é', '𝒳', '\n');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), fc.nat(), fc.nat(), (chars, x, y) => {
        const text = chars.join('');
        const from = x % (text.length + 1);
        const to = from + (y % (text.length - from + 1));
        const part: string[] = [];
        scanWords(text, (start, end) => part.push(`${start - from}:${text.slice(start, end)}`), from, to);
        const alone: string[] = [];
        scanWords(text.slice(from, to), (start, end) =>
          alone.push(`${start}:${text.slice(from + start, from + end)}`),
        );
        expect(part).toEqual(alone);
        // The whole text again, after its parts: the same words as before them.
        expect(scanned(text)).toEqual(analysis.tokenize(text));
      }),
      { numRuns: 2000 },
    );
  });
});
