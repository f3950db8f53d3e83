import { beforeEach, describe, expect, it } from 'vitest';
import { DocNotFoundError, DocSourceError, InvalidQueryError } from '../../src/domain/errors.js';
import { ServeDocs } from '../../src/domain/serve-docs.js';
import { FakeClock } from '../fakes/fake-clock.js';
import { InMemoryDocSource } from '../fakes/in-memory-doc-source.js';
import { indexTools } from '../fakes/index-tools.js';
import { MemoryLogger } from '../fakes/memory-logger.js';
import { SAMPLE_DOCS } from '../fakes/sample-docs.js';

const LONG_DOC = Array.from(
  { length: 40 },
  (_, i) =>
    `## Part ${i}\n\n${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(3 + (i % 4))}\n`,
).join('\n');

function makeSut(files: Record<string, string> = SAMPLE_DOCS) {
  const source = InMemoryDocSource.of(files);
  const clock = new FakeClock(new Date('2026-03-04T05:06:07Z'));
  const logger = new MemoryLogger();
  return { docs: new ServeDocs(source, clock, logger, indexTools), source, clock, logger };
}

function itemSize(item: object): number {
  return JSON.stringify(item).length;
}

describe('ServeDocs', () => {
  let docs: ServeDocs;
  let source: InMemoryDocSource;

  beforeEach(async () => {
    ({ docs, source } = makeSut());
    await docs.load();
  });

  describe('search', () => {
    it('returns sections best-first with id, title, url and snippet', () => {
      const out = docs.search({ query: 'timeout event loop' });
      expect(out.results.length).toBeGreaterThan(1);
      const first = out.results[0];
      expect(first).toMatchObject({
        id: 'timers#timeoutunref',
        title: 'Timers › Class: Timeout › timeout.unref()',
        url: 'docs://timers#timeoutunref',
        document: 'timers',
      });
      expect(first?.snippet).toContain('event loop');
      const scores = out.results.map((r) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    });

    it('respects the limit', () => {
      expect(docs.search({ query: 'timeout event loop', limit: 1 }).results).toHaveLength(1);
      expect(docs.search({ query: 'timeout event loop', limit: 2 }).results).toHaveLength(2);
    });

    it('keeps the results within the maxChars budget', () => {
      const all = docs.search({ query: 'timeout event loop', maxChars: 80_000 }).results;
      const budget = itemSize(all[0] as object) + itemSize(all[1] as object) + 10;
      const capped = docs.search({ query: 'timeout event loop', maxChars: budget }).results;
      expect(capped.length).toBe(2);
      expect(capped.reduce((n, r) => n + itemSize(r), 0)).toBeLessThanOrEqual(budget);
      expect(capped.map((r) => r.id)).toEqual(all.slice(0, 2).map((r) => r.id));
    });

    it('takes the budget in tokens too (~4 characters each); the tighter of the two wins', () => {
      const all = docs.search({ query: 'timeout event loop', maxChars: 80_000 }).results;
      const chars = itemSize(all[0] as object) + itemSize(all[1] as object) + 10;
      const tokens = Math.ceil(chars / 4);
      const byTokens = docs.search({ query: 'timeout event loop', maxTokens: tokens }).results;
      expect(byTokens.map((r) => r.id)).toEqual(all.slice(0, 2).map((r) => r.id));
      const both = docs.search({ query: 'timeout event loop', maxTokens: tokens, maxChars: 80_000 }).results;
      expect(both).toHaveLength(2);
      const tighterChars = docs.search({
        query: 'timeout event loop',
        maxTokens: 20_000,
        maxChars: chars,
      }).results;
      expect(tighterChars).toHaveLength(2);
    });

    it('always returns the best result even when it alone exceeds the budget', () => {
      expect(docs.search({ query: 'timeout event loop', maxChars: 200 }).results).toHaveLength(1);
    });

    it('gives the JSON of its outcome (what JSON.stringify makes), and that JSON as a JSON string, for any budget and quoting', async () => {
      const quoted = makeSut({
        ...SAMPLE_DOCS,
        'quotes.md':
          '# "Quoted" \\ heading\n\nA timeout with "quotes", a back\\slash, tabs\tand \u2028 odd characters \u{1f600}.\n' +
          // Longer than a snippet: cut from a kept scan of a text JSON must escape.
          '\nMore "quoted" words about the timeout and the heading, with a back\\slash again.'.repeat(6),
      });
      await quoted.docs.load();
      for (const sut of [docs, quoted.docs])
        for (const query of ['timeout event loop', 'secure context', 'quoted heading', 'zzzz'])
          for (const maxChars of [200, 900, 80_000]) {
            const { value, json } = sut.searchJson({ query, maxChars });
            expect(json).toBe(JSON.stringify(value));
            const { jsonPieces, jsonStringPieces, jsonPiecesBytes } = sut.searchJson({ query, maxChars });
            const utf8 = (pieces: readonly (string | Uint8Array)[] | undefined) =>
              Buffer.concat((pieces ?? []).map((p) => Buffer.from(p))).toString('utf8');
            expect(utf8(jsonPieces)).toBe(json);
            expect(utf8(jsonStringPieces)).toBe(JSON.stringify(json));
            // The room it announces holds both (what the reply is written into).
            expect(jsonPiecesBytes).toBeGreaterThanOrEqual(
              Buffer.byteLength(json) + Buffer.byteLength(JSON.stringify(json)),
            );
            expect(value).toEqual(sut.search({ query, maxChars }));
          }
    });

    it('reports provenance: the source and when the index was built (from the clock)', () => {
      const out = docs.search({ query: 'secure context' });
      expect(out.source).toBe('memory:test');
      expect(out.indexBuiltAt).toBe('2026-03-04T05:06:07.000Z');
    });

    it.each(['', '   \n\t'])('rejects an empty query %j with docs.invalid_query', (query) => {
      expect(() => docs.search({ query })).toThrow(InvalidQueryError);
      try {
        docs.search({ query });
      } catch (e) {
        expect((e as InvalidQueryError).code).toBe('docs.invalid_query');
      }
    });
  });

  describe('fetch', () => {
    it('returns a section together with its subsections', () => {
      const out = docs.fetch({ id: 'timers#class-timeout' });
      expect(out.id).toBe('timers#class-timeout');
      expect(out.title).toBe('Timers › Class: Timeout');
      expect(out.text).toMatch(/^## Class: Timeout/);
      expect(out.text).toContain('### timeout.unref()');
      expect(out.text).toContain('### timeout.ref()');
      expect(out.text).not.toContain('setTimeout(callback, delay)');
      expect(out.metadata).toMatchObject({
        document: 'timers',
        documentPath: 'timers.md',
        headingPath: ['Timers', 'Class: Timeout'],
        offset: 0,
        nextOffset: null,
        source: 'memory:test',
        indexBuiltAt: '2026-03-04T05:06:07.000Z',
      });
    });

    it('returns the whole document for a document id', () => {
      const out = docs.fetch({ id: 'timers' });
      expect(out.text).toBe(SAMPLE_DOCS['timers.md']);
      expect(out.title).toBe('Timers');
      expect(out.metadata.totalChars).toBe(SAMPLE_DOCS['timers.md']?.length);
    });

    it('pages through a long document: following nextOffset reassembles the exact text', async () => {
      const sut = makeSut({ ...SAMPLE_DOCS, 'long.md': LONG_DOC });
      await sut.docs.load();
      let offset: number | null = 0;
      let text = '';
      let pages = 0;
      while (offset !== null) {
        const page = sut.docs.fetch({ id: 'long', offset, maxChars: 600 });
        expect(page.text.length).toBeLessThanOrEqual(600);
        expect(page.metadata.offset).toBe(offset);
        text += page.text;
        offset = page.metadata.nextOffset;
        pages++;
      }
      expect(pages).toBeGreaterThan(3);
      expect(text).toBe(LONG_DOC);
    });

    it('pages by a token budget as by characters (4 characters a token)', async () => {
      const sut = makeSut({ ...SAMPLE_DOCS, 'long.md': LONG_DOC });
      await sut.docs.load();
      const byTokens = sut.docs.fetch({ id: 'long', maxTokens: 150 });
      const byChars = sut.docs.fetch({ id: 'long', maxChars: 600 });
      expect(byTokens.text).toBe(byChars.text);
      expect(byTokens.metadata.nextOffset).toBe(byChars.metadata.nextOffset);
    });

    it('throws DocNotFoundError with suggestions for an unknown id', () => {
      let error: unknown;
      try {
        docs.fetch({ id: 'timers#timeout-unref' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DocNotFoundError);
      const notFound = error as DocNotFoundError;
      expect(notFound.code).toBe('docs.not_found');
      expect(notFound.suggestions).toContain('timers#timeoutunref');
      expect(notFound.message).toContain('"timers#timeoutunref"');
    });
  });

  describe('fetchJson', () => {
    /** Texts JSON escapes, non-ASCII, astral characters, lone surrogates, in ids, titles and text. */
    const TRICKY: Record<string, string> = {
      ...SAMPLE_DOCS,
      'long.md': LONG_DOC,
      'quotes "and" back\\slash.md': `# Tabs\tand "quotes" \\ back\\slash

Control \u0001 characters \u001f and \u007f, a form feed \f, line separators \u2028 \u2029.

## Ünïcödé › “curly” — 日本語

Astral 😀😀 and a pair split by a page: ${'😀'.repeat(400)} end.

### Lone \ud800 high and \udfff low surrogates

Text with a lone \udbff surrogate, and </script> and \\u0041.
`,
    };

    const utf8 = (pieces: readonly (string | Uint8Array)[] | undefined) =>
      Buffer.concat((pieces ?? []).map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

    it("gives fetch()'s outcome, its JSON, and both as UTF-8 pieces, for every section and page", async () => {
      const sut = makeSut(TRICKY);
      await sut.docs.load();
      const ids = sut.docs
        .listDocuments({})
        .documents.flatMap((d) => [d.id, ...sut.docs.outline(d.id).sections.map((s) => s.id)]);
      expect(ids.length).toBeGreaterThan(20);
      const inputs = (id: string) => [
        { id },
        { id, offset: 0 },
        { id, maxChars: 500 },
        { id, offset: 1, maxChars: 500 },
        { id, offset: 301, maxChars: 700 },
        { id, maxTokens: 125 },
        { id, offset: 10_000_000 },
      ];
      let checked = 0;
      // Twice: the second time from the kept shapes.
      for (const round of [1, 2]) {
        for (const id of ids) {
          for (const input of inputs(id)) {
            const out = sut.docs.fetchJson(input);
            expect(out.value, `${round} ${JSON.stringify(input)}`).toEqual(sut.docs.fetch(input));
            expect(out.json).toBe(JSON.stringify(out.value));
            const text = utf8(out.jsonPieces);
            const inString = utf8(out.jsonStringPieces);
            expect(text.equals(Buffer.from(out.json))).toBe(true);
            expect(inString.equals(Buffer.from(JSON.stringify(out.json)))).toBe(true);
            expect(out.jsonPiecesBytes).toBeGreaterThanOrEqual(text.length + inString.length);
            checked++;
          }
        }
      }
      expect(checked).toBe(2 * 7 * ids.length);
    });

    it('has the escapes JSON.stringify writes for lone surrogates and control characters', async () => {
      const sut = makeSut(TRICKY);
      await sut.docs.load();
      const id = sut.docs.listDocuments({ prefix: 'quotes' }).documents[0]?.id as string;
      const out = sut.docs.fetchJson({ id });
      expect(out.json).toContain('\\ud800');
      expect(out.json).toContain('\\u0001');
      expect(utf8(out.jsonStringPieces).toString()).toContain('\\\\ud800');
      // A page that ends between the two halves of a pair.
      const split = sut.docs.fetchJson({ id, offset: 1, maxChars: 501 });
      expect(split.json).toBe(JSON.stringify(sut.docs.fetch({ id, offset: 1, maxChars: 501 })));
    });

    it('throws DocNotFoundError for an unknown id, as fetch does', () => {
      expect(() => docs.fetchJson({ id: 'timers#timeout-unref' })).toThrow(DocNotFoundError);
    });

    it('stays exact when its kept shapes outgrow their budget and are dropped or met again', async () => {
      // 40 documents of ~70k characters fetched whole: ~17 MB of shapes, past two 8 MB generations.
      const big: Record<string, string> = {};
      for (let d = 0; d < 40; d++)
        big[`big-${d}.md`] =
          `# Big ${d} “quoted”\n\n${`Line ${d} with "quotes" and \\ — ${'x'.repeat(60)}\n`.repeat(800)}`;
      const sut = makeSut(big);
      await sut.docs.load();
      // In order twice (every shape made again after being dropped), then one document between
      // each (met again from the previous generation).
      const order = [
        ...Array(40).keys(),
        ...Array(40).keys(),
        ...[...Array(40).keys()].flatMap((d) => [d, 7]),
      ];
      for (const d of order) {
        const input = { id: `big-${d}`, maxChars: 80_000 };
        const out = sut.docs.fetchJson(input);
        expect(out.value.metadata.nextOffset).toBeNull();
        expect(out.json).toBe(JSON.stringify(sut.docs.fetch(input)));
        expect(utf8(out.jsonStringPieces).equals(Buffer.from(JSON.stringify(out.json)))).toBe(true);
      }
    });

    it('follows the index in service after a refresh', async () => {
      const sut = makeSut({ ...SAMPLE_DOCS });
      await sut.docs.load();
      const before = sut.docs.fetchJson({ id: 'timers#class-timeout' });
      const files = {
        ...SAMPLE_DOCS,
        'timers.md': `${SAMPLE_DOCS['timers.md']}\n### A new subsection\n\nMore.\n`,
      };
      sut.source.replaceWith(
        Object.entries(files).map(([path, markdown]) => ({ id: path.slice(0, -3), path, markdown })),
      );
      await sut.clock.advance(60_000);
      expect((await sut.docs.refresh()).changed).toBe(true);
      const after = sut.docs.fetchJson({ id: 'timers#class-timeout' });
      expect(after.json).not.toBe(before.json);
      expect(after.json).toBe(JSON.stringify(sut.docs.fetch({ id: 'timers#class-timeout' })));
      expect(utf8(after.jsonPieces).equals(Buffer.from(after.json))).toBe(true);
    });
  });

  describe('browsing', () => {
    it('lists documents, filtered by prefix', () => {
      const all = docs.listDocuments({});
      expect(all.documents.map((d) => d.id)).toEqual(['guide/files', 'timers', 'tls']);
      expect(all).toMatchObject({ total: 3, nextOffset: null });
      const guide = docs.listDocuments({ prefix: 'guide/' });
      expect(guide.documents).toEqual([
        {
          id: 'guide/files',
          title: 'Working with files',
          url: 'docs://guide/files',
          path: 'guide/files.md',
          sections: 3,
          chars: SAMPLE_DOCS['guide/files.md']?.length,
        },
      ]);
      expect(guide.total).toBe(1);
    });

    it('pages the document list with offset and nextOffset', () => {
      const first = docs.listDocuments({ limit: 2 });
      expect(first.documents.map((d) => d.id)).toEqual(['guide/files', 'timers']);
      expect(first.nextOffset).toBe(2);
      const second = docs.listDocuments({ limit: 2, offset: first.nextOffset ?? 0 });
      expect(second.documents.map((d) => d.id)).toEqual(['tls']);
      expect(second.nextOffset).toBeNull();
    });

    it('outlines a document, also when given one of its section ids', () => {
      const outline = docs.outline('tls');
      expect(outline.title).toBe('TLS');
      expect(outline.sections.map((s) => s.id)).toEqual([
        'tls#tls',
        'tls#tlscreatesecurecontextoptions',
        'tls#examples',
        'tls#examples-1',
      ]);
      expect(outline.sections.map((s) => s.level)).toEqual([1, 2, 2, 2]);
      expect(docs.outline('tls#examples').id).toBe('tls');
      expect(() => docs.outline('nope')).toThrow(DocNotFoundError);
    });
  });

  describe('loading', () => {
    it('reports status before and after load', async () => {
      const sut = makeSut();
      expect(sut.docs.status()).toEqual({
        ready: false,
        source: 'memory:test',
        documents: 0,
        sections: 0,
        indexBuiltAt: null,
      });
      await sut.docs.load();
      expect(sut.docs.status()).toEqual({
        ready: true,
        source: 'memory:test',
        documents: 3,
        sections: 12,
        indexBuiltAt: '2026-03-04T05:06:07.000Z',
      });
      expect(sut.logger.has('info', 'docs indexed')).toBe(true);
    });

    it('throws DocSourceError when the source fails, keeping the index it had', async () => {
      source.failNextLoad('disk on fire');
      await expect(docs.load()).rejects.toThrow(DocSourceError);
      expect(docs.status()).toMatchObject({ ready: true, documents: 3 });
      expect(docs.search({ query: 'secure context' }).results.length).toBeGreaterThan(0);
    });

    it('names the reason when the first load fails', async () => {
      const sut = makeSut();
      sut.source.failNextLoad('disk on fire');
      await expect(sut.docs.load()).rejects.toThrow(/disk on fire/);
      expect(sut.docs.status().ready).toBe(false);
    });
  });
});
