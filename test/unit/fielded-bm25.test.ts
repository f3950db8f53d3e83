import MiniSearch from 'minisearch';
import { describe, expect, it, vi } from 'vitest';
import { FieldedBm25 } from '../../src/adapters/minisearch/fielded-bm25.js';
import { indexTools } from '../fakes/index-tools.js';
import { seededRandom } from '../support/seeded-random.js';

const { processTerm, tokenize } = indexTools.analysis;

type Field = 'heading' | 'path' | 'lead' | 'body';
const FIELDS: Field[] = ['heading', 'path', 'lead', 'body'];
const BOOST = { heading: 5, path: 2.5, lead: 7, body: 1 };
const BM25 = { k: 1.2, b: 0.65, d: 0.3 };
const WEIGHTS = { prefix: 0.3, fuzzy: 0.2 };
const engine = () =>
  new FieldedBm25<Field>({
    fields: FIELDS,
    tokenize,
    processTerm,
    boost: BOOST,
    bm25: BM25,
    weights: WEIGHTS,
  });

const WORDS = (
  'stream buffer read write file socket server client request response timeout timer process ' +
  'child spawn exec signal event emitter listener error promise callback encoding utf8 path ' +
  'module import export worker thread heap memory crypto hash cipher certificate readFileSync ' +
  'createServer setTimeout AbortSignal structuredClone networkInterfaces max_old_space_size the a of'
).split(' ');

/** Deterministic pseudo-random documents: a corpus neither implementation was tuned on. */
function corpus(n: number): Record<Field, string>[] {
  const rand = seededRandom(7);
  const words = (count: number) =>
    Array.from({ length: count }, () => WORDS[Math.floor(rand() ** 1.6 * WORDS.length)]).join(' ');
  return Array.from({ length: n }, () => ({
    heading: words(1 + Math.floor(rand() * 4)),
    path: words(2 + Math.floor(rand() * 3)),
    lead: rand() < 0.3 ? '' : words(5 + Math.floor(rand() * 30)),
    body: words(Math.floor(rand() * 300)),
  }));
}

const QUERIES = [
  'read file',
  'stream buffer the',
  'readFileSync',
  'max_old_space_size heap memory',
  'socket timeout timeout error',
  'enco',
  'listenr',
  'structuredClone deep copy',
  'zzz unknown words',
  'a of the',
];

describe('FieldedBm25 scores exactly as MiniSearch does', () => {
  const docs = corpus(400);
  const mini = new MiniSearch<Record<Field, string> & { id: number }>({
    fields: FIELDS,
    tokenize,
    processTerm: (t) => processTerm(t),
  });
  mini.addAll(docs.map((d, id) => ({ id, ...d })));
  const ours = engine();
  for (const d of docs) ours.add(d);
  ours.seal();

  const prefix = (t: string) => t.length > 3 && !ours.has(t);
  const fuzzy = (t: string) => (t.length > 4 && !ours.has(t) ? 0.2 : false);

  it.each(QUERIES)('%s', (query) => {
    const expected = mini.search(query, {
      boost: BOOST,
      bm25: BM25,
      weights: WEIGHTS,
      prefix,
      fuzzy,
      combineWith: 'OR',
    });
    const got = ours.search(query, { limit: docs.length, prefix, fuzzy });
    expect(got.map((h) => h.doc).sort((a, b) => a - b)).toEqual(
      expected.map((r) => r.id).sort((a, b) => a - b),
    );
    const byDoc = new Map(got.map((h) => [h.doc, h]));
    for (const r of expected) {
      const h = byDoc.get(r.id);
      expect(h?.score).toBeCloseTo(r.score, 9);
      expect([...(h?.queryTerms ?? [])].sort()).toEqual([...r.queryTerms].sort());
    }
    // Best first, and a limit keeps the best ones.
    const top = ours.search(query, { limit: 5, prefix, fuzzy });
    expect(top.map((h) => h.score)).toEqual(got.slice(0, 5).map((h) => h.score));
  });

  it('exercises prefix and fuzzy matching, so the comparison above covers them', () => {
    expect(ours.has('enco') || ours.has('listenr')).toBe(false);
    expect(ours.search('enco', { limit: 5, prefix }).length).toBeGreaterThan(0);
    expect(ours.search('listenr', { limit: 5, fuzzy }).length).toBeGreaterThan(0);
    expect(ours.search('enco listenr', { limit: 5 })).toEqual([]);
  });

  it('counts document frequency across fields, once per document', () => {
    const stream = docs.filter((d) =>
      FIELDS.some((f) => tokenize(d[f]).some((t) => processTerm(t).includes('stream'))),
    );
    expect(ours.documentFrequency('stream')).toBe(stream.length);
    expect(ours.documentFrequency('nonexistent')).toBe(0);
  });

  it('refuses to add after sealing and to search before', () => {
    const fresh = engine();
    expect(() => fresh.search('x', { limit: 1 })).toThrow(/before seal/);
    fresh.seal();
    expect(() => fresh.add(docs[0] as Record<Field, string>)).toThrow(/after seal/);
  });
});

