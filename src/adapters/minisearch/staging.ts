export const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
/** A frequency this large or larger is kept aside (in 8 bits: rare, nearly all are small). */
const BIG = 0xff;

/**
 * While an index is built: one record per (document, term), in the order added: the term and its
 * frequency in each field. In fixed-size chunks (no doubling, no copy of what is there) with 8-bit
 * frequencies (the rare larger ones kept aside), and a chunk can be let go once sealing has read it:
 * the staging area is the largest thing a build holds besides the finished postings.
 */
export class Staging {
  length = 0;
  private readonly terms: (Int32Array | undefined)[] = [];
  private readonly tfs: (Uint8Array | undefined)[] = [];
  /** record × fields + field → a frequency ≥ BIG. */
  private readonly big = new Map<number, number>();

  constructor(
    private readonly fields: number,
    /** Larger frequencies are stored as this. */
    private readonly maxTf: number,
  ) {}

  /** Adds a record: `term`, with its frequency in field g at counts[from + g]. */
  push(term: number, counts: Int32Array, from: number): void {
    const i = this.length++;
    const chunk = i >>> CHUNK_BITS;
    if (chunk === this.terms.length) {
      this.terms.push(new Int32Array(CHUNK));
      this.tfs.push(new Uint8Array(CHUNK * this.fields));
    }
    const at = i & (CHUNK - 1);
    (this.terms[chunk] as Int32Array)[at] = term;
    const tfs = this.tfs[chunk] as Uint8Array;
    for (let g = 0; g < this.fields; g++) {
      const tf = counts[from + g] as number;
      if (tf >= BIG) {
        tfs[at * this.fields + g] = BIG;
        this.big.set(i * this.fields + g, Math.min(tf, this.maxTf));
      } else tfs[at * this.fields + g] = tf;
    }
  }

  /** Chunk c's terms: record i is at (i & CHUNK - 1) of chunk i >>> CHUNK_BITS. */
  termChunk(c: number): Int32Array {
    return this.terms[c] as Int32Array;
  }

  /** Chunk c's frequencies, `fields` per record; BIG means: ask bigTf. */
  tfChunk(c: number): Uint8Array {
    return this.tfs[c] as Uint8Array;
  }

  /** Record i's frequency in field g, where its chunk holds BIG. */
  bigTf(i: number, g: number): number {
    return this.big.get(i * this.fields + g) as number;
  }

  /** Lets go of chunk c (no record of it is read again). */
  release(c: number): void {
    this.terms[c] = undefined;
    this.tfs[c] = undefined;
  }
}

/** What Staging's chunks hold at a frequency ≥ 255 (see Staging.bigTf). */
export const BIG_TF = BIG;
