import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PorterStemmer } from '../../src/adapters/stemmer/porter-stemmer.js';
import { identifierParts } from '../../src/domain/text-analysis.js';
import { indexTools } from '../fakes/index-tools.js';

const { analyze, processTerm, tokenize } = indexTools.analysis;

/** identifierParts and processTerm as first written (their quick paths must give the same). */
const referenceParts = (word: string) =>
  word
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_$]+/)
    .filter(Boolean);
const STOP = new Set(
  'a an and are as at be by can do does for from how i if in into is it its me my of on or so that the their then there these this to was what when where which while who why will with you your'.split(
    ' ',
  ),
);
const stemmer = new PorterStemmer();
function referenceTerms(word: string): string[] {
  const normalize = (w: string) => {
    const lower = w.toLowerCase();
    if (STOP.has(lower)) return undefined;
    return lower.length > 3 && !/\d/.test(lower) ? stemmer.stem(lower) : lower;
  };
  const out = new Set<string>();
  const hyphenated = word.includes('-');
  const whole = normalize((hyphenated ? word.replace(/-/g, '') : word).replace(/^[_$]+|[_$]+$/g, ''));
  if (whole) out.add(whole);
  const parts = hyphenated ? word.split('-') : referenceParts(word);
  if (parts.length > 1)
    for (const p of parts) {
      const t = normalize(p);
      if (t) out.add(t);
    }
  return [...out];
}

describe('text analysis', () => {
  it('splits identifiers into words', () => {
    expect(identifierParts('createSecureContext')).toEqual(['create', 'Secure', 'Context']);
    expect(identifierParts('max_old_space_size')).toEqual(['max', 'old', 'space', 'size']);
    expect(identifierParts('HTTPServer')).toEqual(['HTTP', 'Server']);
  });

  it('indexes the whole identifier and its stemmed parts', () => {
    const terms = processTerm('readFileSync');
    expect(terms).toContain('readfilesync');
    expect(terms).toEqual(expect.arrayContaining(['read', 'file', 'sync']));
  });

  it('makes "fs.readFile" and "read files" share terms', () => {
    const a = analyze('fs.readFile');
    const b = analyze('read files');
    expect(b.every((t) => a.includes(t))).toBe(true);
  });

  it('joins a hyphenated word and number, so "UTF-8" meets the identifier utf8', () => {
    expect(analyze('valid UTF-8 or SHA-256')).toEqual(expect.arrayContaining(['utf8', 'sha256', 'utf', '8']));
    expect(analyze('buffer.isUtf8(input)')).toContain('utf8');
    expect(analyze('read-only files')).not.toContain('readonly');
  });

  it('drops stop words', () => {
    expect(analyze('how do I read the file')).toEqual(['read', 'file']);
  });

  it('splits and analyzes any word as the first implementation did', () => {
    const pieces = fc.constantFrom(
      'a',
      'Z',
      'q',
      'B',
      '0',
      '7',
      '-',
      '_',
      '$',
      ' ',
      'é',
      'read',
      'File',
      'HTTP',
      'the',
      'sync',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (chars) => {
        const text = chars.join('');
        expect(identifierParts(text)).toEqual(referenceParts(text));
        expect(processTerm(text)).toEqual(referenceTerms(text));
        for (const word of tokenize(text)) expect(processTerm(word)).toEqual(referenceTerms(word));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same terms with stems remembered, before and after forget()', () => {
    const words = ['readFile', 'ReadFile', 'reading', 'Reading', 'UTF-8', 'the', '_private', 'files'];
    const remembering = indexTools.analysis.rememberingStems();
    for (const w of words) expect(remembering.processTerm(w)).toEqual(processTerm(w));
    remembering.forget();
    for (const w of words) expect(remembering.processTerm(w)).toEqual(processTerm(w));
  });
});