describe('FieldedBm25 with a very long query', () => {
  it('scores the 32 rarest distinct terms of a pasted paragraph, so a rare word late in it still counts', () => {
    const index = engine();
    const common = Array.from({ length: 40 }, (_, i) => `common${String.fromCharCode(97 + (i % 26))}${i}`);
    for (let d = 0; d < 50; d++) index.add({ heading: '', path: '', lead: '', body: common.join(' ') });
    index.add({ heading: 'Zeppelin', path: '', lead: '', body: 'zeppelin airship' });
    index.seal();
    const hits = index.search([...common, 'zeppelin'].join(' '), { limit: 60 });
    // 'zeppelin' comes 41st in the query but is the rarest term: it is kept, so its document matches.
    expect(hits.find((h) => h.doc === 50)?.queryTerms).toEqual(['zeppelin']);
    expect(index.search(common.join(' '), { limit: 100 })[0]?.queryTerms).toHaveLength(32);
  });
});

describe('FieldedBm25 when a query reaches thousands of documents', () => {
  it('keeps exactly the best hits of a short page (ties included) as a page of every document ranks them', () => {
    const rand = seededRandom(11);
    const words = (count: number) =>
      Array.from({ length: count }, () => WORDS[Math.floor(rand() ** 1.6 * WORDS.length)]).join(' ');
    const index = engine();
    const n = 9000;
    for (let d = 0; d < n; d++)
      // Every 50th document the same short text: equal scores at the top of the ranking.
      index.add(
        d % 50 === 0
          ? { heading: 'stream buffer', path: '', lead: '', body: 'stream buffer' }
          : { heading: words(2), path: words(2), lead: '', body: words(3 + Math.floor(rand() * 40)) },
      );
    index.seal();
    for (const query of ['stream buffer', 'read file the', 'timeout error socket']) {
      const every = index.search(query, { limit: n });
      expect(every.length).toBeGreaterThan(4096);
      for (const limit of [1, 10, 100, 500])
        expect(index.search(query, { limit })).toEqual(every.slice(0, limit));
    }
  });
});

describe('FieldedBm25 when the sampled bar is too high', () => {
  it('keeps exactly the best hits when the best sit where the sample looks (the bar is lowered, then as a page of every document ranks them)', () => {
    // 8192 documents reached by one term: the sample takes every 8th. Those are the only strong
    // ones (each a little weaker than the one before), so a bar at the sample's 25th best keeps
    // 25, fewer than a page of 100: the bar must be lowered, not the page cut short.
    const index = engine();
    const n = 8192;
    const filler = (count: number) => Array.from({ length: count }, (_, i) => `filler${i % 97}`).join(' ');
    for (let d = 0; d < n; d++)
      index.add(
        d % 8 === 0
          ? { heading: 'stream', path: '', lead: '', body: `stream stream ${filler(d >>> 3)}` }
          : { heading: '', path: '', lead: '', body: `stream ${filler(200)}` },
      );
    index.seal();
    const every = index.search('stream', { limit: n });
    expect(every).toHaveLength(n);
    for (const limit of [10, 50, 100, 300]) {
      const page = index.search('stream', { limit });
      expect(page).toEqual(every.slice(0, limit));
      expect(page.every((hit) => hit.doc % 8 === 0)).toBe(true);
    }
  });
});

describe('FieldedBm25 when the lists left only complete the documents reached', () => {
  it('gives the same page as scoring every list, query after query (nothing left over from the one before)', () => {
    const rand = seededRandom(5);
    const index = engine();
    const n = 16000;
    // A rare, strong word and common weak ones: after the rare one, the common lists can only
    // complete the documents it reached. Its 800 documents are enough for those lists to be
    // scanned rather than looked up, and few enough to be cleared one by one.
    for (let d = 0; d < n; d++)
      index.add({
        heading: d % 20 === 0 ? 'certificate' : d % 20 === 10 ? 'renewal' : 'notes',
        path: '',
        lead: '',
        body: `${rand() < 0.6 ? 'stream ' : ''}${rand() < 0.5 ? 'buffer ' : ''}${rand() < 0.4 ? 'read ' : ''}text ${'word '.repeat(Math.floor(rand() * 30))}`,
      });
    index.seal();
    // Each rare word's documents are the candidates of its query: another's must not be touched.
    const queries = [
      'certificate stream buffer read',
      'renewal stream buffer',
      'stream buffer read',
      'certificate read',
    ];
    const pages = queries.map((q) => index.search(q, { limit: n }).slice(0, 20));
    const completed = vi.spyOn(index as unknown as { completeReached: () => number }, 'completeReached');
    for (const round of [queries, [...queries].reverse()])
      for (const q of round) expect(index.search(q, { limit: 20 })).toEqual(pages[queries.indexOf(q)]);
    expect(completed).toHaveBeenCalled();
  });
});
