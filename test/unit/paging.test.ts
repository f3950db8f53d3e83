import { describe, expect, it } from 'vitest';
import { pageText } from '../../src/domain/paging.js';

describe('pageText', () => {
  const text = Array.from({ length: 50 }, (_, i) => `line ${i} ${'x'.repeat(30)}`).join('\n');

  it('pages through a text without losing or repeating a character', () => {
    let offset: number | null = 0;
    let rebuilt = '';
    let pages = 0;
    while (offset !== null) {
      const p = pageText(text, offset, 200);
      expect(p.text.length).toBeLessThanOrEqual(200);
      rebuilt += p.text;
      offset = p.nextOffset;
      pages++;
    }
    expect(rebuilt).toBe(text);
    expect(pages).toBeGreaterThan(5);
  });

  it('ends pages on a line break when one is near', () => {
    const p = pageText(text, 0, 200);
    expect(p.text.endsWith('\n')).toBe(true);
  });

  it('never exceeds maxChars when a line break sits exactly at the limit', () => {
    // Line breaks at 150 and at 200 (= maxChars): the page must stop after the one at 150.
    const p = pageText(`${'a'.repeat(150)}\n${'b'.repeat(49)}\n${'c'.repeat(50)}`, 0, 200);
    expect(p.text.length).toBeLessThanOrEqual(200);
    expect(p.text.endsWith('\n')).toBe(true);
    expect(p.nextOffset).toBe(151);
  });

  it('returns an empty last page and no next offset past the end', () => {
    const p = pageText('abc', 10, 100);
    expect(p).toEqual({ text: '', offset: 3, nextOffset: null, totalChars: 3 });
  });
});
