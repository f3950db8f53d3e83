import { describe, expect, it, vi } from 'vitest';
import { MarkedSectionSplitter } from '../../src/adapters/marked/marked-section-splitter.js';
import type { Bm25Snapshot } from '../../src/adapters/minisearch/fielded-bm25.js';
import { FieldedBm25SearchEngine } from '../../src/adapters/minisearch/fielded-bm25-search-engine.js';
import { PorterStemmer } from '../../src/adapters/stemmer/porter-stemmer.js';
import { DocIndex } from '../../src/domain/doc-index.js';
import type { SourceDocument } from '../../src/domain/document.js';
import { IndexTools } from '../../src/domain/index-tools.js';
import { SAVE_DELAY_MS, ServeDocs } from '../../src/domain/serve-docs.js';
import { BruteForceSearchEngine } from '../fakes/brute-force-search-index.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { InMemoryIndexStore } from '../fakes/in-memory-index-store.js';
import { indexTools } from '../fakes/index-tools.js';
import { LineSectionSplitter } from '../fakes/line-section-splitter.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';
import { SuffixStemmer } from '../fakes/suffix-stemmer.js';

const SOURCES: SourceDocument[] = Object.entries(SAMPLE_DOCS).map(([path, markdown]) => ({
  id: path.replace(/\.md$/, ''),
  path,
  markdown,
}));
const QUERIES = ['secure context', 'read file', 'timeout event loop', 'createSecureContext', 'tiemout'];
const ranking = (index: DocIndex) =>
  QUERIES.map((q) => index.search(q, 5).map((h) => [h.section.id, h.score, h.snippet]));

