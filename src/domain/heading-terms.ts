/**
 * The index terms of every section's own heading, as numbers, for the re-rank's heading bonus:
 * which of a query's terms a section's heading holds is a few integer compares per section,
 * where `headingTerms.includes(term)` per hit and term was a builtin call and a string compare
 * each (the largest single line of a search's profile).
 */
export class HeadingTerms {
  /**
   * A bit per term number, set for the current query's terms (a few hundred bytes that stay in
   * the cache, where a 4-byte stamp per term was a cache miss per heading term under load), and
   * per term number its bit in the query (read only for the query's terms).
   */
  private readonly marked: Int32Array;
  private readonly bits: Int32Array;
  /** The term numbers the current query marked (at most 31). */
  private readonly markedNumbers = new Int32Array(32);
  private markedCount = 0;

  /** See HeadingTermsBuilder: section i's terms are numbers[starts[i] .. starts[i + 1]). */
  constructor(
    private readonly starts: Int32Array,
    private readonly numbers: Int32Array,
    private readonly vocabulary: ReadonlyMap<string, number>,
  ) {
    this.marked = new Int32Array((vocabulary.size + 31) >>> 5);
    this.bits = new Int32Array(vocabulary.size);
  }

  /**
   * Starts a query whose terms are `terms` (at most 31): term j gets bit 1 << j. Until the next
   * call, headingMask() answers for these terms.
   */
  query(terms: readonly string[]): void {
    const marked = this.marked;
    for (let k = 0; k < this.markedCount; k++) {
      const n = this.markedNumbers[k] as number;
      marked[n >>> 5] = (marked[n >>> 5] as number) & ~(1 << (n & 31));
    }
    this.markedCount = 0;
    for (let j = 0; j < terms.length && j < 32; j++) {
      const n = this.vocabulary.get(terms[j] as string);
      if (n === undefined) continue;
      marked[n >>> 5] = (marked[n >>> 5] as number) | (1 << (n & 31));
      this.bits[n] = 1 << j;
      this.markedNumbers[this.markedCount++] = n;
    }
  }

  /** Whether section i's heading holds `term` (for queries of more terms than a mask has bits). */
  holds(i: number, term: string): boolean {
    const n = this.vocabulary.get(term);
    if (n === undefined) return false;
    const end = this.starts[i + 1] as number;
    for (let k = this.starts[i] as number; k < end; k++) if (this.numbers[k] === n) return true;
    return false;
  }

  /** The bits of the current query's terms that section i's heading holds. */
  headingMask(i: number): number {
    let mask = 0;
    const end = this.starts[i + 1] as number;
    for (let k = this.starts[i] as number; k < end; k++) {
      const n = this.numbers[k] as number;
      if (((this.marked[n >>> 5] as number) & (1 << (n & 31))) !== 0) mask |= this.bits[n] as number;
    }
    return mask;
  }
}

/**
 * HeadingTerms made a section at a time, as the build meets them: terms numbered in the order
 * they first come. (Kept as an array of strings per section until the first search, they were
 * ~190 bytes a section — an array grown by push holds 17 places — alive through the build's
 * peak: ~50 MB at 50k documents.)
 */
export class HeadingTermsBuilder {
  private starts: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private numbers: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private sections = 0;
  private count = 0;
  private readonly vocabulary = new Map<string, number>();

  /** The next section's heading terms. */
  add(terms: readonly string[]): void {
    if (this.sections + 2 > this.starts.length) this.starts = grown(this.starts, this.starts.length * 2);
    if (this.count + terms.length > this.numbers.length)
      this.numbers = grown(this.numbers, Math.max(this.numbers.length * 2, this.count + terms.length));
    for (const term of terms) {
      let n = this.vocabulary.get(term);
      if (n === undefined) {
        n = this.vocabulary.size;
        this.vocabulary.set(term, n);
      }
      this.numbers[this.count++] = n;
    }
    this.starts[++this.sections] = this.count;
  }

  build(): HeadingTerms {
    return new HeadingTerms(
      this.starts.slice(0, this.sections + 1),
      this.numbers.slice(0, this.count),
      this.vocabulary,
    );
  }
}

function grown(a: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(length);
  next.set(a);
  return next;
}
