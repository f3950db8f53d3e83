import { releaseBuffer } from './release-buffer.js';

/**
 * The terms that start with a prefix, in the order MiniSearch's SearchableMap (a radix tree the
 * terms were set into, in id order) gives them from `atPrefix(prefix)`: that order decides in
 * which order a prefix's posting lists are added up (and ties between them), so it is kept
 * exactly. Held as three numbers per term instead of the tree (a Map per node: at 50k documents
 * ~190k terms, ~45 MB of heap made at the end of seal, the build's peak).
 *
 * The tree's iteration order is worked out once, by setting the terms into a radix tree in typed
 * arrays the way SearchableMap does (its `createPath`: a Map's entries in insertion order, an edge
 * split by appending the shorter edge and deleting the longer), then walking it as its iterator
 * does (each node's entries last to first). Every term under a prefix is one run of that walk;
 * which run is found from the terms in sorted order (one run there too), by binary search.
 */
export class PrefixDictionary {
  /** Term ids in the tree's iteration order, and each term's place in it. */
  private readonly order: Int32Array;
  private readonly rank: Int32Array;
  /** Term ids in code-unit order of their terms. */
  private readonly sorted: Int32Array;

  private constructor(
    private readonly terms: readonly string[],
    order: Int32Array,
    sorted: Int32Array,
  ) {
    this.order = order;
    this.sorted = sorted;
    this.rank = new Int32Array(terms.length);
    for (let i = 0; i < order.length; i++) this.rank[order[i] as number] = i;
  }

  /** The dictionary of `terms` (numbered by their index), made in slices: yields between them. */
  static *build(terms: readonly string[]): Generator<void, PrefixDictionary, void> {
    const tree = new RadixTree(terms);
    for (let t = 0; t < terms.length; t++) {
      tree.set(t);
      if ((t & SLICE_MASK) === SLICE_MASK) yield;
    }
    yield;
    const order = tree.iterationOrder();
    yield;
    const sorted = tree.sortedOrder();
    tree.release();
    yield;
    return new PrefixDictionary(terms, order, sorted);
  }

  /** What `SearchableMap.atPrefix(prefix)` iterates: [term, id] of every term starting with prefix. */
  *atPrefix(prefix: string): Generator<[string, number]> {
    const terms = this.terms;
    const sorted = this.sorted;
    // The first term not below prefix, then the first one after it that does not start with it.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((terms[sorted[mid] as number] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    const from = lo;
    hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((terms[sorted[mid] as number] as string).startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    const to = lo;
    if (from === to) return;
    let first = Number.POSITIVE_INFINITY;
    let last = -1;
    for (let i = from; i < to; i++) {
      const r = this.rank[sorted[i] as number] as number;
      if (r < first) first = r;
      if (r > last) last = r;
    }
    for (let r = first; r <= last; r++) {
      const id = this.order[r] as number;
      yield [terms[id] as string, id];
    }
  }
}

/** build() yields every 2^12 terms. */
const SLICE_MASK = 0xfff;

/**
 * SearchableMap's radix tree in typed arrays, for its order only. A node is a list of entries in
 * insertion order: a leaf (a term id: the Map's LEAF key) or an edge (a label, a substring of one
 * term, and the node it leads to).
 */
class RadixTree {
  private entries = 0;
  private nodes = 1;
  // Per entry.
  private next: Int32Array;
  private prev: Int32Array;
  /** A leaf's term id; -1 for an edge. */
  private leaf: Int32Array;
  /** An edge's first character; -1 for a leaf. */
  private first: Int32Array;
  private child: Int32Array;
  private labelTerm: Int32Array;
  private labelStart: Int32Array;
  private labelLength: Int32Array;
  // Per node: its first and last entry (-1: none).
  private head: Int32Array;
  private tail: Int32Array;

  constructor(private readonly terms: readonly string[]) {
    // At most a leaf and two edges per term (each set adds a leaf and at most two edges).
    const entries = 3 * terms.length + 1;
    this.next = new Int32Array(entries);
    this.prev = new Int32Array(entries);
    this.leaf = new Int32Array(entries);
    this.first = new Int32Array(entries);
    this.child = new Int32Array(entries);
    this.labelTerm = new Int32Array(entries);
    this.labelStart = new Int32Array(entries);
    this.labelLength = new Int32Array(entries);
    this.head = new Int32Array(2 * terms.length + 1).fill(-1);
    this.tail = new Int32Array(2 * terms.length + 1).fill(-1);
  }

