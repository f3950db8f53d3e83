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
});
