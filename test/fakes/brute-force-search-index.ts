import type {
  FieldText,
  SearchEngine,
  SearchIndex,
  SearchIndexBuilder,
  SearchIndexHit,
  SearchIndexSettings,
  SearchIndexSnapshot,
  SearchOptions,
} from '../../src/ports/search-engine.js';

/**
 * The reference SearchEngine: BM25+ as the port describes it, written to be obviously right rather
 * than fast. Every query scores every section, term by term and field by field, from per-section
 * term counts; prefix and fuzzy matches are found by scanning the whole vocabulary. The contract
 * suite ranks the fast engine against it (test/contract/search-engine.contract.ts).
 */
export class BruteForceSearchEngine implements SearchEngine {
  create<F extends string>(settings: SearchIndexSettings<F>): SearchIndexBuilder<F> {
    return new BruteForceSearchIndex(settings);
  }

  restore<F extends string>(
    settings: SearchIndexSettings<F>,
    snapshot: SearchIndexSnapshot,
  ): SearchIndex | undefined {
    const s = snapshot as Partial<BruteForceSnapshot>;
    if (s.kind !== 'brute-force' || s.fields?.join('\0') !== settings.fields.join('\0')) return undefined;
    if (!Array.isArray(s.sections)) return undefined;
    const index = new BruteForceSearchIndex(settings);
    for (const section of s.sections) index.sections.push(section.map((f) => ({ ...f, tf: new Map(f.tf) })));
    return index.seal();
  }
}

interface FieldCounts {
  /** How often each term occurs in the field (once per token that yields it). */
  readonly tf: Map<string, number>;
  /** Distinct tokens in the field (MiniSearch's field length). */
  readonly length: number;
}

interface BruteForceSnapshot {
  readonly kind: 'brute-force';
  readonly fields: readonly string[];
  readonly sections: { tf: [string, number][]; length: number }[][];
}

/** Term frequencies are stored in 16 bits by the fast engine; the port's scores follow. */
const MAX_TF = 0xffff;
const MAX_QUERY_TERMS = 32;
const MAX_FUZZY = 6;

class BruteForceSearchIndex<F extends string> implements SearchIndexBuilder<F>, SearchIndex {
  readonly sections: FieldCounts[][] = [];
  private sealed = false;

  constructor(private readonly settings: SearchIndexSettings<F>) {}

  get documentCount(): number {
    return this.sections.length;
  }

  add(fields: Readonly<Record<F, FieldText>>): number {
    if (this.sealed) throw new Error('BruteForceSearchIndex: add() after seal()');
    this.sections.push(
      this.settings.fields.map((field) => {
        const value = fields[field] ?? '';
        // Parts of a text: joined by a space, as the port describes them.
        const text =
          typeof value === 'string'
            ? value
            : Array.from({ length: value.ranges.length / 2 }, (_, k) =>
                value.text.slice(value.ranges[2 * k], value.ranges[2 * k + 1]),
              ).join(' ');
        const tokens = this.settings.tokenize(text);
        const tf = new Map<string, number>();
        for (const token of tokens)
          for (const term of this.settings.processTerm(token))
            tf.set(term, Math.min(MAX_TF, (tf.get(term) ?? 0) + 1));
        return { tf, length: new Set(tokens).size };
      }),
    );
    return this.sections.length - 1;
  }

  firstFieldTerms(): readonly string[] {
    const last = this.sections[this.sections.length - 1];
    return last?.[0] ? [...last[0].tf.keys()] : [];
  }

  seal(): this {
    this.sealed = true;
    return this;
  }

  async sealAsync(pause: () => Promise<void>): Promise<this> {
    await pause();
    return this.seal();
  }

  has(term: string): boolean {
    return this.sections.some((s) => s.some((f) => f.tf.has(term)));
  }

  idf(term: string): number {
    return bm25Idf(this.documentCount, this.sections.filter((s) => s.some((f) => f.tf.has(term))).length);
  }

  snapshot(): SearchIndexSnapshot {
    const snapshot: BruteForceSnapshot = {
      kind: 'brute-force',
      fields: [...this.settings.fields],
      sections: this.sections.map((s) => s.map((f) => ({ tf: [...f.tf], length: f.length }))),
    };
    return snapshot;
  }

