/**
 * The index terms of every section's own heading, as numbers, for the re-rank's heading bonus:
 * which of a query's terms a section's heading holds is a few integer compares per section,
 * where `headingTerms.includes(term)` per hit and term was a builtin call and a string compare
 * each (the largest single line of a search's profile).
 */
export class HeadingTerms {
  /** Section i's heading terms: numbers[starts[i] .. starts[i + 1]). */
  private readonly starts: Int32Array;
  private readonly numbers: Int32Array;
  private readonly vocabulary = new Map<string, number>();
  /** Per term number: the query (stamp) that marked it, and its bit in that query. */
  private readonly stamps: Int32Array;
  private readonly bits: Int32Array;
  private stamp = 0;

  constructor(perSection: readonly (readonly string[])[]) {
    let total = 0;
    for (const terms of perSection) total += terms.length;
    this.starts = new Int32Array(perSection.length + 1);
    this.numbers = new Int32Array(total);
    let at = 0;
    for (let i = 0; i < perSection.length; i++) {
      for (const term of perSection[i] as readonly string[]) {
        let n = this.vocabulary.get(term);
        if (n === undefined) {
          n = this.vocabulary.size;
          this.vocabulary.set(term, n);
        }
        this.numbers[at++] = n;
      }
      this.starts[i + 1] = at;
    }
    this.stamps = new Int32Array(this.vocabulary.size);
    this.bits = new Int32Array(this.vocabulary.size);
  }

  /**
   * Starts a query whose terms are `terms` (at most 31): term j gets bit 1 << j. Until the next
   * call, headingMask() answers for these terms.
   */
  query(terms: readonly string[]): void {
    this.stamp = (this.stamp + 1) | 0 || 1;
    for (let j = 0; j < terms.length; j++) {
      const n = this.vocabulary.get(terms[j] as string);
      if (n === undefined) continue;
      this.stamps[n] = this.stamp;
      this.bits[n] = 1 << j;
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
      if (this.stamps[n] === this.stamp) mask |= this.bits[n] as number;
    }
    return mask;
  }
}
