import { describe, expect, it } from 'vitest';
import { TextAnalysis } from '../../src/domain/text-analysis.js';
import { scanWords } from '../../src/domain/word-scanner.js';
import type {
  SearchEngine,
  SearchIndex,
  SearchIndexHit,
  SearchIndexSettings,
  SearchOptions,
} from '../../src/ports/search-engine.js';
import { BruteForceSearchEngine } from '../fakes/brute-force-search-index.js';
import { SuffixStemmer } from '../fakes/suffix-stemmer.js';
import { seededRandom } from '../support/seeded-random.js';

type Field = 'heading' | 'lead' | 'body';
type Section = Readonly<Record<Field, string>>;

const analysis = new TextAnalysis(new SuffixStemmer());
const SETTINGS: SearchIndexSettings<Field> = {
  fields: ['heading', 'lead', 'body'],
  tokenize: analysis.tokenize,
  processTerm: analysis.processTerm,
  boost: { heading: 5, lead: 2, body: 1 },
  bm25: { k: 1.2, b: 0.65, d: 0.3 },
  weights: { prefix: 0.3, fuzzy: 0.2 },
};
const terms = (query: string) => analysis.tokenize(query).flatMap((t) => analysis.processTerm(t));
const ids = (hits: readonly SearchIndexHit[]) => hits.map((h) => h.doc);

const SECTIONS: Section[] = [
  {
    heading: 'Reading files',
    lead: 'Reads the whole file into memory.',
    body: 'Use readFileSync for scripts.',
  },
  { heading: 'Streams', lead: 'A stream reads data in chunks.', body: 'Pipe a stream into a file.' },
  { heading: 'Timers', lead: 'Schedules a callback.', body: 'setTimeout runs it once after a delay.' },
  { heading: 'Sockets', lead: 'A socket connects two peers.', body: 'The timeout applies to idle sockets.' },
];

/**
 * A deterministic corpus neither engine was tuned on: a skewed vocabulary of words and
 * identifiers (so some terms are everywhere and some rare), in fields of very different lengths.
 */
function generatedCorpus(n: number, seed = 11): Section[] {
  const rand = seededRandom(seed);
  const vocabulary = (
    'stream buffer read write file socket server client request response timeout timer process ' +
    'child spawn exec signal event emitter listener error promise callback encoding utf8 path ' +
    'module import export worker thread heap memory crypto hash cipher certificate readFileSync ' +
    'createServer setTimeout AbortSignal structuredClone networkInterfaces max_old_space_size ' +
    'UTF-8 reading streams listening handlers the a of to'
  ).split(' ');
  const words = (count: number) =>
    Array.from({ length: count }, () => vocabulary[Math.floor(rand() ** 1.7 * vocabulary.length)]).join(' ');
  return Array.from({ length: n }, () => ({
    heading: words(1 + Math.floor(rand() * 4)),
    lead: rand() < 0.3 ? '' : words(3 + Math.floor(rand() * 25)),
    body: words(Math.floor(rand() * 200)),
  }));
}

/** DocIndex's policy: prefix and fuzzy only for terms the index does not know; and suggest's: always. */
const POLICIES: Record<string, (index: SearchIndex) => Omit<SearchOptions, 'limit'>> = {
  'exact, prefix/fuzzy for unknown terms': (index) => ({
    prefix: (t) => t.length > 3 && !index.has(t),
    fuzzy: (t) => (t.length > 4 && !index.has(t) ? 0.2 : false),
  }),
  'prefix and fuzzy always': () => ({ prefix: () => true, fuzzy: () => 0.3 }),
};

const ORACLE_QUERIES = [
  'read file',
  'stream buffer the',
  'readFileSync',
  'max_old_space_size heap memory',
  'socket timeout timeout error',
  'UTF-8 encoding',
  'enco',
  'listenr',
  'certificat',
  'structuredClone deep copy',
  'zzz unknown words',
  'a of the',
  // More than 32 distinct terms: scored on the rarest.
  'stream buffer write file socket server client request response timeout timer process child spawn exec ' +
    'signal event emitter listener error promise callback encoding path module import export worker thread ' +
    'heap memory crypto hash cipher certificate',
];

function build(
  engine: SearchEngine,
  sections: readonly Section[],
  settings: SearchIndexSettings<Field> = SETTINGS,
): SearchIndex {
  const builder = engine.create(settings);
  for (const s of sections) builder.add(s);
  return builder.seal();
}