  search(terms: readonly string[], options: SearchOptions): SearchIndexHit[] {
    if (!this.sealed) throw new Error('BruteForceSearchIndex: search() before seal()');
    const distinct = rarest([...new Set(terms)], (t) => this.documentFrequency(t));
    const vocabulary = this.vocabulary();
    const scores = this.sections.map(() => 0);
    const matched = this.sections.map(() => new Set<string>());
    for (const term of terms) {
      if (!distinct.includes(term)) continue;
      for (const { indexTerm, weight } of this.expand(term, vocabulary, options))
        for (let doc = 0; doc < this.sections.length; doc++) {
          const score = this.termScore(doc, indexTerm);
          if (score === undefined) continue;
          scores[doc] = (scores[doc] as number) + weight * score;
          matched[doc]?.add(term);
        }
    }
    return this.sections
      .map((_, doc) => ({
        doc,
        score: (scores[doc] as number) * (matched[doc]?.size ?? 0),
        queryTerms: distinct.filter((t) => matched[doc]?.has(t)),
      }))
      .filter((hit) => hit.queryTerms.length > 0)
      .sort((a, b) => b.score - a.score || a.doc - b.doc)
      .slice(0, options.limit);
  }

  /** The index terms a query term stands for: itself, then prefix and fuzzy matches, with weights. */
  private expand(term: string, vocabulary: ReadonlySet<string>, options: SearchOptions) {
    const out: { indexTerm: string; weight: number }[] = [];
    if (vocabulary.has(term)) out.push({ indexTerm: term, weight: 1 });
    const prefixed = new Set<string>();
    if (options.prefix?.(term))
      for (const other of vocabulary)
        if (other.startsWith(term) && other !== term) {
          prefixed.add(other);
          const distance = other.length - term.length;
          out.push({
            indexTerm: other,
            weight: (this.settings.weights.prefix * other.length) / (other.length + 0.3 * distance),
          });
        }
    const fuzzy = options.fuzzy?.(term);
    const maxDistance = fuzzy ? Math.min(MAX_FUZZY, Math.round(term.length * fuzzy)) : 0;
    if (maxDistance > 0)
      for (const other of vocabulary) {
        if (prefixed.has(other)) continue;
        const distance = levenshtein(term, other);
        if (distance > 0 && distance <= maxDistance)
          out.push({
            indexTerm: other,
            weight: (this.settings.weights.fuzzy * other.length) / (other.length + distance),
          });
      }
    return out;
  }

  /** BM25+ of one index term in one section, summed over its fields; undefined when it has none. */
  private termScore(doc: number, term: string): number | undefined {
    const { k, b, d } = this.settings.bm25;
    const n = this.documentCount;
    let total: number | undefined;
    this.settings.fields.forEach((field, f) => {
      const counts = this.sections[doc]?.[f];
      const tf = counts?.tf.get(term) ?? 0;
      if (!counts || tf === 0) return;
      const df = this.sections.filter((s) => s[f]?.tf.has(term)).length;
      const avg = this.sections.reduce((sum, s) => sum + (s[f]?.length ?? 0), 0) / n;
      const idf = bm25Idf(n, df);
      const boost = this.settings.boost[field] ?? 1;
      total =
        (total ?? 0) + boost * idf * (d + (tf * (k + 1)) / (tf + k * (1 - b + (b * counts.length) / avg)));
    });
    return total;
  }

  private documentFrequency(term: string): number {
    return this.sections.filter((s) => s.some((f) => f.tf.has(term))).length;
  }

  private vocabulary(): Set<string> {
    const out = new Set<string>();
    for (const s of this.sections) for (const f of s) for (const term of f.tf.keys()) out.add(term);
    return out;
  }
}

/** The query's distinct terms, the rarest MAX_QUERY_TERMS of them if there are more, in query order. */
function rarest(distinct: string[], df: (term: string) => number): string[] {
  if (distinct.length <= MAX_QUERY_TERMS) return distinct;
  const keep = new Set(
    distinct
      .map((t, i) => ({ t, i, df: df(t) }))
      .sort((a, b) => a.df - b.df || a.i - b.i)
      .slice(0, MAX_QUERY_TERMS)
      .map((x) => x.t),
  );
  return distinct.filter((t) => keep.has(t));
}

function bm25Idf(total: number, df: number): number {
  return Math.log(1 + (total - df + 0.5) / (df + 0.5));
}

/** Edit distance: insertions, deletions and substitutions. */
function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row.push(
        Math.min(
          (previous[j] as number) + 1,
          (row[j - 1] as number) + 1,
          (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
        ),
      );
    previous = row;
  }
  return previous[b.length] as number;
}