describe('DocIndex snapshots', () => {
  it('restore an index that ranks, snippets and fetches exactly as the one saved', async () => {
    const built = await DocIndex.buildAsync(indexTools, SOURCES, new Date('2026-01-01T00:00:00Z'));
    const restored = DocIndex.restore(indexTools, structuredClone(await built.snapshot('fp')), SOURCES);
    if (!restored) throw new Error('not restored');
    expect(ranking(restored)).toEqual(ranking(built));
    expect(restored.builtAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    for (const doc of built.documents()) expect(restored.document(doc.id)).toEqual(doc);
    // A rebuild over the restored index can still reuse its documents.
    const again = await DocIndex.buildAsync(indexTools, SOURCES, new Date(1), undefined, {
      previous: restored,
    });
    expect(again.document('tls')).toBe(restored.document('tls'));
  });

  it('keeps the Markdown of a section that is not a slice of the document (CRLF line ends)', async () => {
    const crlf = [
      { id: 'win', path: 'win.md', markdown: '# Title\r\n\r\nText.\r\n\r\n## Part\r\n\r\nMore.\r\n' },
    ];
    const built = await DocIndex.buildAsync(indexTools, crlf, new Date(0));
    const snap = await built.snapshot('fp');
    expect(snap.documents[0]?.sections.some((s) => s.markdown !== undefined)).toBe(true);
    const restored = DocIndex.restore(indexTools, structuredClone(snap), crlf);
    expect(restored?.document('win')).toEqual(built.document('win'));
  });

  it.each([
    [
      'a document was added',
      (s: SourceDocument[]) => [...s, { id: 'new', path: 'new.md', markdown: '# New' }],
    ],
    ['a document was removed', (s: SourceDocument[]) => s.slice(1)],
    [
      'a document changed length',
      (s: SourceDocument[]) => s.map((d, i) => (i ? d : { ...d, markdown: `${d.markdown}!` })),
    ],
    ['a title changed', (s: SourceDocument[]) => s.map((d, i) => (i ? d : { ...d, title: 'Other' }))],
    ['a document moved', (s: SourceDocument[]) => s.map((d, i) => (i ? d : { ...d, path: 'elsewhere.md' }))],
  ])('refuses to restore over other documents: %s', async (_, change) => {
    const built = await DocIndex.buildAsync(indexTools, SOURCES, new Date(0));
    expect(DocIndex.restore(indexTools, await built.snapshot('fp'), change(SOURCES))).toBeUndefined();
  });

  it('refuses a snapshot of another format or from code that analyzes text differently', async () => {
    const snap = await (await DocIndex.buildAsync(indexTools, SOURCES, new Date(0))).snapshot('fp');
    expect(DocIndex.restore(indexTools, { ...snap, format: snap.format + 1 }, SOURCES)).toBeUndefined();
    expect(DocIndex.restore(indexTools, { ...snap, probe: `${snap.probe} ` }, SOURCES)).toBeUndefined();
  });

  it('refuses engine arrays that do not fit together rather than scoring wrongly', async () => {
    const snap = await (await DocIndex.buildAsync(indexTools, SOURCES, new Date(0))).snapshot('fp');
    const bm25 = snap.engine as Bm25Snapshot;
    const engine = { ...bm25, postingImpacts: bm25.postingImpacts.subarray(1) };
    expect(DocIndex.restore(indexTools, { ...snap, engine }, SOURCES)).toBeUndefined();
    const fewer = { ...bm25, terms: bm25.terms.slice(1) };
    expect(DocIndex.restore(indexTools, { ...snap, engine: fewer }, SOURCES)).toBeUndefined();
  });

  it('has a probe that notices a change in splitting', () => {
    const probe = indexTools.analysisProbe();
    expect(probe).toContain('fs.readFile');
    expect(probe).toContain('max_old_space_size');
  });

  // The splitter and stemmer are injected now: a snapshot from other ones must not be restored.
  it.each([
    [
      'another stemmer',
      new IndexTools(new MarkedSectionSplitter(), new SuffixStemmer(), new FieldedBm25SearchEngine()),
    ],
    [
      'another splitter',
      new IndexTools(new LineSectionSplitter(), new PorterStemmer(), new FieldedBm25SearchEngine()),
    ],
  ])('refuses a snapshot made with %s', async (_, other) => {
    const snap = await (await DocIndex.buildAsync(indexTools, SOURCES, new Date(0))).snapshot('fp');
    expect(DocIndex.restore(other, snap, SOURCES)).toBeUndefined();
    expect(DocIndex.restore(indexTools, snap, SOURCES)).toBeDefined();
  });

  it('refuses a snapshot of another search engine', async () => {
    const snap = await (await DocIndex.buildAsync(indexTools, SOURCES, new Date(0))).snapshot('fp');
    const bruteForce = new IndexTools(
      new MarkedSectionSplitter(),
      new PorterStemmer(),
      new BruteForceSearchEngine(),
    );
    expect(DocIndex.restore(bruteForce, snap, SOURCES)).toBeUndefined();
  });
});

describe('ServeDocs with an index store', () => {
  const make = (store: InMemoryIndexStore, source = InMemoryDocSource.of(SAMPLE_DOCS)) => {
    const logger = new MemoryLogger();
    const clock = new FakeClock(new Date('2026-03-04T05:06:07Z'));
    const docs = new ServeDocs(source, clock, logger, indexTools, undefined, store);
    /** Lets the delayed background save happen, and waits for it. */
    const saved = async () => {
      for (let i = 0; i < 3; i++) await clock.advance(SAVE_DELAY_MS);
      await docs.saving;
    };
    return { docs, logger, source, clock, saved };
  };

  it('saves only after a delay, so a start is serving before the snapshot is taken', async () => {
    const store = new InMemoryIndexStore();
    const { docs, clock, saved } = make(store);
    await docs.load();
    await clock.advance(SAVE_DELAY_MS - 1);
    expect(store.saves).toBe(0);
    await saved();
    expect(store.saves).toBe(1);
  });

  it('saves at once on close() instead of waiting out the delay, and the save is not lost', async () => {
    const store = new InMemoryIndexStore();
    const { docs } = make(store);
    await docs.load();
    await docs.close(); // no clock.advance: the delay is cut short
    expect(store.saves).toBe(1);
  });

  it('saves the built index and restores it at the next start instead of building', async () => {
    const store = new InMemoryIndexStore();
    const first = make(store);
    await first.docs.load();
    await first.saved();
    expect(store.saves).toBe(1);

    const second = make(store);
    const build = vi.spyOn(DocIndex, 'buildAsync');
    try {
      await second.docs.load();
      expect(build).not.toHaveBeenCalled();
    } finally {
      build.mockRestore();
    }
    expect(second.logger.has('info', 'docs index restored')).toBe(true);
    const q = { query: 'secure context' };
    expect(second.docs.search(q)).toEqual(first.docs.search(q));
    expect(second.docs.status().indexBuiltAt).toBe(first.docs.status().indexBuiltAt);
  });

  it('builds anew, and saves, when the docs changed since the saved index', async () => {
    const store = new InMemoryIndexStore();
    const first = make(store);
    await first.docs.load();
    await first.saved();
    const changed = InMemoryDocSource.of({ ...SAMPLE_DOCS, 'extra.md': '# Zeppelins\n\nAirships.' });
    const second = make(store, changed);
    await second.docs.load();
    await second.saved();
    expect(second.logger.has('info', 'docs changed since the saved index')).toBe(true);
    expect(second.docs.search({ query: 'zeppelins' }).results[0]?.id).toBe('extra#zeppelins');
    expect(store.saves).toBe(2);
  });

  it('saves again after a refresh that changed the docs', async () => {
    const store = new InMemoryIndexStore();
    const { docs, source, saved } = make(store);
    await docs.load();
    await saved();
    source.replaceWith([{ id: 'only', path: 'only.md', markdown: '# Only\n\nOne page.' }]);
    await docs.refresh();
    await saved();
    expect(store.saves).toBe(2);
    const next = make(store, source);
    await next.docs.load();
    expect(next.logger.has('info', 'docs index restored')).toBe(true);
    expect(next.docs.status().documents).toBe(1);
  });

  it('builds when the store cannot be read, and keeps serving when it cannot be written', async () => {
    const store = new InMemoryIndexStore();
    store.failLoad = new Error('disk on fire');
    store.failSave = new Error('disk full');
    const { docs, logger, saved } = make(store);
    await docs.load();
    await saved();
    expect(logger.has('warn', 'could not restore the saved index')).toBe(true);
    expect(logger.has('warn', 'could not save the index')).toBe(true);
    expect(docs.search({ query: 'secure context' }).results.length).toBeGreaterThan(0);
  });
});

describe('ServeDocs saves of superseded indexes', () => {
  it('skips saving an index that a refresh replaced before its save began; saves the newer one', async () => {
    const store = new InMemoryIndexStore();
    const source = InMemoryDocSource.of(SAMPLE_DOCS);
    const clock = new FakeClock(new Date('2026-03-04T05:06:07Z'));
    const docs = new ServeDocs(source, clock, new MemoryLogger(), indexTools, undefined, store);
    await docs.load();
    source.replaceWith([{ id: 'only', path: 'only.md', markdown: '# Only\n\nOne page.' }]);
    await docs.refresh();
    for (let i = 0; i < 3; i++) await clock.advance(SAVE_DELAY_MS);
    await docs.saving;
    expect(store.saves).toBe(1);
    expect(store.snapshots.get(source.description)?.documents.map((d) => d.id)).toEqual(['only']);
  });
});

describe('anchor text across rebuilds and restores', () => {
  const linking = {
    id: 'guide',
    path: 'guide.md',
    markdown: '# Guide\n\nTo fly a zeppelin, call [`lift()`](api.md#lift).\n',
  };
  const api = (extra = '') => ({
    id: 'api',
    path: 'api.md',
    markdown: `# API\n\n## lift\n\nRaises the craft.${extra}\n`,
  });
  const firstHit = (index: DocIndex | undefined) => index?.search('zeppelin', 3)[0]?.section.id;

  it('keeps the words around links when the linking document is reused or restored', async () => {
    const built = await DocIndex.buildAsync(indexTools, [linking, api()], new Date(0));
    // "zeppelin" is only in the guide's sentence that links to api#lift: anchor text finds the target.
    expect(built.search('zeppelin', 5).map((h) => h.section.id)).toContain('api#lift');

    const rebuilt = await DocIndex.buildAsync(
      indexTools,
      [linking, api(' Slowly.')],
      new Date(1),
      undefined,
      {
        previous: built,
      },
    );
    expect(rebuilt.document('guide')).toBe(built.document('guide'));
    expect(rebuilt.search('zeppelin', 5).map((h) => h.section.id)).toContain('api#lift');

    const restored = DocIndex.restore(indexTools, structuredClone(await rebuilt.snapshot('fp')), [
      linking,
      api(' Slowly.'),
    ]);
    expect(firstHit(restored)).toBe(firstHit(rebuilt));
    const afterRestore = await DocIndex.buildAsync(
      indexTools,
      [linking, api(' Gently.')],
      new Date(2),
      undefined,
      {
        previous: restored,
      },
    );
    expect(afterRestore.search('zeppelin', 5).map((h) => h.section.id)).toContain('api#lift');
  });
});
