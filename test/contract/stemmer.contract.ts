import { describe, expect, it } from 'vitest';
import type { Stemmer } from '../../src/ports/stemmer.js';

/**
 * What every Stemmer promises: inflections of a word meet in one lower-case stem, different words
 * stay apart, and the same word always gives the same stem (snapshots rely on it).
 */
export function runStemmerContract(name: string, make: () => Stemmer): void {
  describe(`Stemmer contract: ${name}`, () => {
    const stemmer = make();

    it.each([
      ['connect', 'connects', 'connected', 'connecting'],
      ['file', 'files'],
      ['read', 'reads', 'reading'],
      ['stream', 'streams', 'streaming'],
      ['buffer', 'buffers'],
    ])('gives %s and its inflections one stem', (...words) => {
      const stems = new Set(words.map((w) => stemmer.stem(w)));
      expect(stems.size).toBe(1);
    });

    it('keeps different words apart', () => {
      const words = ['stream', 'string', 'socket', 'server', 'session', 'signal'];
      expect(new Set(words.map((w) => stemmer.stem(w))).size).toBe(words.length);
    });

    it('gives a non-empty lower-case stem no longer than the word', () => {
      for (const w of ['timeouts', 'listening', 'certificates', 'encoding', 'worker', 'is']) {
        const stem = stemmer.stem(w);
        expect(stem.length).toBeGreaterThan(0);
        expect(stem.length).toBeLessThanOrEqual(w.length);
        expect(stem).toBe(stem.toLowerCase());
      }
    });

    it('is pure: the same word, the same stem', () => {
      expect(stemmer.stem('certificates')).toBe(stemmer.stem('certificates'));
      expect(make().stem('listening')).toBe(stemmer.stem('listening'));
    });
  });
}
