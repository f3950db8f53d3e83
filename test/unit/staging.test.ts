import { describe, expect, it } from 'vitest';
import { Staging } from '../../src/adapters/minisearch/staging.js';

/** A small deterministic generator (no Math.random: a failure must be reproducible). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('Staging', () => {
  it('reads back every record in order, over many chunks, with large terms and frequencies', () => {
    const fields = 5;
    const maxTf = 0xffff;
    const staging = new Staging(fields, maxTf);
    const random = lcg(7);
    const expected: { term: number; tfs: number[] }[] = [];
    const counts = new Int32Array(3 * fields);
    // Per field: how many records have the term in it (push counts them, and zeroes the counts).
    const df = new Int32Array(2 * fields);
    const expectedDf = new Int32Array(fields);
    // ~5 bytes a record: 600k records fill a few 1 MB chunks.
    for (let i = 0; i < 600_000; i++) {
      const term = random() < 0.01 ? Math.floor(random() * 2 ** 30) : Math.floor(random() * 200_000);
      const tfs: number[] = [];
      for (let g = 0; g < fields; g++) {
        const r = random();
        const tf = r < 0.6 ? 0 : r < 0.97 ? 1 + Math.floor(random() * 20) : Math.floor(random() * 100_000);
        tfs.push(tf);
      }
      if (!tfs.some((tf) => tf !== 0)) tfs[3] = 1; // a record is a term the document has
      counts.set(tfs, fields);
      staging.push(term, counts, fields, df, fields);
      if (counts.some((c) => c !== 0)) throw new Error(`record ${i}: counts not set back to 0`);
      tfs.forEach((tf, g) => {
        if (tf) expectedDf[g] = (expectedDf[g] as number) + 1;
      });
      expected.push({ term, tfs: tfs.map((tf) => Math.min(tf, maxTf)) });
    }
    expect(staging.length).toBe(expected.length);
    expect([...df.subarray(fields)]).toEqual([...expectedDf]);
    expect([...df.subarray(0, fields)]).toEqual([0, 0, 0, 0, 0]);
    const reader = staging.reader();
    const wrong: number[] = [];
    expected.forEach((record, i) => {
      reader.read();
      if (
        reader.term !== record.term ||
        record.tfs.some((tf, g) => reader.tfs[g] !== tf || ((reader.mask >> g) & 1) !== (tf ? 1 : 0))
      )
        wrong.push(i);
    });
    reader.done();
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});
