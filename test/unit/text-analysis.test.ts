import { describe, expect, it } from 'vitest';
import { identifierParts } from '../../src/domain/text-analysis.js';
import { indexTools } from '../fakes/index-tools.js';

const { analyze, processTerm } = indexTools.analysis;

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
});