/**
 * What every SearchEngine promises: BM25+ over boosted fields as the port describes it. The
 * oracle checks rank a generated corpus against BruteForceSearchEngine, which scores every
 * section the plain way: same hits, same order, same scores.
 */
export function runSearchEngineContract(name: string, make: () => SearchEngine): void {
  describe(`SearchEngine contract: ${name}`, () => {
    const index = build(make(), SECTIONS);

    it('numbers sections from 0 in the order they are added', () => {
      const builder = make().create(SETTINGS);
      expect(SECTIONS.map((s) => builder.add(s))).toEqual([0, 1, 2, 3]);
      expect(builder.seal().documentCount).toBe(4);
    });

    it('finds nothing in an empty index, nor for terms no section has', () => {
      const empty = make().create(SETTINGS).seal();
      expect(empty.documentCount).toBe(0);
      expect(empty.search(terms('file'), { limit: 10 })).toEqual([]);
      expect(index.search(terms('zebra'), { limit: 10 })).toEqual([]);
      expect(index.search([], { limit: 10 })).toEqual([]);
    });

    it('knows its terms, and weighs rare ones more (idf)', () => {
      expect(index.has('file')).toBe(true);
      expect(index.has('zebra')).toBe(false);
      // "stream" is in one section, "file" in two; an unknown term gets the maximum.
      expect(index.idf('stream')).toBeGreaterThan(index.idf('file'));
      expect(index.idf('zebra')).toBeCloseTo(Math.log(1 + 4.5 / 0.5), 12);
    });

    it('ranks a match in a boosted field above one in the body, best first', () => {
      const hits = index.search(terms('timeout'), { limit: 10 });
      // "setTimeout" is one token whose parts include "timeout"; section 3 has it in its body too.
      expect(ids(hits).sort()).toEqual([2, 3]);
      const file = index.search(terms('file'), { limit: 10 });
      expect(file[0]?.doc).toBe(0); // heading and lead, over section 1's body
      for (let i = 1; i < file.length; i++)
        expect(file[i - 1]?.score).toBeGreaterThanOrEqual(file[i]?.score as number);
    });

    it('ranks sections that match more of the query higher, and says which terms they matched', () => {
      const hits = index.search(terms('stream file'), { limit: 10 });
      expect(hits[0]?.doc).toBe(1);
      expect(hits[0]?.queryTerms).toEqual(['stream', 'file']);
      expect(hits.find((h) => h.doc === 0)?.queryTerms).toEqual(['file']);
    });

    it('returns at most limit hits, and equal scores lowest section first', () => {
      const twins = build(make(), [
        { heading: 'alpha', lead: '', body: '' },
        { heading: 'beta', lead: '', body: '' },
        { heading: 'alpha', lead: '', body: '' },
        { heading: 'alpha', lead: '', body: '' },
      ]);
      expect(ids(twins.search(['alpha'], { limit: 10 }))).toEqual([0, 2, 3]);
      expect(ids(twins.search(['alpha'], { limit: 2 }))).toEqual([0, 2]);
      expect(twins.search(['alpha'], { limit: 0 })).toEqual([]);
    });

    it('matches by prefix and by edit distance only when asked, and weighs such matches less', () => {
      expect(index.search(['sock'], { limit: 10 })).toEqual([]);
      const prefixed = index.search(['sock'], { limit: 10, prefix: () => true });
      expect(ids(prefixed)).toEqual([3]);
      expect(prefixed[0]?.queryTerms).toEqual(['sock']);
      expect(index.search(['sockte'], { limit: 10 })).toEqual([]);
      const fuzzy = index.search(['sockte'], { limit: 10, fuzzy: () => 0.4 });
      expect(ids(fuzzy)).toEqual([3]);
      const exact = index.search(['socket'], { limit: 10 });
      expect(exact[0]?.score).toBeGreaterThan(prefixed[0]?.score as number);
      expect(exact[0]?.score).toBeGreaterThan(fuzzy[0]?.score as number);
    });

    it('indexes parts of one text as the parts joined by a space', () => {
      const corpus = generatedCorpus(40, 5);
      for (const settings of [SETTINGS, { ...SETTINGS, scanWords: undefined }]) {
        const joined = make().create(settings);
        const parted = make().create(settings);
        for (const s of corpus) {
          // The lead and the body cut out of one text: "<body start> <lead> <body end>".
          const half = s.body.indexOf(' ', s.body.length >> 1);
          const head = half < 0 ? s.body : s.body.slice(0, half);
          const tail = half < 0 ? '' : s.body.slice(half + 1);
          const text = `${head} ${s.lead} ${tail}`;
          const at = head.length + 1;
          joined.add({ heading: s.heading, lead: s.lead, body: `${head} ${tail}` });
          parted.add({
            heading: s.heading,
            lead: { text, ranges: [at, at + s.lead.length] },
            body: { text, ranges: [0, head.length, at + s.lead.length + 1, text.length] },
          });
        }
        const a = joined.seal();
        const b = parted.seal();
        expect(b.snapshot()).toEqual(a.snapshot());
        for (const q of ORACLE_QUERIES)
          expect(b.search(terms(q), { limit: 10 })).toEqual(a.search(terms(q), { limit: 10 }));
      }
    });

    it("gives the first field's distinct terms of the section added last, in order", () => {
      const builder = make().create(SETTINGS);
      builder.add({ heading: 'Reading files, reading streams', lead: 'other words', body: 'more' });
      const expected = [...new Set(terms('Reading files, reading streams'))];
      expect(builder.firstFieldTerms()).toEqual(expected);
      builder.add({ heading: 'the', lead: 'words', body: '' });
      expect(builder.firstFieldTerms()).toEqual([]);
    });

    it('restores from its snapshot an index that scores exactly the same', () => {
      const engine = make();
      const restored = engine.restore(SETTINGS, structuredClone(index.snapshot()));
      if (!restored) throw new Error('not restored');
      expect(restored.documentCount).toBe(index.documentCount);
      for (const q of ['file', 'stream file', 'timeout', 'sock'])
        expect(restored.search(terms(q), { limit: 10, prefix: () => true })).toEqual(
          index.search(terms(q), { limit: 10, prefix: () => true }),
        );
    });

    it('refuses a snapshot made for other fields, or that is no snapshot of its own', () => {
      const engine = make();
      const other = { ...SETTINGS, fields: ['heading', 'body'] as Field[] };
      expect(engine.restore(other, index.snapshot())).toBeUndefined();
      expect(engine.restore(SETTINGS, {})).toBeUndefined();
      expect(engine.restore(SETTINGS, { fields: SETTINGS.fields, terms: 'nonsense' })).toBeUndefined();
    });

    describe('ranks a generated corpus as the brute-force reference does', () => {
      const corpus = generatedCorpus(300);
      const fast = build(make(), corpus);
      const reference = build(new BruteForceSearchEngine(), corpus);
      // The optional word scanner must change nothing but speed.
      const scanned = build(make(), corpus, { ...SETTINGS, scanWords });

      it('has the same terms and idf', () => {
        for (const t of ['stream', 'readfilesync', 'utf8', 'the', 'zebra', 'timeout'])
          expect([t, fast.has(t), fast.idf(t)]).toEqual([t, reference.has(t), reference.idf(t)]);
      });

      it('seals in slices (sealAsync) to an index that scores exactly as seal() does', async () => {
        const builder = make().create(SETTINGS);
        for (const s of corpus) builder.add(s);
        let pauses = 0;
        const sliced = await builder.sealAsync(async () => {
          pauses++;
        });
        expect(pauses).toBeGreaterThan(0);
        for (const q of ORACLE_QUERIES)
          for (const policy of Object.values(POLICIES))
            expect(sliced.search(terms(q), { limit: 10, ...policy(sliced) })).toEqual(
              fast.search(terms(q), { limit: 10, ...policy(fast) }),
            );
      });

      for (const [policyName, policy] of Object.entries(POLICIES))
        it.each(ORACLE_QUERIES.map((q) => [q.slice(0, 60), q]))(`${policyName}: %s`, (_, query) => {
          // Small limits too: an engine that skips postings which cannot reach the top k must still
          // return exactly the reference's top k.
          for (const limit of [1, 3, 10, 100]) {
            const expected = reference.search(terms(query), { limit, ...policy(reference) });
            for (const engine of [fast, scanned]) {
              const actual = engine.search(terms(query), { limit, ...policy(engine) });
              expect(ids(actual)).toEqual(ids(expected));
              actual.forEach((hit, i) => {
                expect(hit.score).toBeCloseTo(expected[i]?.score as number, 9);
                expect(hit.queryTerms).toEqual(expected[i]?.queryTerms);
              });
            }
          }
        });
    });
  });
}