  /** SearchableMap.set(terms[t], t): createPath, then the LEAF entry. */
  set(t: number): void {
    const key = this.terms[t] as string;
    const length = key.length;
    let node = 0;
    let pos = 0;
    outer: while (pos < length) {
      const c = key.charCodeAt(pos);
      for (let e = this.head[node] as number; e >= 0; e = this.next[e] as number) {
        if (this.first[e] !== c) continue;
        const label = this.terms[this.labelTerm[e] as number] as string;
        const start = this.labelStart[e] as number;
        const labelLength = this.labelLength[e] as number;
        const len = Math.min(length - pos, labelLength);
        let offset = 1;
        while (offset < len && key.charCodeAt(pos + offset) === label.charCodeAt(start + offset)) ++offset;
        if (offset === labelLength) node = this.child[e] as number;
        else {
          // intermediate.set(k.slice(offset), child); node.set(key.slice(pos, pos + offset),
          // intermediate); node.delete(k)
          const intermediate = this.nodes++;
          this.unlink(node, e);
          this.labelStart[e] = start + offset;
          this.labelLength[e] = labelLength - offset;
          this.first[e] = label.charCodeAt(start + offset);
          this.append(intermediate, e);
          this.append(node, this.edge(t, pos, offset, intermediate));
          node = intermediate;
        }
        pos += offset;
        continue outer;
      }
      const created = this.nodes++;
      this.append(node, this.edge(t, pos, length - pos, created));
      node = created;
      break;
    }
    const leaf = this.entries++;
    this.leaf[leaf] = t;
    this.first[leaf] = -1;
    this.append(node, leaf);
  }

  /** The term ids as SearchableMap's iterator gives them: depth first, each node's entries last to first. */
  iterationOrder(): Int32Array {
    const out = new Int32Array(this.terms.length);
    let n = 0;
    const stack: number[] = [this.tail[0] as number];
    while (stack.length) {
      const e = stack.pop() as number;
      if (e < 0) continue;
      stack.push(this.prev[e] as number);
      const leaf = this.leaf[e] as number;
      if (leaf >= 0) out[n++] = leaf;
      else stack.push(this.tail[this.child[e] as number] as number);
    }
    return out;
  }

  /** The term ids in code-unit order of their terms: depth first, a node's leaf first, then its edges by first character. */
  sortedOrder(): Int32Array {
    const out = new Int32Array(this.terms.length);
    let n = 0;
    const visit: number[] = [0];
    while (visit.length) {
      const node = visit.pop() as number;
      const edges: number[] = [];
      for (let e = this.head[node] as number; e >= 0; e = this.next[e] as number) {
        const leaf = this.leaf[e] as number;
        if (leaf >= 0) out[n++] = leaf;
        else edges.push(e);
      }
      edges.sort((a, b) => (this.first[b] as number) - (this.first[a] as number));
      for (const e of edges) visit.push(this.child[e] as number);
    }
    return out;
  }

  /** Gives the tree's arrays back (see releaseBuffer). */
  release(): void {
    for (const a of [
      this.next,
      this.prev,
      this.leaf,
      this.first,
      this.child,
      this.labelTerm,
      this.labelStart,
      this.labelLength,
      this.head,
      this.tail,
    ])
      releaseBuffer(a);
  }

  private edge(t: number, start: number, length: number, child: number): number {
    const e = this.entries++;
    this.leaf[e] = -1;
    this.first[e] = this.terms[t]?.charCodeAt(start) as number;
    this.child[e] = child;
    this.labelTerm[e] = t;
    this.labelStart[e] = start;
    this.labelLength[e] = length;
    return e;
  }

  private append(node: number, e: number): void {
    const last = this.tail[node] as number;
    this.prev[e] = last;
    this.next[e] = -1;
    if (last >= 0) this.next[last] = e;
    else this.head[node] = e;
    this.tail[node] = e;
  }

  private unlink(node: number, e: number): void {
    const p = this.prev[e] as number;
    const q = this.next[e] as number;
    if (p >= 0) this.next[p] = q;
    else this.head[node] = q;
    if (q >= 0) this.prev[q] = p;
    else this.tail[node] = p;
  }
}
